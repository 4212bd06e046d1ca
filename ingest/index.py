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
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ingest.catalog import Catalog, DocRecord
from ingest.embedder import Embedder
from ingest.names import instrument_names
from ingest.records import Chunk, Document
from ingest.sentence_cache import SentenceCache
from ingest.vectors import VectorStore
from lexcite.errors import ConfigError, NoIndexError
from lexcite.settings import Settings

log = logging.getLogger(__name__)

PROCESS = uuid.uuid4().hex  # names this process as the last writer of a catalog (see Index.refresh)
REOPEN_EVERY_S = 5.0  # during another process's long ingest, reload the vectors at most this often


EXACT_MAX = 2000  # a filter admitting at most this many chunks is searched exactly, over their vectors
POSTFILTER_SHARE = 0.05  # one admitting at least this share: the unfiltered search, deeper, then the filter
POSTFILTER_MARGIN = 2.0  # how much deeper than the admitted share alone would need


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


@dataclass(frozen=True)
class DocumentWrite:
    """One document ready to land: its chunks, a vector per chunk, and the folder it was found under."""

    doc: Document
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    root: str = ""


class Index:
    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.catalog = Catalog(settings.catalog_path)
        self.vectors = VectorStore(settings, embedder.dim)
        self.sentences = SentenceCache(settings.sentence_cache_path, embedder.name)
        self._seen = self.catalog.documents_stamp()
        self._sync_lock = threading.Lock()
        self._reopened = 0.0

    def refresh(self) -> None:
        """Reload the embedded vectors when another process (`lexcite ingest`) changed the catalog: the
        embedded Chroma keeps its vector index in this process's memory and would not see its documents."""
        if self.settings.chroma_url:
            return
        stamp = self.catalog.documents_stamp()
        if stamp == self._seen:
            return
        with self._sync_lock:
            if stamp == self._seen:
                return
            if self.catalog.get_meta("writer") != PROCESS:
                if time.monotonic() - self._reopened < REOPEN_EVERY_S:
                    return  # answered from the vectors loaded a moment ago; reloaded on a later question
                log.info("the index at %s changed in another process; reloading its vectors", self.settings.data_dir)
                self.vectors.reopen()
                self._reopened = time.monotonic()
            self._seen = stamp

    def _wrote(self) -> None:
        self.catalog.set_meta("writer", PROCESS)

    # ---- writes ----------------------------------------------------------------------------------
    def check_model(self) -> None:
        """Refuse to mix vectors of two embedding models in one index; remember the model on first use."""
        built = self.catalog.get_meta("embedding_model")
        if built and built != self.embedder.name and self.catalog.count_chunks():
            raise ConfigError(
                f"the index at {self.settings.data_dir} was built with the embedding model {built!r}, "
                f"but {self.embedder.name!r} is configured; set LEXCITE_EMBEDDING_MODEL (or LEXCITE_ENCODER_BACKEND) back, "
                "or use a new "
                "LEXCITE_DATA_DIR (or delete the old one) to rebuild the index"
            )
        if built != self.embedder.name:
            self.catalog.set_meta("embedding_model", self.embedder.name)
            self.catalog.set_meta("embedding_dim", str(self.embedder.dim))
        self._claim_collection()

    def _claim_collection(self) -> None:
        """One catalog per Chroma collection: two data dirs sharing a server collection would delete
        each other's vectors as orphans, so a collection another index owns is refused."""
        owner = self.catalog.get_meta("index_id")
        if not owner:
            owner = uuid.uuid4().hex
            self.catalog.set_meta("index_id", owner)
        claimed = self.vectors.owner()
        if claimed == owner:
            return
        if claimed and self.vectors.count():
            raise ConfigError(
                f"the Chroma collection {self.settings.collection!r} at {self.settings.store_label} belongs to another "
                f"Lexcite index (not the one in {self.settings.data_dir}); set LEXCITE_COLLECTION to another name, "
                "or point LEXCITE_DATA_DIR at the index that built it"
            )
        self.vectors.set_owner(owner)

    def write_documents(self, items: Sequence[DocumentWrite]) -> None:
        """Land several documents, each one whole or not at all (see the protocol above)."""
        if not items:
            return
        self._wrote()  # before the commit: a reader that sees the commit also sees who made it
        self.catalog.begin_pending_many([(it.doc.source, [c.id for c in it.chunks]) for it in items])
        chunks = [c for it in items for c in it.chunks]
        if chunks:
            self.vectors.upsert(
                [c.id for c in chunks], np.concatenate([it.vectors for it in items]).astype(np.float32),
                [c.text for c in chunks], [c.metadata() for c in chunks],
            )
        garbage: list[str] = []
        now = time.time()
        for it in items:
            record = DocRecord(
                source=it.doc.source, doc_hash=it.doc.doc_hash, title=it.doc.title,
                source_type=it.doc.source_type, language=it.doc.language, n_chunks=len(it.chunks),
                root=it.root, ingested_at=now, names=instrument_names(it.doc),
            )
            garbage += self.catalog.commit_document(record, it.chunks)
        self._collect(garbage)
        self.catalog.set_meta("last_ingest", str(now))

    def load_scratch(self, documents: Sequence[tuple[DocRecord, Sequence[Chunk]]], vectors: np.ndarray,
                     progress=None) -> None:
        """Fill an empty, throw-away index in bulk (the BEIR eval: thousands of documents embedded in one pass;
        `vectors` aligned with the chunks in order): one batched Chroma upsert, then one catalog commit per
        document, without `write_documents`' crash protocol (a scratch index is discarded on failure).
        `progress(done, total)` every 500 documents."""
        chunks = [c for _, cs in documents for c in cs]
        self.vectors.upsert([c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata() for c in chunks])
        for n, (record, cs) in enumerate(documents):
            self.catalog.commit_document(record, cs)
            if progress and (n % 500 == 0 or n == len(documents) - 1):
                progress(n + 1, len(documents))

    def replace_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray, root: str = "") -> None:
        """One document with a vector per chunk (aligned with `chunks`)."""
        self.write_documents([DocumentWrite(doc, tuple(chunks), np.asarray(vectors), root)])

    def stored_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors Chroma already holds for committed chunk ids (a changed document reuses them)."""
        live = self.catalog.known_ids(ids)
        return self.vectors.get_vectors([i for i in ids if i in live]) if live else {}

    def remove_document(self, source: str) -> int:
        self._wrote()
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
            live = self.catalog.known_ids(ids)
            stray = [i for i in ids if i not in live]
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
            if missing:  # vectors lost (e.g. a wiped server): drop those documents so this ingest re-embeds them
                by_source = {c.source for c in self.catalog.get_chunks(sorted(missing)).values()}
                for s in sorted(by_source):
                    self.remove_document(s)
                fixed["missing_docs"] = len(by_source)
        if any(fixed.values()):
            log.warning("recovered an interrupted ingest: %s", fixed)
        return fixed

    def warm_up(self) -> None:
        """Open the store's client and collection now (a server does it before it listens), and start
        building the in-memory lexical index."""
        self.vectors.collection  # noqa: B018 - opens the client and the collection
        self.warm_lexical()

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
        # over-fetch a little: vectors not (yet / any more) committed in the catalog are dropped
        (hits,) = self.dense_hits(np.asarray(vec, dtype=np.float32).reshape(1, -1), k + 8, sources, source_types)
        chunks = self.chunks_by_id([i for i, _ in hits])
        return [(chunks[i], s) for i, s in hits if i in chunks][:k]

    def dense_hits(
        self, vectors: np.ndarray, k: int, sources: Sequence[str] | None = None,
        source_types: Sequence[str] | None = None, batch: int = 256,
    ) -> list[list[tuple[str, float]]]:
        """(chunk id, cosine) lists for many query vectors, in a few batched store calls. Ids may include
        vectors not (yet / any more) committed in the catalog: `chunks_by_id` drops them."""
        self.refresh()  # documents another process ingested since the last question
        where = chroma_where(sources, source_types)
        if where is None or not len(vectors):
            return self.vectors.query_many(vectors, k, None, batch)
        admitted, total = self.catalog.filter_count(sources, source_types)
        if admitted <= EXACT_MAX:  # a few documents: exact cosines over their vectors
            return self._exact_hits(vectors, k, self.catalog.filtered_ids(sources, source_types))
        if admitted >= POSTFILTER_SHARE * total:  # a large share: the unfiltered search, deeper, then the filter
            depth = min(total, int(k * total / admitted * POSTFILTER_MARGIN) + k)
            hits = self.vectors.query_many(vectors, depth, None, batch)
            keep = self.catalog.known_ids([i for hs in hits for i, _ in hs], sources, source_types)
            out = [[h for h in hs if h[0] in keep][:k] for hs in hits]
            short = [n for n, hs in enumerate(out) if len(hs) < min(k, admitted)]
            if short:  # too few admitted that deep: ask the store with the filter for those
                for n, hs in zip(short, self.vectors.query_many(vectors[short], k, where, batch)):
                    out[n] = hs
            return out
        return self.vectors.query_many(vectors, k, where, batch)

    def _exact_hits(self, vectors: np.ndarray, k: int, ids: Sequence[str]) -> list[list[tuple[str, float]]]:
        """(id, cosine) of the k nearest of `ids` for each query vector, computed exactly."""
        found = self.vectors.get_vectors(list(ids))
        if not found:
            return [[] for _ in range(len(vectors))]
        names = list(found)
        matrix = np.stack([found[i] for i in names])
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        queries = np.asarray(vectors, dtype=np.float32)
        queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        sims = queries @ matrix.T
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return [[(names[j], float(sims[r, j])) for j in row] for r, row in enumerate(top)]

    def lexical_search(
        self, query: str, k: int, sources: Sequence[str] | None = None, source_types: Sequence[str] | None = None,
        weights: tuple[float, float] | None = None,
    ) -> list[tuple[Chunk, float]]:
        """BM25 hits; `weights` = (text, section) column weights (the catalog's default when None)."""
        if weights is None:
            return self.catalog.lexical_search(query, k, sources, source_types)
        return self.catalog.lexical_search(query, k, sources, source_types, weights=weights)

    def warm_lexical(self) -> None:
        """Start building the in-memory lexical index now (a server before it listens), not on the first
        question; FTS5 answers until it is ready (ingest/lexical_sparse.py)."""
        self.catalog.lexical.sync_in_background()

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The committed chunks among `ids`, by id."""
        return self.catalog.get_chunks(ids)

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        found = self.catalog.get_chunks(ids)
        return [found[i] for i in ids if i in found]

    def iter_chunks(self, source: str | None = None):
        return self.catalog.iter_chunks(source)

    def status(self) -> IndexStatus:
        """What is indexed; reads the catalog and counts Chroma vectors, never loads the model."""
        last = self.catalog.get_meta("last_ingest")
        chunks = self.catalog.count_chunks()
        return IndexStatus(
            documents=len(self.catalog.documents()), chunks=chunks,
            store=self.settings.store_label, data_dir=str(self.settings.data_dir),
            embedding_model=self.catalog.get_meta("embedding_model") or self.embedder.name,
            vectors=self.vectors.count() if chunks or self.settings.chroma_url else 0,
            last_ingest=float(last) if last else None,
        )


def chroma_where(sources: Sequence[str] | None, source_types: Sequence[str] | None) -> dict | None:
    clauses = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if source_types:
        clauses.append({"source_type": {"$in": list(source_types)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
