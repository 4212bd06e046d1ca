"""The corpus manifest (`sources.toml` in a corpus folder): what each document is.

    [defaults]                      # optional; applies to files without an entry
    source_type = "secondary"
    language = "en"

    [[documents]]
    file = "un-trafficking-protocol.html"      # path relative to the folder
    title = "Protocol to Prevent, Suppress and Punish Trafficking in Persons, ..."
    aliases = ["Palermo Protocol", "UN Trafficking Protocol"]   # other names it goes by
    source_type = "primary_law"                # primary_law | official_guidance | secondary
    language = "en"
    url = "https://..."                        # what `lexcite sources fetch` downloads
    page = "https://..."                       # the official landing page (for people)
    origin = "..."                             # where the file came from
    note = "..."
    fetch = true                               # false: listed for metadata only

Documents without an entry still ingest: title from the document itself (PDF/DOCX metadata, HTML
<title>, first heading) or else its file name; source_type and language from [defaults], which
default to "secondary" and "en" (an unknown document is not presumed to be law).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ingest.records import SOURCE_TYPES
from lexcite.errors import ConfigError

MANIFEST_NAME = "sources.toml"
DEFAULT_SOURCE_TYPE = "secondary"
DEFAULT_LANGUAGE = "en"
_ENTRY_KEYS = {"file", "title", "short_title", "aliases", "source_type", "language", "url", "page", "origin", "note",
               "fetch"}


@dataclass(frozen=True)
class SourceEntry:
    file: str
    title: str = ""
    source_type: str = DEFAULT_SOURCE_TYPE
    language: str = DEFAULT_LANGUAGE
    url: str = ""
    page: str = ""
    origin: str = ""
    note: str = ""
    short_title: str = ""
    fetch: bool = True
    aliases: tuple[str, ...] = ()  # other names the instrument goes by ("Palermo Protocol", "CETS 186")

    @property
    def fetchable(self) -> bool:
        return bool(self.url) and self.fetch


@dataclass(frozen=True)
class Manifest:
    folder: Path
    entries: dict[str, SourceEntry] = field(default_factory=dict)
    source_type: str = DEFAULT_SOURCE_TYPE
    language: str = DEFAULT_LANGUAGE

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    def entry(self, name: str) -> SourceEntry | None:
        """The entry for a path relative to the folder (a leading '<folder name>/' is tolerated)."""
        key = PurePosixPath(name).as_posix()
        if key not in self.entries and key.startswith(self.folder.name + "/"):
            key = key[len(self.folder.name) + 1:]
        return self.entries.get(key)

    def meta_for(self, name: str) -> dict[str, str]:
        """{"title", "source_type", "language"} for `loaders.load`; title "" = let the loader choose."""
        e = self.entry(name)
        if e is None:
            return {"title": "", "source_type": self.source_type, "language": self.language}
        meta = {"title": e.title, "source_type": e.source_type, "language": e.language}
        if e.aliases:
            meta["aliases"] = "; ".join(e.aliases)
        return meta

    def fingerprint(self, name: str) -> bytes:
        """Bytes to mix into a document's hash, so editing its manifest entry re-ingests it."""
        return json.dumps(self.meta_for(name), sort_keys=True).encode()

    def __iter__(self):
        return iter(self.entries.values())


def load_manifest(folder: Path | str) -> Manifest:
    """Read `folder/sources.toml` (or the .toml file given); no manifest file = defaults only."""
    folder = Path(folder)
    path, folder = (folder, folder.parent) if folder.suffix == ".toml" else (folder / MANIFEST_NAME, folder)
    if not path.is_file():
        return Manifest(folder)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; re-save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the line it names") from None
    unknown = sorted(set(data) - {"defaults", "documents"})
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(unknown)}; use [defaults] and [[documents]]")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or set(defaults) - {"source_type", "language"}:
        raise ConfigError(f"{path}: [defaults] takes only source_type and language")
    source_type = _source_type(defaults.get("source_type", DEFAULT_SOURCE_TYPE), path, "[defaults]")
    language = str(defaults.get("language", DEFAULT_LANGUAGE))
    docs = data.get("documents", [])
    if not isinstance(docs, list):
        raise ConfigError(f"{path}: write each document as a [[documents]] table")
    entries: dict[str, SourceEntry] = {}
    for i, raw in enumerate(docs, start=1):
        entry = _entry(raw, path, i, source_type, language)
        if entry.file in entries:
            raise ConfigError(f"{path}: {entry.file} is listed twice; keep one [[documents]] entry for it")
        entries[entry.file] = entry
    return Manifest(folder, entries, source_type, language)


