"""DOCX via python-docx: paragraphs in order, heading styles as headings, tables as `cell | cell` lines."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.loaders._text import Extracted, TextBuilder, inline
from lexcite.errors import LoaderError

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def read_docx(data: bytes, source: str) -> Extracted:
    if not data.startswith(b"PK"):
        raise LoaderError(source, "is not a Word .docx file (it is not a zip package); if it is an old .doc "
                                  "or another format, open it and save it as .docx or PDF")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            bad = z.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise LoaderError(source, "is a damaged .docx (its zip archive is corrupt or truncated); "
                                  "open it in Word or LibreOffice and save it again") from None
    if bad is not None:
        raise LoaderError(source, f"is a damaged .docx (part {bad} is corrupt); open it in Word or LibreOffice "
                                  "and save it again")
    if "word/document.xml" not in names:
        raise LoaderError(source, "is a zip archive but not a Word document (no word/document.xml); "
                                  "unpack it or give the real .docx file")
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
