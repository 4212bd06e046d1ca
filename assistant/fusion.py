"""Pure functions that combine ranked passage lists: score fusion (z-scores), reciprocal rank
fusion, a preference for the question's language, and overlap collapsing.

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
    """Reciprocal rank fusion of dense and lexical passages, best first, with the ranks each earned.

    Overlapping chunks of one source are one passage for the vote: a chunk takes, in each list,
    the best rank of any chunk there that overlaps it. Otherwise two overlapping windows of the
    same text split the evidence (one ranked by dense, the other by BM25) and both sink.
    """
    if rrf_k < 0:
        raise ValueError("rrf_k must be >= 0")
    return _combine(dense, lexical, lambda hits: sum(
        w / (rrf_k + h[0]) for w, h in zip(weights, hits) if h is not None))


def zscore_fuse(dense: Sequence[Passage], lexical: Sequence[Passage], dense_weight: float = 0.5) -> list[Passage]:
    """Convex combination of z-normalised scores: w * z(cosine) + (1 - w) * z(BM25).

    Each list's scores are standardised over that list (its own mean and spread), so cosine and
    BM25 become comparable; a passage missing from a list gets that list's lowest z (it was not
    better than anything the list kept). Overlapping chunks pool their evidence as in `fuse`.
    Unlike RRF it keeps how far ahead the leader is, which helps when one retriever is sure.
    """
    if not 0.0 <= dense_weight <= 1.0:
        raise ValueError("dense_weight must be between 0 and 1")
    norms = [_zscores(ps) for ps in (dense, lexical)]
    weights = (dense_weight, 1.0 - dense_weight)

    def score(hits):
        total = 0.0
        for w, (z, floor), h in zip(weights, norms, hits):
            total += w * (z(h[1]) if h is not None else floor)
        return total

    return _combine(dense, lexical, score)


def prefer_language(passages: Sequence[Passage], language: str, boost: float = 0.5) -> list[Passage]:
    """Passages whose chunk is in `language` moved up by `boost` standard deviations of the scores.

    For a question in one language over a corpus holding the same text in several (a treaty and its
    translation), the passage in the question's language then comes first, while a passage in
    another language that scores clearly higher keeps its place and none is dropped. The added
    amount is part of the returned score (scores stay best first); the sort is stable. Nothing
    changes when `language` is "" (unsure), or when all passages or none are in it.
    """
    if boost < 0:
        raise ValueError("boost must be >= 0")
    same = [bool(language) and p.chunk.language == language for p in passages]
    if not boost or all(same) or not any(same):
        return list(passages)
    xs = [p.score for p in passages]
    mean = sum(xs) / len(xs)
    bump = boost * ((sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0)
    moved = [Passage(p.chunk, p.score + bump, p.dense_rank, p.lexical_rank) if s else p
             for p, s in zip(passages, same)]
    return sorted(moved, key=lambda p: -p.score)


def demote_footnotes(passages: Sequence[Passage], by: float = 0.5) -> list[Passage]:
    """Footnote chunks moved down by `by` standard deviations of the scores: a footnote cites, dates or
    qualifies the body and is rarely the answer, yet its dense references match many questions."""
    if not by or not any(p.chunk.kind == "footnote" for p in passages):
        return list(passages)
    xs = [p.score for p in passages]
    mean = sum(xs) / len(xs)
    drop = by * ((sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0)
    moved = [Passage(p.chunk, p.score - drop, p.dense_rank, p.lexical_rank) if p.chunk.kind == "footnote" else p
             for p in passages]
    return sorted(moved, key=lambda p: -p.score)


def _zscores(passages: Sequence[Passage]):
    xs = [p.score for p in passages]
    if not xs:
        return (lambda x: 0.0), 0.0
    mean = sum(xs) / len(xs)
    sd = (sum((x - mean) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0
    return (lambda x: (x - mean) / sd), (min(xs) - mean) / sd


def _combine(dense: Sequence[Passage], lexical: Sequence[Passage], score_fn) -> list[Passage]:
    """Every candidate's (rank, score) in each list (inherited from overlapping chunks), scored."""
    spans = [_by_source(ps) for ps in (dense, lexical)]
    chunks = {p.chunk.id: p.chunk for ps in (lexical, dense) for p in ps}
    scored = []
    for cid, c in chunks.items():
        hits = [_best_overlapping(c, s) for s in spans]
        scored.append((score_fn(hits), [h[0] if h else None for h in hits], cid))
    scored.sort(key=lambda t: (-t[0], t[1][0] or 1 << 30, t[1][1] or 1 << 30, t[2]))
    return [Passage(chunks[cid], score, ranks[0], ranks[1]) for score, ranks, cid in scored]


def _by_source(passages: Sequence[Passage]) -> dict[str, list[tuple[int, Passage]]]:
    out: dict[str, list[tuple[int, Passage]]] = {}
    for rank, p in enumerate(passages, 1):
        out.setdefault(p.chunk.source, []).append((rank, p))
    return out


def _best_overlapping(c, by_source: dict[str, list[tuple[int, Passage]]]) -> tuple[int, float] | None:
    """(best rank, best score) among this list's passages that are `c` or overlap it; None if none."""
    best = None
    for rank, p in by_source.get(c.source, ()):
        if p.chunk.id == c.id or (c.start < p.chunk.end and p.chunk.start < c.end):
            best = (rank, p.score) if best is None else (min(best[0], rank), max(best[1], p.score))
    return best


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
