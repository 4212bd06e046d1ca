"""The grounding cross-encoder on ONNX Runtime: the network of `model.build_network` with the shipped
weights, exported once into `<cache_dir>/grounding/` and run without torch in the loop.

    path = exported_net(cache_dir, "onnx", inputs, base_model, export)   # model.py's `onnx_file` calls it
    net = OnnxNet(path)
    logits = net(input_ids, attention_mask, token_type_ids)   # numpy int64 arrays -> float32 logits

The export reuses the embedding model's recipe (ingest/encoders/onnx_export.py): eager attention so ONNX
Runtime's transformer optimiser fuses it, then for `onnx-int8` dynamic int8 weights. The file name hashes
the shipped weights, their config, the recipe and the ONNX Runtime version, and is written under a
temporary name then renamed, so a changed model exports anew and two processes never read half a file.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ingest.encoders.onnx_encoder import machine_threads
from ingest.encoders.onnx_export import OPSET, VARIANTS, ModelLayout, export_once
from lexcite.errors import ConfigError

RECIPE_VERSION = 1
_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def exported_net(cache_dir: Path, variant: str, inputs: Sequence[Path], base_model: Path,
                 export: Callable[[Path], None]) -> Path:
    """The ONNX file for `variant` of the model made from the files `inputs`, exported into `cache_dir` if
    missing: `export(path)` writes the raw graph there; `base_model` (a BERT folder) gives its shapes."""
    if variant not in VARIANTS:
        raise ConfigError(f"unknown ONNX variant {variant!r}; one of {', '.join(VARIANTS)}")
    import onnxruntime

    h = hashlib.sha256(f"{RECIPE_VERSION}\x00{variant}\x00{OPSET}\x00{onnxruntime.__version__}".encode())
    for p in inputs:
        if p.is_file():
            h.update(p.name.encode() + b"\x00" + p.read_bytes())
    target = Path(cache_dir) / "grounding" / f"{variant}-{h.hexdigest()[:16]}.onnx"
    return export_once(target, ModelLayout.read(base_model), variant, export,
                       f"exporting the grounding model to ONNX ({variant}) into {target.parent}, once (a few seconds)")


def export_torch(net, out: Path) -> None:
    """`torch.onnx.export` of a (input_ids, attention_mask, token_type_ids) -> logit network."""
    import torch

    sample = torch.ones(2, 16, dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (sample, sample, torch.zeros_like(sample)), str(out), input_names=_NAMES,
                          output_names=["logit"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in _NAMES}, "logit": {0: "batch"}})


class OnnxNet:
    """Callable like the torch network, on numpy arrays; safe to call from several threads."""

    def __init__(self, path: Path, threads: int = 0):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or machine_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}

    def __call__(self, input_ids, attention_mask, token_type_ids) -> np.ndarray:
        feed = dict(zip(_NAMES, (input_ids, attention_mask, token_type_ids)))
        return self.session.run(None, {k: np.asarray(v, dtype=np.int64) for k, v in feed.items()
                                       if k in self._inputs})[0].reshape(-1)
