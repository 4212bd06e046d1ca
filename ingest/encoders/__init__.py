"""Encoder backends for the embedding model: how the same all-MiniLM-L6-v2 weights are run.

- `torch`: sentence-transformers on PyTorch (`ingest.embedder.MiniLMEmbedder`), the reference;
- `onnx`: the same network exported to ONNX (attention, GELU and layer norms fused) and run by ONNX
  Runtime in fp32: the same vectors (cosine to torch >= 0.99999), about twice as fast on a CPU;
- `onnx-int8`: that graph with int8 weights (dynamic quantisation, per output channel), faster still.

The ONNX files are exported from the shipped local weights into `<Settings.cache_dir>/encoders/` on first
use (or by `python -m ingest.onnx_install` at install time), never downloaded.
"""

from ingest.encoders.onnx_encoder import OnnxEmbedder
from ingest.encoders.onnx_export import exported_model

__all__ = ["OnnxEmbedder", "exported_model"]
