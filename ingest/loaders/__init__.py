"""Loaders: one file -> one `Document` (extracted text, pages, headings). Unreadable files raise
`LoaderError(source, reason)` with one line a person can act on; no library exception escapes.

    from ingest import loaders
    doc = loaders.load(path, "corpus/un-protocol.pdf", {"title": "...", "source_type": "primary_law"})

All char offsets (pages, headings, later chunks and citations) refer to `Document.text`, which the
format readers build with normalised whitespace (lines stripped, one blank line between blocks).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Callable, Mapping

from ingest.loaders._text import Extracted
from ingest.loaders.html import read_html
from ingest.loaders.office import read_docx
from ingest.loaders.pdf import read_pdf
from ingest.loaders.text import read_markdown, read_text
from ingest.records import SOURCE_TYPES, Document
from lexcite.errors import LoaderError

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], Extracted]
READERS: dict[str, tuple[str, Reader]] = {
    ".pdf": ("PDF", read_pdf),
    ".html": ("HTML", read_html),
    ".htm": ("HTML", read_html),
    ".xhtml": ("HTML", read_html),
    ".docx": ("Word .docx", read_docx),
    ".md": ("Markdown", read_markdown),
    ".markdown": ("Markdown", read_markdown),
    ".txt": ("text", read_text),
    ".text": ("text", read_text),
}
SUPPORTED = set(READERS)
LOADER_VERSION = "3"  # 2: running headers/footers, page labels, text repair, repeated notes; 3: text drawn twice  # bump when extracted text changes for the same bytes (re-ingests everything)

__all__ = ["LOADER_VERSION", "SUPPORTED", "LoaderError", "check_size", "file_hash", "load"]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_size(path: Path, source: str, max_mb: float) -> None:
    """Raise LoaderError when `path` is larger than `max_mb` (settings.max_file_mb)."""
    size_mb = Path(path).stat().st_size / 1_000_000
    if size_mb > max_mb:
        raise LoaderError(source, f"is {size_mb:.1f} MB, over the {max_mb:g} MB limit; split it or raise "
                                  "LEXCITE_MAX_FILE_MB")


def load(path: Path, source: str, meta: Mapping[str, str] | None = None) -> Document:
    """Read `path` into a Document named `source`. `meta` (from the manifest) may set title,
    source_type and language; an empty title means: use the document's own title, else the file name."""
    meta = dict(meta or {})
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise LoaderError(source, f"has an unsupported extension {suffix or '(none)'}; "
                                  f"supported: {', '.join(sorted(SUPPORTED))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(source, f"cannot be read ({exc.strerror or exc}); check that it exists and "
                                  "is readable") from None
    if not data.strip():
        raise LoaderError(source, "is empty; replace it with a copy that has text, or remove it")
    kind, reader = READERS[suffix]
    try:
        extracted = reader(data, source)
    except LoaderError:
        raise
    except RecursionError:
        raise LoaderError(source, f"is nested too deeply to read as {kind}; export it again") from None
    except Exception as exc:  # a library failed on a malformed file: one line, no traceback
        log.debug("%s: %s reader failed", source, kind, exc_info=True)
        detail = _one_line(f"{type(exc).__name__}: {exc}")
        raise LoaderError(source, f"could not be read as {kind} ({detail}); the file is probably damaged "
                                  f"or not really {kind} — open and re-save it, or remove it") from None
    if not extracted.text.strip():
        raise LoaderError(source, f"has no readable text (the {kind} holds only markup, scripts, "
                                  "navigation or images); check that it is the right file")
    source_type = meta.get("source_type") or "secondary"
    if source_type not in SOURCE_TYPES:
        raise LoaderError(source, f"has unknown source_type {source_type!r}; use one of {', '.join(SOURCE_TYPES)}")
    language = meta.get("language") or "en"
    title = (meta.get("title") or _own_language(extracted.title, language) or _heading_title(extracted, language)
             or extracted.title or _title_from_name(path))
    extras = tuple(sorted((k, str(v)) for k, v in meta.items() if k not in ("title", "source_type", "language")))
    return Document(
        source=source,
        title=title,
        text=extracted.text,
        doc_hash=file_hash(data),
        source_type=source_type,
        language=language,
        pages=extracted.pages,
        headings=extracted.headings,
        metadata=extras,
        removed=extracted.removed,
        regions=extracted.regions,
    )


def _own_language(title: str, language: str) -> str:
    """The file's own title (HTML <title>, PDF metadata) unless it is surely in another language than the
    document: a bilingual file's page title may be the translation's, and its headings name it in both."""
    from ingest.language import detect

    return title if title and detect(title) in ("", language) else ""


def _heading_title(extracted: Extracted, language: str) -> str:
    """The first heading in the document's language (a bilingual file may open with a translated title)."""
    from ingest.language import detect

    for h in extracted.headings[:8]:
        if len(h.text.split()) >= 3 and detect(h.text) in ("", language):
            return h.text
    return ""


def _title_from_name(path: Path) -> str:
    # a file name that is not UTF-8 holds surrogate escapes, which no store can encode: show them as U+FFFD
    stem, name = (s.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for s in (path.stem, path.name))
    return re.sub(r"[-_]+", " ", stem).strip() or name


def _one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
