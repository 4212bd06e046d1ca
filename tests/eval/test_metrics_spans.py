"""Character-span precision and recall of cited quotes against the evidence (LegalBench-RAG's definition)."""

import math

import pytest

from eval.evidence import Span
from eval.metrics.common import MetricInputError
from eval.metrics.spans import span_precision, span_recall

pytestmark = pytest.mark.unit

S = "docs/a.md"


def test_chars_of_the_quotes_inside_the_evidence_over_the_quotes_and_over_the_evidence():
    evidence = [[Span(S, 100, 120)]]
    cited = [Span(S, 90, 110), Span(S, 105, 115)]  # 25 chars cited (overlap counted once), 15 inside the evidence
    assert span_precision(cited, evidence) == pytest.approx(15 / 25)
    assert span_recall(cited, evidence) == pytest.approx(15 / 20)


def test_a_quote_holding_the_whole_evidence_has_full_recall_and_precision_by_its_length():
    evidence = [[Span(S, 10, 30)]]
    assert span_recall([Span(S, 0, 100)], evidence) == 1.0
    assert span_precision([Span(S, 0, 100)], evidence) == pytest.approx(0.2)


def test_the_occurrence_the_quotes_cover_is_the_one_scored_and_another_source_never_overlaps():
    evidence = [[Span(S, 0, 10), Span(S, 50, 60)]]  # the same words in a recital and in an article
    assert span_recall([Span(S, 50, 60)], evidence) == 1.0
    assert span_recall([Span("docs/b.md", 50, 60)], evidence) == 0.0


def test_nothing_cited_is_zero_recall_and_undefined_precision():
    evidence = [[Span(S, 0, 10)]]
    assert span_recall([], evidence) == 0.0
    assert math.isnan(span_precision([], evidence))


@pytest.mark.parametrize("cited, evidence, message", [
    (None, [[Span(S, 0, 1)]], "needs the cited quotes"),
    ([], [], "needs the expected evidence"),
    ([], [Span(S, 0, 1)], "sequence of Span occurrences"),
    ([], [[]], "non-empty sequence"),
])
def test_a_missing_input_is_a_clear_error(cited, evidence, message):
    with pytest.raises(MetricInputError, match=message):
        span_recall(cited, evidence)
