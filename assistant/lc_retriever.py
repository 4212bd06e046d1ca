"""LangChain adapter: any Lexcite retriever as a `langchain_core.retrievers.BaseRetriever`.

    retriever = HybridRetriever(index).as_langchain(k=6, source_types=["primary_law"])
    docs = retriever.invoke("what is the penalty?")   # langchain Documents, best first

Each Document's `page_content` is the chunk text and its `metadata` the chunk record (id, source,
title, page, section, start, end, source_type, doc_hash) plus `score`, `dense_rank`, `lexical_rank`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.records import Passage
from ingest.records import Chunk

_CHUNK_FIELDS = tuple(f.name for f in fields(Chunk) if f.name not in ("id", "text"))


def passage_document(p: Passage) -> Document:
    meta = {key: value for key, value in p.chunk.to_dict().items() if key != "text"}
    meta.update(score=float(p.score), dense_rank=p.dense_rank, lexical_rank=p.lexical_rank)
    return Document(page_content=p.chunk.text, metadata=meta, id=p.chunk.id)


def document_passage(doc: Document) -> Passage:
    """The Passage a `passage_document` Document was made from (the inverse, field for field)."""
    meta = doc.metadata
    values = {k: meta[k] for k in _CHUNK_FIELDS if k in meta}
    values["page_breaks"] = tuple(tuple(b) for b in values.get("page_breaks", ()))
    chunk = Chunk(id=doc.id, text=doc.page_content, **values)
    return Passage(chunk, float(meta["score"]), meta.get("dense_rank"), meta.get("lexical_rank"))


class LexciteLangChainRetriever(BaseRetriever):
    """Glue only: `invoke(query)` calls the wrapped retriever's `retrieve` and converts the passages."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 6
    sources: list[str] = []
    source_types: list[str] = []

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        passages = self.retriever.retrieve(query, self.k, self.sources or None, self.source_types or None)
        return [passage_document(p) for p in passages]
