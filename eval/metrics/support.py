"""Sentence support rate: the fraction of answer sentences the verifier found supported.

Input: one verdict per sentence (True/False) over the answers being scored. NaN when there are no
sentences (nothing was answered), so a system that refuses everything does not score 1.0.
"""

from __future__ import annotations

import math
from typing import Sequence

from eval.metrics.common import MetricInputError


def support_rate(verdicts: Sequence[bool]) -> float:
    if any(not isinstance(v, bool) for v in verdicts):
        raise MetricInputError("support rate needs a True/False verifier verdict for every sentence; "
                               "got " + ", ".join(sorted({type(v).__name__ for v in verdicts})))
    if not verdicts:
        return math.nan
    return sum(verdicts) / len(verdicts)
