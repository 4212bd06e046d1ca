"""Character-span precision and recall of the cited quotes against the evidence, as LegalBench-RAG scores
retrieval (Pipitone & Alami 2024): characters, not passages, are the unit.

Inputs: the cited quotes' [start, end) document offsets (`Span`s, one per citation) and, per expected
evidence, its occurrences in the document's extracted text (`DocumentTexts.locate`, or `find_normalised`
when the evidence is verbatim only after normalisation). For each evidence the occurrence the citations
overlap most is the one scored (the same words may stand in a recital and in an article).

- precision: |cited chars ∩ evidence chars| / |cited chars|; NaN when nothing is cited;
- recall: |cited chars ∩ evidence chars| / |evidence chars|; 0 when nothing is cited.
Chars are counted once however many quotes or evidence spans cover them; spans of another source never
overlap. An item without expected evidence has no span score (calling with none is an error).
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from eval.evidence import Span
from eval.metrics.common import MetricInputError


def _chars(spans: Iterable[Span]) -> set[tuple[str, int]]:
    return {(s.source, i) for s in spans for i in range(s.start, s.end)}


def _chosen(cited_chars: set[tuple[str, int]], evidence: Sequence[Sequence[Span]]) -> set[tuple[str, int]]:
    chars: set[tuple[str, int]] = set()
    for occurrences in evidence:
        best = max(occurrences, key=lambda s: len(_chars([s]) & cited_chars))
        chars |= _chars([best])
    return chars


def _check(cited: Sequence[Span], evidence: Sequence[Sequence[Span]], metric: str) -> None:
    if cited is None:
        raise MetricInputError(f"{metric} needs the cited quotes' spans (an empty list when nothing is cited)")
    if not evidence:
        raise MetricInputError(f"{metric} needs the expected evidence spans; this item has none "
                               "(unanswerable items get refusal metrics instead)")
    if any(isinstance(occ, Span) or not occ or not all(isinstance(s, Span) for s in occ) for occ in evidence):
        raise MetricInputError(f"{metric}: give each evidence as a non-empty sequence of Span occurrences")


def span_precision(cited: Sequence[Span], evidence: Sequence[Sequence[Span]]) -> float:
    _check(cited, evidence, "character-span precision")
    cited_chars = _chars(cited)
    if not cited_chars:
        return math.nan
    return len(cited_chars & _chosen(cited_chars, evidence)) / len(cited_chars)


def span_recall(cited: Sequence[Span], evidence: Sequence[Sequence[Span]]) -> float:
    _check(cited, evidence, "character-span recall")
    cited_chars = _chars(cited)
    expected = _chosen(cited_chars, evidence)
    return len(cited_chars & expected) / len(expected)
