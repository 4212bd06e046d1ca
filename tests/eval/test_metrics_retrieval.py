"""Ranking metrics on hand-computed cases: a maintainer can check every number with a pencil."""

import math

import pytest

from eval.metrics.retrieval import evaluate_run, hit_rate_at_k, mean, mrr_at_k, ndcg_at_k, recall_at_k

pytestmark = pytest.mark.unit


def test_ndcg_of_a_perfect_ranking_is_one():
    assert ndcg_at_k(["a", "b", "x"], {"a": 1, "b": 1}, 10) == pytest.approx(1.0)


def test_ndcg_hand_computed_with_a_miss_first():
    # relevant at ranks 2 and 3: DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 10) == pytest.approx(expected)


def test_ndcg_uses_graded_relevance_and_cuts_at_k():
    # k=1: only "b" (gain 1) is seen; the ideal first item has gain 2
    assert ndcg_at_k(["b", "a"], {"a": 2, "b": 1}, 1) == pytest.approx(0.5)


def test_ndcg_counts_a_repeated_id_once():
    assert ndcg_at_k(["a", "a"], {"a": 1, "b": 1}, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_is_the_share_of_relevant_found_within_k():
    assert recall_at_k(["a", "x", "b", "c"], {"a", "b", "c", "d"}, 3) == pytest.approx(0.5)


def test_mrr_is_one_over_the_first_relevant_rank_and_zero_beyond_k():
    assert mrr_at_k(["x", "y", "a"], {"a"}, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(["x", "y", "a"], {"a"}, 2) == 0.0


def test_hit_rate_says_whether_any_relevant_id_is_in_the_top_k():
    assert hit_rate_at_k(["x", "a"], {"a"}, 2) == 1.0
    assert hit_rate_at_k(["x", "a"], {"a"}, 1) == 0.0


@pytest.mark.parametrize("metric", [ndcg_at_k, recall_at_k, mrr_at_k, hit_rate_at_k])
def test_a_query_without_relevant_documents_is_nan_not_zero(metric):
    assert math.isnan(metric(["a"], {}, 10))
    assert math.isnan(metric(["a"], {"a": 0}, 10))  # relevance 0 is not relevant


@pytest.mark.parametrize("metric", [ndcg_at_k, recall_at_k, mrr_at_k, hit_rate_at_k])
def test_missing_inputs_raise_an_error_that_names_them(metric):
    with pytest.raises(ValueError, match="ranked"):
        metric(None, {"a"}, 10)
    with pytest.raises(ValueError, match="relevant"):
        metric(["a"], None, 10)
    with pytest.raises(ValueError, match="k must be"):
        metric(["a"], {"a"}, 0)


def test_mean_skips_undefined_queries_and_is_nan_when_none_is_defined():
    assert mean([1.0, math.nan, 0.0]) == pytest.approx(0.5)
    assert math.isnan(mean([]))


def test_evaluate_run_averages_over_judged_queries_and_counts_absent_ones_as_misses():
    run = {"q1": ["a", "b"], "q3": ["z"]}  # q3 is not judged; q2 is judged but absent
    qrels = {"q1": {"a": 1}, "q2": {"c": 1}}
    got = evaluate_run(run, qrels, ["mrr@10", "recall@1", "hit_rate@10"])
    assert got == {"mrr@10": pytest.approx(0.5), "recall@1": pytest.approx(0.5), "hit_rate@10": pytest.approx(0.5)}
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate_run(run, qrels, ["map@10"])
