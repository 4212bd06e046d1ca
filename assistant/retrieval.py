"""Retrievers over the Index: dense (Chroma), lexical (BM25 in the catalog), hybrid (RRF fusion).

All implement `retrieve(query, k, sources=None, source_types=None) -> list[Passage]` (best first,
score higher = better, at most k, overlapping chunks of one source collapsed to the best) and
`retrieve_many(queries, k, ...)`, which embeds all queries in one model call and asks Chroma once
(the BEIR eval uses it). HybridRetriever is also a LangChain BaseRetriever via `as_langchain()`.

Tuned on SciFact train (see README, `lexcite eval retrieval`): BM25 weights the section/title
column 2x the text; hybrid z-normalises the depth-100 dense and BM25 scores and adds them with
equal weights (reciprocal rank fusion is one argument away). Hybrid then prefers passages in the
question's language (ingest/language.py; `language_boost`), so a translated text is cited in the
language it was asked in.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from assistant.fusion import collapse_overlaps, demote_footnotes, fuse, prefer_language, zscore_fuse
from assistant.records import Passage
from ingest.index import Index

OVERFETCH = 2  # chunks fetched per wanted passage, so collapsing overlaps still leaves k
QUERY_BATCH = 256


class Retriever(Protocol):
    name: str

    def retrieve(self, query: str, k: int, sources: Sequence[str] | None = None,
                 source_types: Sequence[str] | None = None) -> list[Passage]: ...


def _check_k(k: int) -> int:
    if int(k) < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    return int(k)


class DenseRetriever:
    """Cosine similarity of the query embedding to chunk embeddings in Chroma."""

    name = "dense"

    def __init__(self, index: Index):
        self.index = index

    def retrieve(self, query, k, sources=None, source_types=None):
        return self.retrieve_many([query], k, sources, source_types)[0]

    def retrieve_many(self, queries: Sequence[str], k: int, sources=None, source_types=None) -> list[list[Passage]]:
        k = _check_k(k)
        if not queries:
            return []
        return self.retrieve_vectors(self.index.embedder.embed(list(queries)), k, sources, source_types)

    def retrieve_vectors(self, vecs: np.ndarray, k: int, sources=None, source_types=None) -> list[list[Passage]]:
        """`retrieve_many` for query vectors already embedded."""
        k = _check_k(k)
        return [self._passages(hits, k) for hits in self.search_vectors(vecs, k * OVERFETCH + 8, sources, source_types)]

    def search_vectors(self, vecs: np.ndarray, n: int, sources=None, source_types=None) -> list[list[tuple[str, float]]]:
        """(chunk id, cosine) lists for many query vectors, asking Chroma in a few batched calls."""
        return self.index.dense_hits(vecs, n, sources, source_types, batch=QUERY_BATCH)

    def _passages(self, hits: list[tuple[str, float]], k: int) -> list[Passage]:
        chunks = self.index.chunks_by_id([i for i, _ in hits])  # uncommitted vectors drop out here
        ranked = [Passage(chunks[i], s) for i, s in hits if i in chunks]
        ranked = [Passage(p.chunk, p.score, dense_rank=r) for r, p in enumerate(collapse_overlaps(ranked), 1)]
        return ranked[:k]


class LexicalRetriever:
    """BM25 (SQLite FTS5, porter stemming) over chunk text and section, content words OR-ed."""

    name = "lexical"

    def __init__(self, index: Index, text_weight: float = 1.0, section_weight: float = 2.0):
        self.index = index
        self.weights = (float(text_weight), float(section_weight))

    def retrieve(self, query, k, sources=None, source_types=None):
        k = _check_k(k)
        hits = self.index.lexical_search(query, k * OVERFETCH + 8, sources, source_types, weights=self.weights)
        ranked = collapse_overlaps([Passage(c, score) for c, score in hits])
        return [Passage(p.chunk, p.score, lexical_rank=r) for r, p in enumerate(ranked[:k], 1)]

    def retrieve_many(self, queries: Sequence[str], k: int, sources=None, source_types=None) -> list[list[Passage]]:
        return [self.retrieve(q, k, sources, source_types) for q in queries]


class HybridRetriever:
    """Dense and lexical lists (each `depth` deep) fused, overlapping chunks pooled then collapsed.

    `fusion="zscore"` (default): 0.5 * z(cosine) + 0.5 * z(BM25), each z-normalised over its list;
    `fusion="rrf"`: reciprocal rank fusion with `rrf_k` and `weights` (dense, lexical).
    On SciFact train z-score fusion wins (nDCG@10 0.740 vs 0.713 for RRF k=60; README).

    The question's language (`detector`, default ingest.language's) then gives passages in that
    language `language_boost` standard deviations of the fused score (`prefer_language`): of a text
    and its translation, the one in the question's language comes first. A question whose language
    is unsure, or a candidate list all in one language, is left as fused; 0 turns it off.

    Last, the best `sentence_depth` passages are reordered by their best sentence, heading included (`by_best_sentence`):
    each moves `sentence_weight` standard deviations of their fused scores per standard deviation of its
    best sentence's cosine to the question above the others'. A passage is embedded as a whole, so one
    sentence that answers the question is diluted by the rest; the sentence vectors are the ones ingest
    keeps for the answer path (`sentences`, default a SentenceScorer over the index's cache). It only reorders:
    the passages keep the fused scores rank by rank, so what reads scores downstream (the extractive answerer's
    passage prior, refusal margins) sees the distribution it was tuned on. 0 turns it off.
    """

    name = "hybrid"
    FUSIONS = ("zscore", "rrf")

    def __init__(self, index: Index, fusion: str = "zscore", depth: int = 100, dense_weight: float = 0.5,
                 rrf_k: float = 60.0, weights: tuple[float, float] = (1.0, 1.0), language_boost: float = 0.5,
                 detector=None, sentence_weight: float = 0.0, sentence_depth: int = 30, sentences=None):
        if depth < 1:
            raise ValueError("depth must be at least 1")
        if language_boost < 0:
            raise ValueError("language_boost must be >= 0")
        if sentence_weight < 0 or sentence_depth < 1:
            raise ValueError("sentence_weight must be >= 0 and sentence_depth at least 1")
        if fusion not in self.FUSIONS:
            raise ValueError(f"fusion {fusion!r} is not one of {', '.join(self.FUSIONS)}")
        self.index = index
        self.dense = DenseRetriever(index)
        self.lexical = LexicalRetriever(index)
        self.fusion = fusion
        self.depth = depth
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.weights = weights
        self.language_boost = float(language_boost)
        self.detector = detector
        self.sentence_weight = float(sentence_weight)
        self.sentence_depth = int(sentence_depth)
        self._sentences = sentences

    def retrieve(self, query, k, sources=None, source_types=None):
        return self.retrieve_many([query], k, sources, source_types)[0]

    def retrieve_many(self, queries: Sequence[str], k: int, sources=None, source_types=None) -> list[list[Passage]]:
        k = _check_k(k)
        depth = max(self.depth, k)
        if not queries:
            return []
        vecs = self.index.embedder.embed(list(queries))
        dense = self.dense.retrieve_vectors(vecs, depth, sources, source_types)
        lexical = self.lexical.retrieve_many(queries, depth, sources, source_types)
        return [self.fuse(d, l, k, self.language_of(q), v) for q, d, l, v in zip(queries, dense, lexical, vecs)]

    def share_sentences(self, sentences) -> None:
        """Read sentence vectors through `sentences` (the answer path's SentenceScorer): one memory, not two."""
        self._sentences = sentences

    @property
    def sentences(self):
        if self._sentences is None:
            from assistant.extractive import SentenceScorer

            self._sentences = SentenceScorer(self.index.embedder, store=getattr(self.index, "sentences", None))
        return self._sentences

    def by_best_sentence(self, passages: Sequence[Passage], query_vector: np.ndarray) -> list[Passage]:
        """The first `sentence_depth` passages reordered by fused score + sentence_weight * sd(fused) *
        z(best sentence cosine), keeping the fused scores rank by rank; the rest are left as they are (see the
        class docstring)."""
        head = list(passages[: self.sentence_depth])
        if not self.sentence_weight or len(head) < 2:
            return list(passages)
        from lexcite.text.sentences import split_sentences

        # the heading counts as a sentence: a title often says what the passage is about in the question's words
        texts = [([p.chunk.section] if p.chunk.section.strip() else [])
                 + ([s.text for s in split_sentences(p.chunk.text) if s.text.strip()] or [p.chunk.text]) for p in head]
        vecs = self.sentences.vectors([t for ts in texts for t in ts])
        cos = vecs @ np.asarray(query_vector, dtype=np.float32)
        best, at = [], 0
        for ts in texts:
            best.append(float(cos[at:at + len(ts)].max()))
            at += len(ts)
        b, f = np.asarray(best), np.asarray([p.score for p in head])
        if b.std() < 1e-9 or f.std() < 1e-9:
            return list(passages)
        moved = f + self.sentence_weight * f.std() * (b - b.mean()) / b.std()
        order = sorted(range(len(head)), key=lambda i: -moved[i])
        # a reordering only: the i-th passage takes the i-th best fused score, so what reads scores downstream
        # (the answerer's passage prior, refusal margins) sees the distribution it was calibrated on
        scores = sorted(f, reverse=True)
        head = [Passage(head[i].chunk, float(s), head[i].dense_rank, head[i].lexical_rank) for i, s in zip(order, scores)]
        return head + list(passages[self.sentence_depth:])

    def language_of(self, query: str) -> str:
        """The question's ISO 639-1 code, or "" when unsure (or when the preference is off)."""
        if not self.language_boost:
            return ""
        if self.detector is None:
            from ingest.language import default_detector

            self.detector = default_detector()
        return self.detector.detect(query)

    def fuse(self, dense: Sequence[Passage], lexical: Sequence[Passage], k: int, language: str = "",
             query_vector: np.ndarray | None = None) -> list[Passage]:
        if self.fusion == "rrf":
            fused = fuse(dense, lexical, self.rrf_k, self.weights)
        else:
            fused = zscore_fuse(dense, lexical, self.dense_weight)
        ranked = collapse_overlaps(demote_footnotes(prefer_language(fused, language, self.language_boost)))
        if query_vector is not None and self.sentence_weight:
            ranked = self.by_best_sentence(ranked, query_vector)
        return ranked[:k]

    def as_langchain(self, k: int = 6, sources: Sequence[str] | None = None,
                     source_types: Sequence[str] | None = None):
        from assistant.lc_retriever import LexciteLangChainRetriever

        return LexciteLangChainRetriever(retriever=self, k=k, sources=list(sources or []),
                                         source_types=list(source_types or []))


RETRIEVERS = {"dense": DenseRetriever, "lexical": LexicalRetriever, "hybrid": HybridRetriever}


def make_retriever(index: Index, name: str = "hybrid") -> Retriever:
    try:
        if name == "hybrid":
            return HybridRetriever(index, sentence_weight=index.settings.sentence_weight)
        return RETRIEVERS[name](index)
    except KeyError:
        raise ValueError(f"unknown retriever {name!r}; choose one of {', '.join(RETRIEVERS)}") from None
