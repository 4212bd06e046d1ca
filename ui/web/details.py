"""What a document is, beyond its text: title, source type, language, notes and aliases.

Uploads are described in the uploads folder's own manifest (`data_dir/uploads/sources.toml`, written by
`ingest.manifest.write_entry`): set at upload, editable later in the Library, and re-ingested so titles and
source types show in every citation. Documents from other folders keep the manifest of their folder, which
is read (for notes) but never rewritten from the browser. `SourceNotes` finds the note of any indexed
document, so the sources panel can show it beside the document's citations.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ingest.manifest import SourceEntry, drop_entry, load_manifest, write_entry
from ingest.records import SOURCE_TYPES
from lexcite.errors import ConfigError
from lexcite.text import is_text

log = logging.getLogger(__name__)

MAX_TITLE = 300
MAX_NOTE = 2000
MAX_ALIASES = 20
DEFAULT_UPLOAD_TYPE = "secondary"  # the manifest default: an unknown document is not presumed to be law


class InvalidDetails(ValueError):
    """Details a person typed that cannot be stored; the message says what to change."""


@dataclass(frozen=True)
class Details:
    """What a person says about a document (empty title: the document's own)."""

    title: str = ""
    source_type: str = DEFAULT_UPLOAD_TYPE
    note: str = ""
    aliases: tuple[str, ...] = ()
    language: str = ""  # "" = the folder's default


def parse_aliases(text: str | None) -> tuple[str, ...]:
    """Other names, one per line or separated by semicolons (commas occur inside names)."""
    names = [a.strip() for a in re.split(r"[;\n]", text or "")]
    return tuple(dict.fromkeys(a for a in names if a))


def clean_details(title: str | None, source_type: str | None, note: str | None, aliases: str | None,
                  language: str | None = "") -> Details:
    """The typed details, checked: InvalidDetails says what to change."""
    title, note, language = (title or "").strip(), (note or "").strip(), (language or "").strip().lower()
    names = parse_aliases(aliases)
    if source_type not in SOURCE_TYPES:
        raise InvalidDetails(f"Choose a source type: {', '.join(SOURCE_TYPES)}.")
    if not all(is_text(x) for x in (title, note, *names)):
        raise InvalidDetails("The details contain characters that are not valid text; retype them.")
    if len(title) > MAX_TITLE:
        raise InvalidDetails(f"The title is {len(title)} characters long; keep it under {MAX_TITLE}.")
    if "\n" in title:
        raise InvalidDetails("Keep the title on one line.")
    if len(note) > MAX_NOTE:
        raise InvalidDetails(f"The note is {len(note)} characters long; keep it under {MAX_NOTE}.")
    if len(names) > MAX_ALIASES or any(len(a) > MAX_TITLE for a in names):
        raise InvalidDetails(f"Give at most {MAX_ALIASES} other names, each under {MAX_TITLE} characters.")
    if language and not re.fullmatch(r"[a-z]{2,3}", language):
        raise InvalidDetails("Give the language as a two-letter code such as en, fr or de (or leave it empty).")
    return Details(title, str(source_type), note, names, language)


def record(folder: Path, file_name: str, details: Details) -> None:
    """Write the details of `folder/file_name` into the folder's manifest (the next ingest applies them)."""
    current = load_manifest(folder)
    entry = SourceEntry(file=file_name, title=details.title, source_type=details.source_type,
                        language=details.language or current.language, note=details.note,
                        aliases=details.aliases)
    write_entry(folder, entry)


def forget(folder: Path, file_name: str) -> None:
    """Drop the manifest entry of a removed upload (a later file of that name starts afresh)."""
    try:
        drop_entry(folder, file_name)
    except (OSError, ConfigError) as exc:
        log.warning("could not drop %s from %s/sources.toml: %s", file_name, folder, exc)


def details_of(folder: Path, file_name: str, indexed_title: str = "", source_type: str = "") -> Details:
    """What the manifest of `folder` says of `file_name`, or the indexed title and type when it says nothing."""
    entry = load_manifest(folder).entry(file_name)
    if entry is None:
        return Details(indexed_title, source_type or DEFAULT_UPLOAD_TYPE)
    return Details(entry.title or indexed_title, entry.source_type, entry.note, entry.aliases, entry.language)


class SourceNotes:
    """The manifest note of each indexed document, read from its folder's `sources.toml` (re-read when the
    file changes). A document ingested by name, not from a folder, has no manifest and so no note."""

    def __init__(self, index):
        self.index = index
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[float, dict[str, str]]] = {}

    def for_sources(self, sources: Sequence[str]) -> dict[str, str]:
        """{source: note} for the given sources that have a note."""
        wanted = set(sources)
        try:
            docs = [d for d in self.index.documents() if d.source in wanted]
        except Exception:  # a stub index, or a store that cannot be read: no notes, never a failure
            log.debug("no documents to read notes for", exc_info=True)
            return {}
        out = {}
        for d in docs:
            note = self._notes(Path(d.root)).get(_relname(d.source, d.root)) if d.root else None
            if note:
                out[d.source] = note
        return out

    def _notes(self, folder: Path) -> dict[str, str]:
        path = folder / "sources.toml"
        try:
            stamp = path.stat().st_mtime
        except OSError:
            return {}
        with self._lock:
            cached = self._cache.get(folder)
            if cached and cached[0] == stamp:
                return cached[1]
        try:
            notes = {e.file: e.note for e in load_manifest(folder) if e.note}
        except ConfigError as exc:
            log.warning("notes of %s not shown: %s", folder, exc)
            notes = {}
        with self._lock:
            self._cache[folder] = (stamp, notes)
        return notes


def _relname(source: str, root: str) -> str:
    """The manifest key of an indexed source: its path inside its folder ("<folder>/<rel>" -> "<rel>")."""
    prefix = Path(root).name + "/"
    return source[len(prefix):] if source.startswith(prefix) else source
