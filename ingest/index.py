"""The Index: Chroma vectors and the SQLite catalog (records + BM25), kept in step.

Write protocol for one document (each step idempotent, so a crash anywhere converges):
  1. catalog: record the new chunk ids as *pending* for the source;
  2. Chroma: upsert the new vectors (content-hash ids, so repeats are harmless);
  3. catalog, one transaction: replace the document's chunk rows (FTS follows by trigger), its
     record, move the old ids that are not reused to *garbage*, clear *pending*;
  4. Chroma: delete the garbage ids, then clear them from the catalog.
Queries only return chunks whose rows are committed in the catalog, so nobody sees half a
document. `recover()` runs before every ingest: it deletes pending and garbage vectors from
Chroma and, when counts disagree, reconciles the two id sets in full.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ingest.catalog import Catalog, DocRecord
from ingest.embedder import Embedder
from ingest.records import Chunk, Document
from ingest.vectors import VectorStore
from lexcite.errors import NoIndexError
from lexcite.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexStatus:
    documents: int
    chunks: int
    store: str
    data_dir: str
    embedding_model: str
    vectors: int
    last_ingest: float | None

    def to_dict(self) -> dict:
        return {
            "documents": self.documents, "chunks": self.chunks, "store": self.store,
            "data_dir": self.data_dir, "embedding_model": self.embedding_model,
            "vectors": self.vectors, "last_ingest": self.last_ingest,
        }


class Index:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.catalog = Catalog(settings.catalog_path)
        self.vectors = VectorStore(settings, embedder.dim)

    # ---- writes ----------------------------------------------------------------------------------
    def replace_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray, root: str = "") -> None:
        ids = [c.id for c in chunks]
        self.catalog.begin_pending(doc.source, ids)
        existing = self.vectors.existing(ids)
        todo = [i for i, c in enumerate(chunks) if c.id not in existing]
        if todo:
            self.vectors.upsert(
                [chunks[i].id for i in todo], vectors[todo],
                [chunks[i].text for i in todo], [chunks[i].metadata() for i in todo],
            )
        record = DocRecord(
            source=doc.source, doc_hash=doc.doc_hash, title=doc.title, source_type=doc.source_type,
            language=doc.language, n_chunks=len(chunks), root=root, ingested_at=time.time(),
        )
        garbage = self.catalog.commit_document(record, chunks)
        self._collect(garbage)
        self.catalog.set_meta("last_ingest", str(time.time()))

    def remove_document(self, source: str) -> int:
        ids = self.catalog.remove_document(source)
        self._collect(ids)
        return len(ids)

    def _collect(self, ids: Sequence[str]) -> None:
        if ids:
            self.vectors.delete(ids)
            self.catalog.clear_garbage(ids)

    def recover(self, full: bool = False) -> dict[str, int]:
        """Bring Chroma back in step with the catalog after an interrupted run."""
        fixed = {"pending": 0, "garbage": 0, "orphans": 0, "missing_docs": 0}
        for source, ids in self.catalog.pending().items():
            stray = [i for i in ids if i not in self.catalog.known_ids(ids)]
            self.vectors.delete(stray)
            self.catalog.clear_pending(source)
            fixed["pending"] += len(stray)
        garbage = self.catalog.garbage()
        if garbage:
            live = self.catalog.known_ids(garbage)
            self.vectors.delete([i for i in garbage if i not in live])
            self.catalog.clear_garbage(garbage)
            fixed["garbage"] = len(garbage)
        if full or self.vectors.count() != self.catalog.count_chunks():
            in_chroma = set(self.vectors.all_ids())
            in_catalog = set(self.catalog.chunk_ids())
            orphans = sorted(in_chroma - in_catalog)
            self.vectors.delete(orphans)
            fixed["orphans"] = len(orphans)
            missing = in_catalog - in_chroma
            if missing:  # vectors lost: drop those documents' records so the next ingest re-embeds them
                by_source = {c.source for c in self.catalog.get_chunks(sorted(missing)).values()}
                for s in by_source:
                    self.remove_document(s)
                fixed["missing_docs"] = len(by_source)
        if any(fixed.values()):
            log.warning("recovered an interrupted ingest: %s", fixed)
        return fixed

    # ---- reads -----------------------------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        return self.catalog.documents()

    def require_nonempty(self) -> None:
        if self.catalog.count_chunks() == 0:
            raise NoIndexError(
                f"the index at {self.settings.data_dir} is empty: run `lexcite ingest {self.settings.corpus_dir}/` first"
            )

    def dense_search(
        self, query: str | np.ndarray, k: int, sources: Sequence[str] | None = None,
        source_types: Sequence[str] | None = None,
    ) -> list[tuple[Chunk, float]]:
        vec = self.embedder.embed([query])[0] if isinstance(query, str) else query
        where = _where(sources, source_types)
        # over-fetch a little: vectors not (yet / any more) committed in the catalog are dropped
        hits = self.vectors.query(vec, k + 8, where)
        chunks = self.catalog.get_chunks([i for i, _ in hits])
        return [(chunks[i], s) for i, s in hits if i in chunks][:k]

    def lexical_search(
        self, query: str, k: int, sources: Sequence[str] | None = None, source_types: Sequence[str] | None = None,
    ) -> list[tuple[Chunk, float]]:
        return self.catalog.lexical_search(query, k, sources, source_types)

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        found = self.catalog.get_chunks(ids)
        return [found[i] for i in ids if i in found]

    def iter_chunks(self, source: str | None = None):
        return self.catalog.iter_chunks(source)

    def status(self) -> IndexStatus:
        last = self.catalog.get_meta("last_ingest")
        return IndexStatus(
            documents=len(self.catalog.documents()), chunks=self.catalog.count_chunks(),
            store=self.settings.store_label, data_dir=str(self.settings.data_dir),
            embedding_model=self.embedder.name, vectors=self.vectors.count(),
            last_ingest=float(last) if last else None,
        )


def _where(sources: Sequence[str] | None, source_types: Sequence[str] | None) -> dict | None:
    clauses = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if source_types:
        clauses.append({"source_type": {"$in": list(source_types)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
