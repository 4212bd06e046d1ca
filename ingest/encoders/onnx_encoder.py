"""The embedding model on ONNX Runtime: an `Embedder` with the vectors of sentence-transformers, faster.

Tokenizes with the model's own tokenizer.json (the `tokenizers` library, truncated at the model's
max_seq_length exactly as sentence-transformers does), sorts the texts by length so each batch pads
little, and runs the exported graph (mean pooling and normalisation inside it). Neither torch nor
sentence-transformers is imported at run time. The session is built once, lazily, and is safe to call
from several threads (ONNX Runtime's `run` is; the tokenizer is never reconfigured after loading).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ingest.encoders.onnx_export import VARIANTS, ModelLayout, exported_model
from lexcite.errors import ConfigError

log = logging.getLogger(__name__)

BATCH = 32  # texts per run: long enough to amortise the call, short enough that sorted batches pad little


def machine_threads() -> int:
    """The cores this process may use (a container's or taskset's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (or another local BERT sentence-transformers model) on ONNX Runtime."""

    def __init__(self, model_path: str, cache_dir: Path, variant: str = "onnx", name: str = "",
                 batch_size: int = BATCH, threads: int = 0):
        if variant not in VARIANTS:
            raise ConfigError(f"unknown ONNX encoder variant {variant!r}; one of {', '.join(VARIANTS)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model_path = model_path
        self.layout = ModelLayout.read(model_path)
        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.name = name or self.layout.path.name
        self.dim = self.layout.hidden_size
        self.batch_size = batch_size
        self.threads = threads or machine_threads()
        self._session = None
        self._lock = threading.Lock()
        self._tokenizer, self._counter = self._tokenizers()

    def _tokenizers(self):
        from tokenizers import Tokenizer

        path = str(self.layout.path / "tokenizer.json")
        tok = Tokenizer.from_file(path)
        tok.no_padding()  # the shipped file pads to 128; batches are padded here, to their longest text
        tok.enable_truncation(self.layout.max_seq_length)
        counter = Tokenizer.from_file(path)
        counter.no_padding()
        counter.no_truncation()
        return tok, counter

    @property
    def session(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import onnxruntime as ort

                    path = exported_model(self.model_path, self.cache_dir, self.variant)
                    options = ort.SessionOptions()
                    options.intra_op_num_threads = self.threads
                    options.inter_op_num_threads = 1
                    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    options.log_severity_level = 3
                    self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                    self._inputs = {i.name for i in self._session.get_inputs()}
                    log.info("embedding model %s on ONNX Runtime (%s, %d threads)", self.name, self.variant, self.threads)
        return self._session

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        session = self.session
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids), reverse=True)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = len(encodings[rows[0]].ids)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                piece = encodings[i].ids
                ids[r, :len(piece)] = piece
                mask[r, :len(piece)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return out

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=True).ids)
