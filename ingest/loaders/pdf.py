"""PDF via pypdf: text per page, 1-based page spans in the joined text; encrypted/scanned/broken files
become one-line LoaderErrors."""

from __future__ import annotations

import io
import logging
import warnings

from ingest.loaders._text import Extracted, TextBuilder, inline
from lexcite.errors import LoaderError

log = logging.getLogger(__name__)
_DEFAULT_TITLES = ("untitled", "microsoft word", "document", "title")


def read_pdf(data: bytes, source: str) -> Extracted:
    if b"%PDF-" not in data[:1024]:
        raise LoaderError(source, "is not a PDF (it does not start with %PDF-); "
                                  "rename it to its real extension or export it to PDF again")
    if b"%%EOF" not in data[-4096:]:
        raise LoaderError(source, "is a truncated PDF (no end-of-file marker); download or export it again")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only files open with an empty password
            except (DependencyError, NotImplementedError, FileNotDecryptedError, ValueError):
                opened = 0
            if not opened:
                raise LoaderError(source, "is encrypted with a password; save an unencrypted copy "
                                          "(print to PDF or remove the password) and ingest that")
        b = TextBuilder()
        pages = reader.pages
        for number, page in enumerate(pages, start=1):
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # one bad page must not lose the others
                log.warning("%s: page %d could not be read (%s); skipped", source, number, exc)
                text = ""
            b.page(number, text)
        title = _title(reader)
    out = b.build(title)
    if not pages:
        raise LoaderError(source, "is a damaged PDF (no readable pages); download or export it again")
    if not out.text.strip():
        raise LoaderError(source, f"has no extractable text ({len(pages)} page(s), probably scanned images); "
                                  "OCR it first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy")
    return out


def _title(reader) -> str:
    try:
        title = inline(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:
        return ""
    return "" if title.lower().startswith(_DEFAULT_TITLES) else title
