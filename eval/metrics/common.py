"""What every metric module shares: the input error and the mean that ignores undefined values."""

from __future__ import annotations

import math
from typing import Iterable

from lexcite.errors import LexciteError


class MetricInputError(LexciteError, ValueError):
    """A metric was called without an input it needs (the message names it)."""


def mean_defined(values: Iterable[float]) -> float:
    """Mean of the values that are not NaN; NaN when none is defined (never 0)."""
    kept = [float(v) for v in values if not math.isnan(float(v))]
    return sum(kept) / len(kept) if kept else math.nan
