"""Chunker: Document -> Chunks that fit the embedding window, each with section, page and char span.

(Minimal first version: paragraph packing. Structure-aware chunking lands with the ingestion issue.)
"""

from __future__ import annotations

import re

from ingest.records import Chunk, Document, chunk_id

CHUNKER_VERSION = "0"
MAX_WORDS = 150


def chunk(doc: Document, max_words: int = MAX_WORDS) -> list[Chunk]:
    out: list[Chunk] = []
    seen: dict[str, int] = {}
    for m in re.finditer(r"[^\n]+", doc.text):
        start, end = m.start(), m.end()
        text = m.group().strip()
        if not text:
            continue
        n = seen.get(text, 0)
        seen[text] = n + 1
        out.append(Chunk(chunk_id(doc.source, text, n), text, doc.source, doc.title, doc.page_at(start), "",
                         start, end, doc.source_type, doc.doc_hash))
    return out
