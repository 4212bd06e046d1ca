"""Ranking metrics for one query: nDCG@k, recall@k, MRR@k, hit rate@k; and their mean over queries.

Inputs are explicit: `ranked` (document ids, best first) and `relevant` (id -> graded relevance,
> 0 means relevant; a set or list counts every member as relevance 1). A metric is NaN when it is
undefined (no relevant document for the query), never 0; a missing input raises ValueError
naming it. Gains are linear (rel / log2(rank + 1)), as in BEIR's pytrec_eval.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

Relevant = Mapping[str, float] | Iterable[str]


def _check(ranked: Sequence[str] | None, relevant: Relevant | None, k: int) -> tuple[list[str], dict[str, float]]:
    if ranked is None:
        raise ValueError("`ranked` is missing: pass the retrieved ids best first (an empty list if none)")
    if relevant is None:
        raise ValueError("`relevant` is missing: pass the judged ids (id -> relevance, or a set of ids)")
    if isinstance(ranked, str):
        raise ValueError("`ranked` must be a sequence of ids, not one string")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer (got {k!r})")
    rel = dict(relevant) if isinstance(relevant, Mapping) else {r: 1.0 for r in relevant}
    return list(ranked), {d: float(g) for d, g in rel.items() if float(g) > 0}


def ndcg_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    ranked, rel = _check(ranked, relevant, k)
    if not rel:
        return math.nan
    seen: set[str] = set()
    dcg = 0.0
    for i, d in enumerate(ranked[:k]):
        if d in rel and d not in seen:  # a repeated id earns nothing the second time
            dcg += rel[d] / math.log2(i + 2)
        seen.add(d)
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg


def recall_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    ranked, rel = _check(ranked, relevant, k)
    if not rel:
        return math.nan
    return len(set(ranked[:k]) & set(rel)) / len(rel)


def mrr_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """Reciprocal rank of the first relevant id within the top k (0 when none is there)."""
    ranked, rel = _check(ranked, relevant, k)
    if not rel:
        return math.nan
    for i, d in enumerate(ranked[:k], 1):
        if d in rel:
            return 1.0 / i
    return 0.0


def hit_rate_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    ranked, rel = _check(ranked, relevant, k)
    if not rel:
        return math.nan
    return 1.0 if set(ranked[:k]) & set(rel) else 0.0


def mean(values: Iterable[float]) -> float:
    """Mean over the defined (non-NaN) values; NaN when none is defined."""
    defined = [v for v in values if not math.isnan(v)]
    return sum(defined) / len(defined) if defined else math.nan


METRICS = {"ndcg": ndcg_at_k, "recall": recall_at_k, "mrr": mrr_at_k, "hit_rate": hit_rate_at_k}


def evaluate_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Relevant],
                 metrics: Sequence[str] = ("ndcg@10", "recall@10", "recall@100", "mrr@10")) -> dict[str, float]:
    """Mean of each `name@k` over the judged queries; a judged query absent from `run` ranks nothing."""
    if run is None or qrels is None:
        raise ValueError("evaluate_run needs both `run` (query id -> ranked ids) and `qrels` (query id -> relevant)")
    out: dict[str, float] = {}
    for spec in metrics:
        name, _, k = spec.partition("@")
        if name not in METRICS or not k.isdigit():
            raise ValueError(f"unknown metric {spec!r}; use name@k with name in {', '.join(METRICS)}")
        out[spec] = mean(METRICS[name](run.get(q, []), rel, int(k)) for q, rel in qrels.items())
    return out
