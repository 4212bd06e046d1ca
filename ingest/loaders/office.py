"""DOCX via python-docx: paragraphs in order, heading styles as headings, tables as `cell | cell` lines."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.loaders._text import Extracted, TextBuilder, inline
from lexcite.errors import LoaderError

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)

# Zip-bomb guard, checked on the sizes the archive declares BEFORE anything is decompressed (reading a
# member never yields more than its declared size, so the declaration bounds the work). Real .docx
# files: document.xml of a few MB, a compression ratio of 5-30, a few dozen parts.
MAX_PART_MB = 100  # one part, uncompressed
MAX_TOTAL_MB = 300  # all parts, uncompressed
MAX_RATIO = 200  # uncompressed/compressed, checked for parts over RATIO_FROM_MB
RATIO_FROM_MB = 5
MAX_PARTS = 5000


def read_docx(data: bytes, source: str) -> Extracted:
    if not data.startswith(b"PK"):
        raise LoaderError(source, "is not a Word .docx file (it is not a zip package); if it is an old .doc "
                                  "or another format, open it and save it as .docx or PDF")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            _refuse_bombs(z.infolist(), source)
            bad = z.testzip()
            body = z.read("word/document.xml") if bad is None and "word/document.xml" in names else b""
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise LoaderError(source, "is a damaged .docx (its zip archive is corrupt or truncated); "
                                  "open it in Word or LibreOffice and save it again") from None
    if bad is not None:
        raise LoaderError(source, f"is a damaged .docx (part {bad} is corrupt); open it in Word or LibreOffice "
                                  "and save it again")
    if "word/document.xml" not in names:
        raise LoaderError(source, "is a zip archive but not a Word document (no word/document.xml); "
                                  "unpack it or give the real .docx file")
    if b"<!ENTITY" in body or b"<!DOCTYPE" in body:  # Word never writes a DTD; entities can expand a billion-fold
        raise LoaderError(source, "is a suspicious .docx: its document.xml declares XML entities, which Word never "
                                  "writes (it may be an entity-expansion bomb); open it in Word and save it again")
    import docx
    from docx.table import Table

    d = docx.Document(io.BytesIO(data))
    b = TextBuilder()
    title = d.core_properties.title or ""
    for item in d.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat: keep each text once per row
                    text = inline(cell.text)
                    if text and text not in cells:
                        cells.append(text)
                b.block(" | ".join(cells))
            continue
        style = (item.style.name if item.style is not None else "") or ""
        m = _HEADING_STYLE.match(style)
        if style.lower() == "title" or m:
            level = int(m.group(1)) if m else 0
            b.heading(item.text, level)
            if not title and level <= 1:
                title = item.text
        else:
            b.block(item.text)
    return b.build(title)


def _refuse_bombs(infos: list[zipfile.ZipInfo], source: str) -> None:
    """LoaderError when the declared sizes say the package would expand to far more than a document."""
    fix = "it may be a zip bomb; open it in Word or LibreOffice and save it again, or remove it"
    if len(infos) > MAX_PARTS:
        raise LoaderError(source, f"is a suspicious .docx: {len(infos)} parts (over {MAX_PARTS}); {fix}")
    mb = 1024 * 1024
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_MB * mb:
            raise LoaderError(source, f"is a suspicious .docx: part {info.filename} would expand to "
                                      f"{info.file_size / mb:,.0f} MB (over {MAX_PART_MB} MB); {fix}")
        if info.file_size > RATIO_FROM_MB * mb and ratio > MAX_RATIO:
            raise LoaderError(source, f"is a suspicious .docx: part {info.filename} is compressed {ratio:,.0f}:1 "
                                      f"(over {MAX_RATIO}:1); {fix}")
    if total > MAX_TOTAL_MB * mb:
        raise LoaderError(source, f"is a suspicious .docx: its parts would expand to {total / mb:,.0f} MB "
                                  f"(over {MAX_TOTAL_MB} MB); {fix}")
