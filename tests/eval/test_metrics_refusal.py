"""Refusal precision, recall and false refusal rate ("refused" is the positive class)."""

import math

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.refusal import false_refusal_rate, refusal_precision, refusal_recall

pytestmark = pytest.mark.unit

UNANSWERABLE = [True, True, False, False, False]
REFUSED = [True, False, True, False, False]


def test_refusal_scores_on_a_hand_computed_case():
    assert refusal_precision(UNANSWERABLE, REFUSED) == 0.5  # 2 refused, 1 of them unanswerable
    assert refusal_recall(UNANSWERABLE, REFUSED) == 0.5  # 2 unanswerable, 1 refused
    assert false_refusal_rate(UNANSWERABLE, REFUSED) == pytest.approx(1 / 3)  # 3 answerable, 1 refused


def test_an_assistant_that_answers_everything_has_zero_recall_and_undefined_precision():
    never = [False] * 5
    assert refusal_recall(UNANSWERABLE, never) == 0.0
    assert math.isnan(refusal_precision(UNANSWERABLE, never))


def test_a_golden_set_without_unanswerables_leaves_recall_undefined():
    assert math.isnan(refusal_recall([False, False], [True, False]))
    assert math.isnan(false_refusal_rate([True], [True]))


def test_mismatched_inputs_are_an_error():
    with pytest.raises(MetricInputError, match="one refused flag per golden item"):
        refusal_recall([True, False], [True])
