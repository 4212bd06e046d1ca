"""Loaders: one file -> one Document (extracted text, pages, headings). Raise LoaderError when unreadable.

(Minimal first version: plain text and Markdown. PDF/HTML/DOCX land with the ingestion issue.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.records import Document
from lexcite.errors import LoaderError

SUPPORTED = {".txt", ".md", ".markdown"}


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(path: Path, source: str, meta: dict | None = None) -> Document:
    meta = meta or {}
    data = path.read_bytes()
    if not data.strip():
        raise LoaderError(source, "the file is empty; replace it with a copy that has text, or remove it")
    text = data.decode("utf-8", errors="replace")
    return Document(
        source=source, title=meta.get("title") or path.stem.replace("-", " ").replace("_", " "), text=text,
        doc_hash=file_hash(data), source_type=meta.get("source_type", "secondary"), language=meta.get("language", "en"),
    )
