"""Refusal precision and recall: "refused" (status insufficient_evidence) is the positive class.

- precision: of the questions refused, the fraction the golden set marks unanswerable;
  NaN when nothing was refused.
- recall: of the unanswerable questions, the fraction refused; NaN when none is unanswerable.
- false refusal rate: of the answerable questions, the fraction refused; NaN when none is answerable;
- false refusals: how many answerable questions were refused (a count; NaN when none is answerable).
Inputs: `unanswerable[i]` from the golden set and `refused[i]` from the answer, same length.
"""

from __future__ import annotations

import math
from typing import Sequence

from eval.metrics.common import MetricInputError


def _check(unanswerable: Sequence[bool], refused: Sequence[bool]) -> None:
    if len(unanswerable) != len(refused):
        raise MetricInputError(f"refusal metrics need one refused flag per golden item: "
                               f"{len(unanswerable)} items, {len(refused)} flags")


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def refusal_precision(unanswerable: Sequence[bool], refused: Sequence[bool]) -> float:
    _check(unanswerable, refused)
    return _ratio(sum(u and r for u, r in zip(unanswerable, refused)), sum(refused))


def refusal_recall(unanswerable: Sequence[bool], refused: Sequence[bool]) -> float:
    _check(unanswerable, refused)
    return _ratio(sum(u and r for u, r in zip(unanswerable, refused)), sum(unanswerable))


def false_refusal_rate(unanswerable: Sequence[bool], refused: Sequence[bool]) -> float:
    _check(unanswerable, refused)
    return _ratio(sum((not u) and r for u, r in zip(unanswerable, refused)), sum(not u for u in unanswerable))


def false_refusals(unanswerable: Sequence[bool], refused: Sequence[bool]) -> float:
    """How many answerable questions were refused (a count, for a gate such as "at most one")."""
    _check(unanswerable, refused)
    if all(unanswerable):
        return math.nan
    return float(sum((not u) and r for u, r in zip(unanswerable, refused)))
