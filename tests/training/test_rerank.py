"""Training a reranker: queries split so no reported figure comes from a query trained on or used for a
choice, hard negatives from the retriever's own list, groups that keep the positive first, and a fused
order that moves only what the reranker is sure of."""

from __future__ import annotations

import pytest

from training.grounding_data import is_heldout
from training.rerank import Candidate, Query, group_order, query_groups, reranked, split_of, training_pairs


def _query(qid: str, relevant: tuple[str, ...] = ("d1",), n: int = 6) -> Query:
    cands = tuple(Candidate(f"d{i}", f"passage {i} for {qid}", float(n - i)) for i in range(n))
    return Query(qid, f"query {qid}", {d: 1 for d in relevant}, cands, {d: f"passage of {d}" for d in relevant})


@pytest.mark.unit
def test_the_held_out_queries_are_the_shipped_verifiers_held_out_claims_and_val_is_cut_from_the_rest():
    qids = [str(i) for i in range(800)]
    splits = [split_of(q) for q in qids]
    assert splits == [split_of(q) for q in qids]  # the same on every run
    assert all((s == "heldout") == is_heldout(q) for q, s in zip(qids, splits))
    rest = [s for s in splits if s != "heldout"]
    assert 0.08 < rest.count("val") / len(rest) < 0.18


@pytest.mark.unit
def test_training_pairs_come_only_from_train_queries_with_the_retrievers_misses_as_negatives():
    queries = [_query(str(i)) for i in range(60)]
    pairs = training_pairs(queries, negatives=3, seed=0)
    train = {q.qid for q in queries if split_of(q.qid) == "train"}
    assert pairs and {p.group for p in pairs} == train
    for q in queries:
        mine = [p for p in pairs if p.group == q.qid]
        if q.qid in train:
            assert [p.premise for p in mine if p.supported] == ["passage of d1"]
            # the three best-ranked candidates that are not relevant: d0, d2, d3
            assert sorted(p.premise for p in mine if not p.supported) == [f"passage {i} for {q.qid}" for i in (0, 2, 3)]


@pytest.mark.unit
def test_listwise_groups_put_the_positive_first_and_batches_hold_whole_groups():
    queries = [_query(str(i), relevant=("d1", "d4")) for i in range(40)]
    groups = query_groups(queries, size=4, seed=0)
    assert groups and all(len(g) == 4 and g[0].supported and not any(p.supported for p in g[1:]) for g in groups)
    assert all(len({p.hypothesis for p in g}) == 1 for g in groups)  # one query per group
    order = group_order(groups, per_batch=2, steps=7, seed=0)
    assert len(order) == 7
    for batch in order:
        assert len(batch) == 8 and all(batch[i] % 4 == 0 and batch[i + 1:i + 4] == [batch[i] + 1, batch[i] + 2,
                                                                                       batch[i] + 3] for i in (0, 4))


@pytest.mark.unit
def test_the_fused_order_keeps_the_retrievers_order_at_weight_zero_and_follows_the_reranker_alone():
    q = _query("7", n=4)
    ce = [0.1, 0.0, 3.0, 0.2]  # the reranker is sure of d2
    assert reranked(q, ce, 0.0) == ["d0", "d1", "d2", "d3"]
    assert reranked(q, ce, None) == ["d2", "d3", "d0", "d1"]
    assert reranked(q, ce, 1.0)[0] == "d2"
