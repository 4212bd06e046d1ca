"""Latency percentiles (linear interpolation between closest ranks)."""

import math

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.latency import percentile

pytestmark = pytest.mark.unit


def test_percentiles_interpolate_between_ranks():
    ms = [40.0, 10.0, 30.0, 20.0]
    assert percentile(ms, 50) == 25.0
    assert percentile(ms, 95) == pytest.approx(38.5)  # rank 2.85: 30 + 0.85 * 10
    assert percentile(ms, 0) == 10.0 and percentile(ms, 100) == 40.0
    assert percentile([7.0], 95) == 7.0


def test_no_timings_means_undefined():
    assert math.isnan(percentile([], 95))


def test_a_missing_or_negative_timing_is_an_error():
    with pytest.raises(MetricInputError, match="non-negative"):
        percentile([10.0, -1.0], 50)
    with pytest.raises(MetricInputError, match="non-negative"):
        percentile([10.0, math.nan], 50)
    with pytest.raises(MetricInputError, match="0..100"):
        percentile([10.0], 120)
