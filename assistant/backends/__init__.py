"""Answer backends: turn (question, numbered passages) into a cited draft.

Every backend satisfies `Backend`: `draft(question, passages) -> Draft`. The extractive backend
quotes passage sentences; LLM backends (assistant/llm.py) write prose with `[n]` markers. The
Assistant (assistant/service.py) verifies every draft sentence afterwards, whichever backend wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from assistant.records import Citation, Passage
from ingest.labels import quote_provision
from ingest.records import Chunk
from lexcite.registry import BACKENDS as REGISTRY

BACKENDS = REGISTRY.names  # the table: lexcite/registry.py; the builders: assistant/registry.py
LLM_BACKENDS = REGISTRY.llm_names()


@dataclass(frozen=True)
class DraftSentence:
    """One sentence of a draft answer and the citation numbers it carries (empty = uncited)."""

    text: str
    citations: tuple[int, ...]


@dataclass
class Draft:
    sentences: list[DraftSentence]
    citations: list[Citation]
    model: str = ""
    evidence: float = 0.0  # how well the best passage sentence matches the question (0..1)
    raw: str = ""  # the backend's raw output (LLM text), for debugging; never audited


class Backend(Protocol):
    name: str
    model: str

    def draft(self, question: str, passages: Sequence[Passage]) -> Draft: ...


def citation_for(n: int, chunk: Chunk, start: int, end: int) -> Citation:
    """A Citation quoting chunk.text[start:end] (offsets into the chunk), with document offsets. Its page is
    the page of the quote's first character, which may be a later page than the chunk's start."""
    page, label = chunk.page_at(chunk.start + start)
    return Citation(
        n=n, chunk_id=chunk.id, source=chunk.source, title=chunk.title, page=page,
        section=chunk.section, quote=chunk.text[start:end], start=chunk.start + start,
        end=chunk.start + end, source_type=chunk.source_type, passage=chunk.text, page_label=label,
        provision=quote_provision(chunk.section, chunk.text, start),
    )


def passage_citation(n: int, chunk: Chunk) -> Citation:
    return citation_for(n, chunk, 0, len(chunk.text))
