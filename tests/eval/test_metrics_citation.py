"""Citation precision and recall on hand-computed spans."""

import math

import pytest

from eval.evidence import Span
from eval.metrics.citation import citation_precision, citation_recall
from eval.metrics.common import MetricInputError, mean_defined

pytestmark = pytest.mark.unit

E1 = (Span("d", 100, 200),)  # 100 chars
E2 = (Span("d", 500, 540),)  # 40 chars
P1 = Span("d", 90, 160)  # holds 60 of E1's 100 chars -> contains E1
P2 = Span("d", 300, 400)  # touches no evidence
P3 = Span("d", 520, 600)  # holds 20 of E2's 40 chars: exactly half -> contains E2


def test_precision_counts_cited_passages_that_contain_some_evidence():
    assert citation_precision([P1, P2, P3], [E1, E2]) == pytest.approx(2 / 3)


def test_recall_counts_evidence_covered_by_the_citations():
    assert citation_recall([P1, P2, P3], [E1, E2]) == 1.0
    assert citation_recall([P1, P2], [E1, E2]) == 0.5
    assert citation_recall([P2], [E1, E2]) == 0.0


def test_a_passage_holding_less_than_half_the_quote_does_not_contain_it():
    thin = Span("d", 170, 400)  # 30 of E1's 100 chars, and E1 is the shorter one
    assert citation_precision([thin], [E1]) == 0.0
    assert citation_recall([thin], [E1]) == 0.0


def test_the_same_offsets_in_another_document_are_not_evidence():
    assert citation_precision([Span("other", 90, 160)], [E1]) == 0.0


def test_a_quote_split_over_two_cited_passages_is_covered_by_their_union():
    long = (Span("d", 0, 100),)
    assert citation_recall([Span("d", 0, 30)], [long]) == 0.0
    assert citation_recall([Span("d", 0, 30), Span("d", 30, 60)], [long]) == 1.0


def test_any_occurrence_of_a_repeated_quote_counts():
    twice = (Span("d", 0, 10), Span("d", 1000, 1010))
    assert citation_precision([Span("d", 995, 1100)], [twice]) == 1.0


def test_nothing_cited_leaves_precision_undefined_and_recall_zero():
    assert math.isnan(citation_precision([], [E1]))
    assert citation_recall([], [E1]) == 0.0


def test_missing_evidence_is_an_error_not_a_score():
    with pytest.raises(MetricInputError, match="expected evidence"):
        citation_precision([P1], [])
    with pytest.raises(MetricInputError, match="expected evidence"):
        citation_recall([P1], [])


def test_the_mean_ignores_undefined_items_and_is_undefined_when_all_are():
    assert mean_defined([1.0, math.nan, 0.0]) == 0.5
    assert math.isnan(mean_defined([math.nan]))
    assert math.isnan(mean_defined([]))


def test_evidence_must_be_given_as_located_occurrences():
    with pytest.raises(MetricInputError, match="occurrences"):
        citation_recall([P1], [Span("d", 100, 200)])
