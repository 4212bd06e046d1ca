"""Latency percentiles (milliseconds) with linear interpolation between closest ranks.

Input: one total time per answer (`Answer.timings_ms["total"]`). NaN when there are none.
"""

from __future__ import annotations

import math
from typing import Sequence

from eval.metrics.common import MetricInputError


def percentile(values_ms: Sequence[float], q: float) -> float:
    if not 0 <= q <= 100:
        raise MetricInputError(f"percentile q must be within 0..100, got {q}")
    vals = sorted(float(v) for v in values_ms)
    if any(math.isnan(v) or v < 0 for v in vals):
        raise MetricInputError("latency values must be non-negative milliseconds; a timing is missing or negative")
    if not vals:
        return math.nan
    pos = (len(vals) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
