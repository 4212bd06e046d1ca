"""Binary classification metrics: precision, recall and F1 per class, macro-F1, accuracy.

Inputs are explicit parallel sequences of gold and predicted labels (strings or bools). A metric
that is undefined is NaN, never 0: precision when nothing was predicted as the class, recall when
no gold item has it, F1 (= 2tp / (2tp + fp + fn)) when neither; macro-F1 averages the defined
per-class F1 values and is NaN when none is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Hashable, Sequence

from eval.metrics.common import MetricInputError, mean_defined


@dataclass(frozen=True)
class ClassScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # gold items of this class
    predicted: int  # items predicted as this class


@dataclass(frozen=True)
class ClassificationReport:
    classes: tuple[ClassScores, ...]
    macro_f1: float
    accuracy: float
    n: int

    def by_label(self, label: Hashable) -> ClassScores:
        for c in self.classes:
            if c.label == str(label):
                return c
        raise KeyError(label)

    def to_dict(self) -> dict:
        return {"n": self.n, "accuracy": self.accuracy, "macro_f1": self.macro_f1,
                "classes": {c.label: asdict(c) for c in self.classes}}

    def table(self) -> str:
        lines = [f"{'class':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
        for c in self.classes:
            lines.append(f"{c.label:<14}{c.precision:>10.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.support:>9d}")
        lines.append(f"{'macro-F1':<14}{self.macro_f1:>42.3f}")
        lines.append(f"{'accuracy':<14}{self.accuracy:>42.3f}")
        return "\n".join(lines)


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def precision_recall_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable], positive: Hashable) -> tuple[float, float, float]:
    """Precision, recall and F1 of class `positive`; NaN where a denominator is zero."""
    _check(gold, predicted)
    tp = sum(1 for g, p in zip(gold, predicted) if g == positive and p == positive)
    pred_pos = sum(1 for p in predicted if p == positive)
    gold_pos = sum(1 for g in gold if g == positive)
    precision, recall = _ratio(tp, pred_pos), _ratio(tp, gold_pos)
    # F1 = 2tp / (2tp + fp + fn): undefined only when the class is neither in gold nor predicted
    return precision, recall, _ratio(2 * tp, pred_pos + gold_pos)


def classification_report(gold: Sequence[Hashable], predicted: Sequence[Hashable],
                          labels: Sequence[Hashable] | None = None) -> ClassificationReport:
    """Per-class precision/recall/F1 (classes = `labels`, or those seen in gold and predicted)."""
    _check(gold, predicted)
    labels = list(labels) if labels is not None else sorted({*gold, *predicted}, key=str)
    classes = []
    for label in labels:
        p, r, f = precision_recall_f1(gold, predicted, label)
        classes.append(ClassScores(str(label), p, r, f, sum(g == label for g in gold),
                                   sum(q == label for q in predicted)))
    accuracy = _ratio(sum(g == p for g, p in zip(gold, predicted)), len(gold))
    return ClassificationReport(tuple(classes), mean_defined(c.f1 for c in classes), accuracy, len(gold))


def _check(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> None:
    if gold is None:
        raise MetricInputError("classification metrics need the gold labels (`gold`)")
    if predicted is None:
        raise MetricInputError("classification metrics need the predicted labels (`predicted`)")
    if len(gold) != len(predicted):
        raise MetricInputError(f"gold has {len(gold)} labels but predicted has {len(predicted)}; "
                               "pass one prediction per gold item")
