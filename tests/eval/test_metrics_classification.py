"""Classification metrics on cases computed by hand."""

from __future__ import annotations

import math

import pytest

from eval.metrics.classification import classification_report, precision_recall_f1
from eval.metrics.common import MetricInputError

pytestmark = pytest.mark.unit

S, U = "supported", "unsupported"


def test_precision_recall_f1_on_a_hand_computed_case():
    gold = [S, S, S, U, U]
    pred = [S, S, U, S, U]
    # supported: tp=2, predicted 3, gold 3 -> p=r=2/3; unsupported: tp=1, predicted 2, gold 2 -> p=r=1/2
    p, r, f = precision_recall_f1(gold, pred, S)
    assert (p, r, f) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    rep = classification_report(gold, pred, labels=[S, U])
    assert rep.by_label(U).f1 == pytest.approx(0.5)
    assert rep.macro_f1 == pytest.approx((2 / 3 + 0.5) / 2)
    assert rep.accuracy == pytest.approx(3 / 5)
    assert rep.by_label(S).support == 3 and rep.by_label(S).predicted == 3


def test_a_class_never_predicted_has_nan_precision_but_zero_f1():
    gold = [S, U, U]
    pred = [U, U, U]
    p, r, f = precision_recall_f1(gold, pred, S)
    assert math.isnan(p) and r == 0.0 and f == 0.0
    rep = classification_report(gold, pred, labels=[S, U])
    # unsupported: p=2/3, r=1 -> F1 0.8; supported F1 0 -> macro 0.4 (a one-class guesser scores low)
    assert rep.macro_f1 == pytest.approx(0.4)


def test_a_class_absent_from_gold_and_predictions_is_nan_and_left_out_of_macro_f1():
    rep = classification_report([U, U, S], [U, U, S], labels=[S, U, "other"])
    other = rep.by_label("other")
    assert math.isnan(other.precision) and math.isnan(other.recall) and math.isnan(other.f1)
    assert rep.macro_f1 == pytest.approx(1.0)


def test_no_items_at_all_is_undefined():
    rep = classification_report([], [], labels=[S, U])
    assert math.isnan(rep.macro_f1) and math.isnan(rep.accuracy)


def test_all_wrong_gives_zero_f1_not_nan():
    p, r, f = precision_recall_f1([S, U], [U, S], S)
    assert (p, r, f) == (0.0, 0.0, 0.0)


def test_mismatched_or_missing_inputs_say_what_to_pass():
    with pytest.raises(MetricInputError, match="one prediction per gold item"):
        classification_report([S, U], [S])
    with pytest.raises(MetricInputError, match="gold"):
        precision_recall_f1(None, [S], S)
