"""Verbatim quotes: every citation quote must be an exact slice of the text it claims to quote.

Input per citation: the quote, its [start, end) document offsets, and what it can be checked against —
the cited chunk's text and start offset, and the document's extracted text when it is at hand (None when
not). A quote is a violation when it is empty, or differs from `chunk_text[start - chunk_start :
end - chunk_start]`, or differs from `document_text[start:end]`. Without the chunk, the quote must at
least lie in the passage the citation shows. The metric is the count of violations (0 when nothing is
cited: no quote, no violation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from eval.metrics.common import MetricInputError


@dataclass(frozen=True)
class QuotedCitation:
    quote: str
    start: int
    end: int
    chunk_text: str | None = None  # the indexed chunk the citation points at
    chunk_start: int | None = None
    passage: str = ""  # the chunk text the citation carries (Citation.passage)
    document_text: str | None = None


def violation(c: QuotedCitation) -> str:
    """Why the quote is not verbatim ("" when it is)."""
    if not c.quote:
        return "empty quote"
    if c.end - c.start != len(c.quote):
        return f"span {c.start}:{c.end} is {c.end - c.start} chars but the quote has {len(c.quote)}"
    if c.chunk_text is not None and c.chunk_start is not None:
        if c.chunk_text[c.start - c.chunk_start:c.end - c.chunk_start] != c.quote or c.start < c.chunk_start:
            return "not the chunk's text at its offsets"
    elif c.quote not in c.passage:
        return "not in the cited passage"
    if c.document_text is not None and c.document_text[c.start:c.end] != c.quote:
        return "not the document's text at its offsets"
    return ""


def non_verbatim_quotes(citations: Sequence[QuotedCitation]) -> int:
    if citations is None:
        raise MetricInputError("non-verbatim quotes needs the citations (an empty list when nothing is cited)")
    if any(not isinstance(c, QuotedCitation) for c in citations):
        raise MetricInputError("non-verbatim quotes: give each citation as a QuotedCitation (quote, offsets, texts)")
    return sum(1 for c in citations if violation(c))