def _entry(raw: Any, path: Path, i: int, source_type: str, language: str) -> SourceEntry:
    where = f"[[documents]] #{i}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {where} is not a table")
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise ConfigError(f"{path}: {where} has unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(_ENTRY_KEYS))}")
    file = str(raw.get("file", "")).strip()
    if not file or file.startswith(("/", "..")) or "\\" in file:
        raise ConfigError(f"{path}: {where} needs file = \"name.ext\", a path relative to {path.parent}")
    where = f"{where} ({file})"
    url = str(raw.get("url", ""))
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: {where} url must start with http:// or https://")
    fetch = raw.get("fetch", True)
    if not isinstance(fetch, bool):
        raise ConfigError(f"{path}: {where} fetch must be true or false")
    text = {k: str(raw.get(k, "")).strip() for k in ("title", "short_title", "page", "origin", "note")}
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{path}: {where} aliases must be a list of names, e.g. aliases = [\"CETS 186\"]")
    return SourceEntry(
        aliases=tuple(a.strip() for a in aliases),
        file=PurePosixPath(file).as_posix(),
        source_type=_source_type(raw.get("source_type", source_type), path, where),
        language=str(raw.get("language", language)),
        url=url, fetch=fetch, **text,
    )


def _source_type(value: Any, path: Path, where: str) -> str:
    if value not in SOURCE_TYPES:
        raise ConfigError(f"{path}: {where} has source_type {value!r}; use one of {', '.join(SOURCE_TYPES)}")
    return str(value)


# ---- writing (the app's uploads folder keeps its own manifest) ---------------------------------------
WRITTEN_HEADER = ("# Written by Lexcite (the Library tab of the app): what each uploaded document is.\n"
                  "# Edit entries in the app; comments in this file are not kept when it is rewritten.\n")


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_manifest(manifest: Manifest) -> str:
    """The manifest as TOML that `load_manifest` reads back to the same entries."""
    out = [WRITTEN_HEADER, "[defaults]", f"source_type = {_toml_str(manifest.source_type)}",
           f"language = {_toml_str(manifest.language)}"]
    for e in sorted(manifest.entries.values(), key=lambda e: e.file):
        out += ["", "[[documents]]", f"file = {_toml_str(e.file)}"]
        for key in ("title", "short_title", "source_type", "language", "url", "page", "origin", "note"):
            value = getattr(e, key)
            if value and not (key in ("source_type", "language") and value == getattr(manifest, key)):
                out.append(f"{key} = {_toml_str(value)}")
        if e.aliases:
            out.append(f"aliases = [{', '.join(_toml_str(a) for a in e.aliases)}]")
        if not e.fetch:
            out.append("fetch = false")
    return "\n".join(out) + "\n"


def write_entry(folder: Path | str, entry: SourceEntry) -> Manifest:
    """Add or replace `entry` in `folder/sources.toml` (written whole, atomically); returns the new manifest.
    Editing an entry's title, source type, language or aliases re-ingests its file on the next ingest."""
    if entry.source_type not in SOURCE_TYPES:
        raise ConfigError(f"source type {entry.source_type!r} is not one of {', '.join(SOURCE_TYPES)}")
    current = load_manifest(folder)
    entries = dict(current.entries)
    entries[entry.file] = entry
    return _write(Manifest(current.folder, entries, current.source_type, current.language))


def drop_entry(folder: Path | str, file: str) -> Manifest:
    """Remove the entry of `file` (if any) from `folder/sources.toml`."""
    current = load_manifest(folder)
    if file not in current.entries:
        return current
    entries = {k: v for k, v in current.entries.items() if k != file}
    return _write(Manifest(current.folder, entries, current.source_type, current.language))


def _write(manifest: Manifest) -> Manifest:
    manifest.folder.mkdir(parents=True, exist_ok=True)
    tmp = manifest.path.with_name(f".{MANIFEST_NAME}.part")
    tmp.write_text(render_manifest(manifest), encoding="utf-8")
    tmp.replace(manifest.path)
    return load_manifest(manifest.folder)
