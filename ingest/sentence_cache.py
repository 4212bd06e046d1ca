"""Sentence vectors, kept on disk so a question does not embed the sentences of the passages it retrieved.

The extractive backend scores every sentence of the retrieved passages against the question; embedding
those sentences was most of an answer's time the first time a passage came up (~150 ms of ~200 on the
legal corpus). Ingest now embeds each new chunk's sentences (the spans `split_sentences` gives, which the
answer path reads too) and keeps them here; the sentence scorer reads them, and writes back any it still
had to embed.

    cache = SentenceCache(settings.sentence_cache_path, embedder.name)
    cache.put(texts, vectors)           # float32 rows in, stored as float16
    found = cache.get(texts)            # {text: float32 vector} for those it has

A cache, not part of the index: keyed by the text's hash and the embedding model's name, so an entry is
right for every chunk holding that sentence and for no other model; it is written after the index commit
and never read as a source of truth, so a crash or a full disk costs only speed. Vectors are float16
(a cosine moves by < 1e-3); 100k chunks of ~8 sentences take about 0.7 GB.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_vectors (
    key BLOB PRIMARY KEY,
    vec BLOB NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500  # keys per IN (...) query: under SQLite's variable limit


class SentenceCache:
    def __init__(self, path: Path, model: str):
        self.path = Path(path)
        self.model = model
        self._local = threading.local()
        self._broken = False

    def _db(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=2.0)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:  # a read-only or broken data dir: answers embed as before
                log.warning("sentence vector cache %s unavailable (%s); sentences are embedded per question",
                            self.path, exc)
                self._broken = True
                return None
            self._local.db = db
        return db

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.model}\x00{text}".encode(), digest_size=16).digest()

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """{text: float32 vector} for those of `texts` the cache holds."""
        return {t: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for t, blob in self._rows(texts, "vec")}

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        db = self._db()
        if db is None or not len(texts):
            return
        rows = [(self._key(t), np.asarray(v, dtype=np.float16).tobytes()) for t, v in zip(texts, vectors)]
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO sentence_vectors (key, vec) VALUES (?, ?)", rows)
        except sqlite3.Error as exc:  # busy or full: the next question embeds them again
            log.debug("sentence vector cache write failed: %s", exc)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct `texts` the cache does not hold (all of them when it cannot be read)."""
        have = {t for t, _ in self._rows(texts, "1")}
        return [t for t in dict.fromkeys(texts) if t not in have]

    def _rows(self, texts: Sequence[str], column: str) -> list[tuple[str, object]]:
        """(text, `column`) for each of `texts` stored, read by key in batches; nothing when the cache is unreadable."""
        db = self._db()
        by_key = {self._key(t): t for t in dict.fromkeys(texts)}
        if db is None or not by_key:
            return []
        keys, out = list(by_key), []
        try:
            for i in range(0, len(keys), _CHUNK):
                part = keys[i:i + _CHUNK]
                out += [(by_key[k], v) for k, v in db.execute(
                    f"SELECT key, {column} FROM sentence_vectors WHERE key IN ({','.join('?' * len(part))})", part)]
        except sqlite3.Error as exc:
            log.debug("sentence vector cache read failed: %s", exc)
            return []
        return out

    def __len__(self) -> int:
        db = self._db()
        try:
            return int(db.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]) if db else 0
        except sqlite3.Error:
            return 0
