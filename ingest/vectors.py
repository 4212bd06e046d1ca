"""The Chroma side: embedded PersistentClient under data_dir, or a server when chroma_url is set."""

from __future__ import annotations

import logging
import threading
from typing import Sequence
from urllib.parse import urlparse

import numpy as np

from lexcite.errors import StoreError
from lexcite.settings import Settings

log = logging.getLogger(__name__)
BATCH = 1000
# chromadb caches one System per path/URL in a plain dict and its Rust bindings start lazily: two
# threads creating clients at once fail ("no attribute 'bindings'", KeyError on the path, "Could not
# connect to tenant"). Every client in this process is created under this lock.
_CLIENT_LOCK = threading.Lock()


def make_client(settings: Settings):
    with _CLIENT_LOCK:
        return _make_client(settings)


def _make_client(settings: Settings):
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_url:
        u = urlparse(settings.chroma_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise StoreError(f"LEXCITE_CHROMA_URL={settings.chroma_url!r} is not an http(s) URL like http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=u.hostname, port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https", settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, TLS...
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "start it with `chroma run --host 127.0.0.1 --port 8000 --path DIR` or unset LEXCITE_CHROMA_URL"
            ) from None
        return client
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # read-only or full disk, a file where the folder should be, a damaged store
        raise StoreError(
            f"cannot open the vector store at {settings.chroma_dir} ({type(exc).__name__}: {str(exc)[:160]}); "
            "check that the data directory is a writable folder with free space, or point LEXCITE_DATA_DIR elsewhere"
        ) from None


def _drop_cached_system(settings: Settings) -> None:
    """Forget chromadb's cached System for this store, so the next client loads it from disk again.
    The old System is left to the garbage collector: a query still running on it finishes normally."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.chroma_dir)
    SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)


class VectorStore:
    """Thin wrapper: our own vectors in, (id, similarity) out. Chroma holds no text we rely on."""

    def __init__(self, settings: Settings, dim: int):
        self.settings = settings
        self.dim = dim
        self._client = None
        self._collection = None
        self._lock = threading.Lock()

    @property
    def collection(self):
        if self._collection is None:
            with self._lock:  # built once, even when the first requests arrive together
                if self._collection is None:
                    self._collection = self._open()
        return self._collection

    def _open(self):
        client = make_client(self.settings)
        try:
            with _CLIENT_LOCK:
                collection = client.get_or_create_collection(
                    self.settings.collection, embedding_function=None,
                    configuration={"hnsw": {"space": "cosine"}},
                )
        except Exception as exc:
            raise StoreError(f"cannot open Chroma collection {self.settings.collection!r}: {exc}") from None
        self._client = client
        return collection

    def reopen(self) -> None:
        """Read the store afresh: the embedded store keeps its vector index in this process's memory, so
        documents another process (`lexcite ingest`) added are invisible until it is loaded again."""
        if self.settings.chroma_url:
            return  # a server has one index for every client
        with self._lock:
            with _CLIENT_LOCK:
                _drop_cached_system(self.settings)
            self._collection = self._open()

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            where = self.settings.chroma_url or str(self.settings.chroma_dir)
            raise StoreError(
                f"Chroma {what} failed at {where}: {type(exc).__name__}: {str(exc)[:200]}; "
                "check that the store is reachable, then re-run (ingest resumes where it stopped)"
            ) from None

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metadatas: Sequence[dict]) -> None:
        for i in range(0, len(ids), BATCH):
            self._call(
                "upsert", self.collection.upsert,
                ids=list(ids[i : i + BATCH]), embeddings=np.asarray(vectors[i : i + BATCH], dtype=np.float32),
                documents=list(texts[i : i + BATCH]), metadatas=list(metadatas[i : i + BATCH]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), BATCH):
            self._call("delete", self.collection.delete, ids=ids[i : i + BATCH])

    def existing(self, ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), BATCH):
            got = self._call("get", self.collection.get, ids=ids[i : i + BATCH], include=[])
            out.update(got["ids"])
        return out

    def get_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        ids = list(ids)
        for i in range(0, len(ids), BATCH):
            got = self._call("get", self.collection.get, ids=ids[i : i + BATCH], include=["embeddings"])
            out.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return out

    def all_ids(self) -> list[str]:
        out: list[str] = []
        offset = 0
        while True:
            got = self._call("get", self.collection.get, include=[], limit=5000, offset=offset)
            out.extend(got["ids"])
            if len(got["ids"]) < 5000:
                return out
            offset += 5000

    def owner(self) -> str:
        """The id of the Lexcite index that writes this collection ("" when unclaimed)."""
        return str((self.collection.metadata or {}).get("lexcite_index", ""))

    def set_owner(self, owner: str) -> None:
        meta = dict(self.collection.metadata or {}) | {"lexcite_index": owner}
        self._call("modify", self.collection.modify, metadata=meta)

    def count(self) -> int:
        return self._call("count", self.collection.count)

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        # Chroma returns fewer than k when the collection (or the filter) holds fewer: no count() first,
        # which cost as much as the query itself under load (a SQLite round trip of its own).
        if k <= 0:
            return []
        res = self._call(
            "query", self.collection.query,
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k, where=where or None, include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def query_many(self, vectors: np.ndarray, k: int, where: dict | None = None,
                   batch: int = 256) -> list[list[tuple[str, float]]]:
        """(id, cosine) lists, best first, for many query vectors, asking Chroma `batch` vectors at a time."""
        if k <= 0:
            return [[] for _ in range(len(vectors))]
        out: list[list[tuple[str, float]]] = []
        for i in range(0, len(vectors), batch):
            res = self._call(
                "query", self.collection.query,
                query_embeddings=np.asarray(vectors[i : i + batch], dtype=np.float32),
                n_results=k, where=where or None, include=["distances"],
            )
            out += [[(cid, 1.0 - float(d)) for cid, d in zip(ids, ds)] for ids, ds in zip(res["ids"], res["distances"])]
        return out
