"""Sentence support rate."""

import math

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.support import support_rate

pytestmark = pytest.mark.unit


def test_support_rate_is_the_share_of_supported_sentences():
    assert support_rate([True, True, False]) == pytest.approx(2 / 3)
    assert support_rate([False]) == 0.0


def test_no_sentences_means_undefined_not_perfect():
    assert math.isnan(support_rate([]))


def test_a_missing_verdict_is_an_error():
    with pytest.raises(MetricInputError, match="verdict"):
        support_rate([True, None])
