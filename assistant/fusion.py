"""Pure functions that combine ranked passage lists: reciprocal rank fusion and overlap collapsing.

No index, no model: lists of Passages in, a list of Passages out, so the eval can replay them.
"""

from __future__ import annotations

from typing import Sequence

from assistant.records import Passage


def rrf_scores(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None,
               rrf_k: float = 60.0) -> dict[str, float]:
    """Weighted reciprocal rank fusion: score(id) = sum_i w_i / (rrf_k + rank_i(id)), ranks from 1."""
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    if rrf_k < 0:
        raise ValueError("rrf_k must be >= 0")
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + w / (rrf_k + rank)
    return scores


def fuse(dense: Sequence[Passage], lexical: Sequence[Passage], rrf_k: float = 60.0,
         weights: tuple[float, float] = (1.0, 1.0)) -> list[Passage]:
    """Dense and lexical passages fused by RRF, best first, each carrying both ranks it had."""
    scores = rrf_scores([[p.chunk.id for p in dense], [p.chunk.id for p in lexical]], weights, rrf_k)
    chunks = {p.chunk.id: p.chunk for p in (*lexical, *dense)}
    d_rank = {p.chunk.id: r for r, p in enumerate(dense, 1)}
    l_rank = {p.chunk.id: r for r, p in enumerate(lexical, 1)}
    order = sorted(scores, key=lambda i: (-scores[i], d_rank.get(i, 1 << 30), i))
    return [Passage(chunks[i], scores[i], d_rank.get(i), l_rank.get(i)) for i in order]


def collapse_overlaps(passages: Sequence[Passage]) -> list[Passage]:
    """Keep the first (best) of passages that repeat a chunk or overlap one from the same source.

    Two chunks overlap when they come from the same source and their char spans intersect; a
    duplicate text in the same source (same span) counts as overlapping too.
    """
    kept: list[Passage] = []
    spans: dict[str, list[tuple[int, int]]] = {}
    ids: set[str] = set()
    for p in passages:
        c = p.chunk
        if c.id in ids:
            continue
        taken = spans.setdefault(c.source, [])
        if any(c.start < e and s < c.end for s, e in taken) or any(
            (c.start, c.end) == (s, e) for s, e in taken
        ):
            continue
        ids.add(c.id)
        taken.append((c.start, c.end))
        kept.append(p)
    return kept
