"""Citation precision and recall for one answer, from char spans.

- precision: the fraction of cited passages that contain some expected evidence
  (`eval.evidence.matches`); NaN when nothing is cited.
- recall: the fraction of expected evidence covered by the union of the cited passages
  (`eval.evidence.covers`); 0 when nothing is cited.
Both need the expected evidence: an item without any is unanswerable and has no citation score
(callers skip it; calling with none is an error).
"""

from __future__ import annotations

import math
from typing import Sequence

from eval.evidence import Span, covers, matches
from eval.metrics.common import MetricInputError

Occurrences = Sequence[Span]


def _need(evidence: Sequence[Occurrences], metric: str) -> None:
    if not evidence:
        raise MetricInputError(f"{metric} needs the expected evidence spans; this item has none "
                               "(unanswerable items get refusal metrics instead)")
    if any(isinstance(occ, Span) or not all(isinstance(s, Span) for s in occ) for occ in evidence):
        raise MetricInputError(f"{metric}: give each evidence as a sequence of Span occurrences "
                               "(eval.evidence.DocumentTexts.locate returns them)")
    if any(not occ for occ in evidence):
        raise MetricInputError(f"{metric}: an evidence entry has no located span; locate quotes first")


def citation_precision(cited: Sequence[Span], evidence: Sequence[Occurrences]) -> float:
    _need(evidence, "citation precision")
    if not cited:
        return math.nan
    good = sum(1 for p in cited if any(matches(p, occ) for occ in evidence))
    return good / len(cited)


def citation_recall(cited: Sequence[Span], evidence: Sequence[Occurrences]) -> float:
    _need(evidence, "citation recall")
    return sum(1 for occ in evidence if covers(cited, occ)) / len(evidence)
