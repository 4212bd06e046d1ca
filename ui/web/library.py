"""The Library: what is indexed, and adding/removing documents through the browser.

Uploads are copied under `settings.data_dir / "uploads"` with a safe name (no directories, no
traversal, no hidden or control characters), checked against the supported types and the size
limit, then that folder is ingested. Files that fail are listed with the reason; the rest land.
Every file lands or is reported: two files of one upload whose safe names collide are kept side by
side (`a_b.md`, `a_b-2.md`), a name the folder walk would pass over (`README.*`) gets an
`upload-` prefix, and a file replacing an earlier upload of the same name says so.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ingest.walk import ignored_at_top
from ui.web.details import forget

log = logging.getLogger(__name__)

UPLOADS = "uploads"
MAX_NAME = 120


class RejectedName(ValueError):
    """A file name that cannot be stored as given. The message says why."""


@dataclass
class UploadResult:
    saved: list[Path] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (original name, what happened to it)


def uploads_dir(settings) -> Path:
    return Path(settings.data_dir) / UPLOADS


def safe_filename(name: str, allowed_suffixes: Iterable[str]) -> str:
    """A file name safe to create inside the uploads folder, or RejectedName saying why not."""
    allowed = {s.lower() for s in allowed_suffixes}
    if not name or not name.strip():
        raise RejectedName("the file has no name")
    if "/" in name or "\\" in name or "\x00" in name:
        raise RejectedName("file names may not contain folders (/ or \\)")
    name = unicodedata.normalize("NFC", name.strip())
    if name in (".", "..") or name.startswith("."):
        raise RejectedName("hidden file names (starting with a dot) are not accepted")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise RejectedName("the name contains control characters")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        raise RejectedName(f"the file has no extension; supported: {', '.join(sorted(allowed))}")
    suffix = "." + suffix.lower()
    if suffix not in allowed:
        raise RejectedName(f"{suffix} files are not supported; supported: {', '.join(sorted(allowed))}")
    stem = re.sub(r"[^\w.\-]+", "_", stem, flags=re.UNICODE).strip("._-")
    stem = re.sub(r"\.{2,}", ".", stem)
    if not stem:
        raise RejectedName("the name has no usable letters or digits")
    return stem[: MAX_NAME - len(suffix)] + suffix


def save_uploads(files: Sequence[str | Path], dest: Path, allowed_suffixes: Iterable[str],
                 max_mb: float, names: Sequence[str] | None = None) -> UploadResult:
    """Copy the uploaded temp files into `dest` under safe names. `names` defaults to the files' own."""
    allowed = tuple(allowed_suffixes)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    result = UploadResult()
    taken: set[str] = set()  # names given in this upload (case-insensitively: Notes.md and notes.MD collide on some disks)
    for i, f in enumerate(files):
        src = Path(f)
        original = names[i] if names is not None else src.name
        try:
            safe = safe_filename(original, allowed)
        except RejectedName as exc:
            result.rejected.append((original, str(exc)))
            continue
        try:
            size = src.stat().st_size
        except OSError:
            result.rejected.append((original, "the upload did not arrive; try again"))
            continue
        if size == 0:
            result.rejected.append((original, "the file is empty"))
            continue
        if size > max_mb * 1024 * 1024:
            result.rejected.append((original, f"it is {size / 1048576:.1f} MB; the limit is {max_mb:g} MB "
                                              "(setting max_file_mb)"))
            continue
        why = ""
        if ignored_at_top(safe):  # the walk reads README files as notes about the folder, not documents
            safe, why = "upload-" + safe, "README files are read as notes about a folder, not as documents"
        stem, suffix = safe[: -len(Path(safe).suffix)], Path(safe).suffix
        n = 2
        while safe.lower() in taken:  # another file of this upload already has that name
            safe, why = f"{stem[: MAX_NAME - len(suffix) - 4]}-{n}{suffix}", "another file in this upload has that name"
            n += 1
        target = (root / safe).resolve()
        if target.parent != root:  # belt and braces: never write outside the uploads folder
            result.rejected.append((original, "the name points outside the uploads folder"))
            continue
        if why:
            result.notes.append((original, f"saved as {target.name}: {why}"))
        if target.exists():
            result.notes.append((original, f"replaces the earlier upload {target.name}"))
        tmp = target.with_name(f".{target.name}.part")
        try:
            shutil.copyfile(src, tmp)
            tmp.replace(target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            result.rejected.append((original, f"could not be stored on the server ({exc.strerror})"))
            continue
        taken.add(target.name.lower())
        result.saved.append(target)
    return result


@dataclass(frozen=True)
class LibraryView:
    summary: str
    rows: list[list]
    sources: list[str]
    empty: bool
    choices: list[tuple[str, str]] = field(default_factory=list)  # (title · file, source) for the pickers
    counts: dict[str, int] = field(default_factory=dict)  # documents per source type


COLUMNS = ["Title", "Source type", "Language", "Pages", "Passages", "Ingested", "File"]
_PAGES: dict[tuple[str, str], int | None] = {}  # (source, doc_hash) -> pages, so a refresh reads no chunk twice
_PAGES_LOCK = threading.Lock()


def _when(ts: float | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return time.strftime(fmt, time.localtime(ts)) if ts else "never"


def page_count(index, source: str, doc_hash: str) -> int | None:
    """The last page any passage of the document lies on (None for a document without pages)."""
    key = (source, doc_hash)
    with _PAGES_LOCK:
        if key in _PAGES:
            return _PAGES[key]
    pages = [p for c in index.iter_chunks(source) for p in (c.page, *(b[1] for b in c.page_breaks)) if p]
    with _PAGES_LOCK:
        _PAGES[key] = max(pages) if pages else None
    return _PAGES[key]


def doc_label(title: str, source: str) -> str:
    """How a person picks a document: its title, with the file to tell two of a title apart."""
    return f"{title} · {Path(source).name}" if title and title != source else source


def library_view(index) -> LibraryView:
    from ui.web.render import library_summary_md, source_type_label

    docs = sorted(index.documents(), key=lambda d: (d.title or d.source).lower())
    status = index.status()
    by_type = Counter(d.source_type for d in docs)
    rows = [[d.title or d.source, source_type_label(d.source_type), d.language or "?",
             page_count(index, d.source, d.doc_hash) or "–", d.n_chunks, _when(d.ingested_at, "%Y-%m-%d"), d.source]
            for d in docs]
    summary = library_summary_md(status, dict(by_type), _when(status.last_ingest))
    return LibraryView(summary, rows, [d.source for d in docs], status.chunks == 0,
                       [(doc_label(d.title, d.source), d.source) for d in docs], dict(by_type))


def remove_document(index, settings, source: str) -> str:
    """Drop a document from the index; an uploaded file is deleted too so it does not come back."""
    docs = {d.source: d for d in index.documents()}
    if source not in docs:
        raise LookupError(f"{source} is not in the library (it may have been removed already); refresh the list")
    n = index.remove_document(source)
    up = uploads_dir(settings).resolve()
    rec = docs[source]
    note = ""
    if rec.root and Path(rec.root).resolve() == up:
        f = (up / Path(source).name).resolve()
        if f.parent == up and f.is_file():
            f.unlink()
            note = " The uploaded file was deleted."
        forget(up, f.name)
    else:
        note = " Its file is still on the server: the next `lexcite ingest` of that folder adds it back."
    log.info("removed %s (%d passages)", source, n)
    return f"Removed **{rec.title or source}** ({n} passages).{note}"
