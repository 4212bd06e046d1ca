"""Export a local sentence-transformers BERT model (the shipped all-MiniLM-L6-v2) to ONNX, once.

The graph takes `input_ids`, `attention_mask`, `token_type_ids` and returns the mean-pooled,
L2-normalised sentence vector, so ONNX Runtime does all the work sentence-transformers does. Three
steps, each from files on local disk only (torch and transformers are needed here, not at run time):

1. `torch.onnx.export` of the network, with eager attention so that step 2 recognises it;
2. ONNX Runtime's transformer optimiser fuses embeddings + layer norm, attention, bias + GELU and
   skip + layer norm into single kernels (same arithmetic, fewer passes over memory);
3. for `onnx-int8`, dynamic int8 quantisation of the weights, per output channel; the feed-forward
   output projections stay fp32 (quantising them costs most of the accuracy for little speed).

The result is cached as `<cache_dir>/encoders/<variant>-<key>.onnx`, where the key hashes the
model files' contents, this recipe's version and the ONNX Runtime version: changed weights or a new
recipe export anew, and a file is written under a temporary name and renamed, so two processes
exporting at once both end with a whole file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lexcite.errors import ConfigError

log = logging.getLogger(__name__)

RECIPE_VERSION = 1  # bump when the export recipe changes: cached files of the old recipe are then not used
OPSET = 17
VARIANTS = ("onnx", "onnx-int8")
_MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "vocab.txt",
                "sentence_bert_config.json", "modules.json", "1_Pooling/config.json")
_export_lock = threading.Lock()


@dataclass(frozen=True)
class ModelLayout:
    """What the export and the encoder need to know about a sentence-transformers model folder."""

    path: Path
    max_seq_length: int
    hidden_size: int
    num_heads: int

    @classmethod
    def read(cls, model_path: str | Path) -> "ModelLayout":
        path = Path(model_path)
        config = _json(path / "config.json")
        if config.get("model_type") not in ("bert", None):
            raise ConfigError(f"the ONNX encoder backends export BERT models; {path} is a {config.get('model_type')!r} "
                              "model: set LEXCITE_ENCODER_BACKEND=torch")
        pooling = _json(path / "1_Pooling" / "config.json")
        if pooling and not pooling.get("pooling_mode_mean_tokens"):
            raise ConfigError(f"the ONNX encoder backends pool by the mean of the tokens; {path} pools otherwise: "
                              "set LEXCITE_ENCODER_BACKEND=torch")
        if not (path / "tokenizer.json").is_file():
            raise ConfigError(f"{path} has no tokenizer.json (the ONNX encoder tokenizes with it): "
                              "set LEXCITE_ENCODER_BACKEND=torch")
        st = _json(path / "sentence_bert_config.json")
        return cls(path, int(st.get("max_seq_length") or config.get("max_position_embeddings") or 512),
                   int(config.get("hidden_size", 384)), int(config.get("num_attention_heads", 12)))


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path} ({exc}); reinstall the model package") from None


def cache_key(model_path: str | Path, variant: str) -> str:
    """A content hash of the model files, the recipe and the runtime: a cached export is reused only for
    exactly the weights (and the ONNX Runtime) it was made from."""
    import onnxruntime

    h = hashlib.sha256(f"{RECIPE_VERSION}\x00{variant}\x00{OPSET}\x00{onnxruntime.__version__}".encode())
    root = Path(model_path)
    for name in _MODEL_FILES:
        p = root / name
        if p.is_file():
            h.update(name.encode() + b"\x00")
            with p.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:16]


def exported_model(model_path: str | Path, cache_dir: Path, variant: str = "onnx") -> Path:
    """The ONNX file for `variant` of the model at `model_path`, exported into `cache_dir` if missing."""
    if variant not in VARIANTS:
        raise ConfigError(f"unknown ONNX variant {variant!r}; one of {', '.join(VARIANTS)}")
    layout = ModelLayout.read(model_path)
    target = Path(cache_dir) / "encoders" / f"{variant}-{cache_key(model_path, variant)}.onnx"
    return export_once(target, layout, variant, lambda raw: _export_torch(layout, raw),
                       f"exporting {layout.path.name} to ONNX ({variant}) into {target.parent}, once (about 10 s)")


def export_once(target: Path, layout: ModelLayout, variant: str, export: Callable[[Path], None], notice: str) -> Path:
    """`target`, made if missing: `export(path)` writes the raw graph, then the recipe fuses it (and for
    `onnx-int8` quantises it) in a temporary folder beside `target`, renamed into place whole, under a lock, so
    two threads or processes exporting at once both end with a whole file. `layout` gives the graph's shapes."""
    if target.is_file():
        return target
    with _export_lock:
        if target.is_file():
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the model cache {target.parent} ({exc.strerror}); make the data dir "
                              "writable, or set LEXCITE_ENCODER_BACKEND=torch") from None
        log.info("%s", notice)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
            work = Path(tmp)
            export(work / "raw.onnx")
            graph = fuse_kernels(layout, work / "raw.onnx", work / "fused.onnx")
            if variant == "onnx-int8":
                graph = quantize_int8(graph, work / "int8.onnx")
            os.replace(graph, target)
    return target


def _export_torch(layout: ModelLayout, out: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    net = AutoModel.from_pretrained(str(layout.path), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            weight = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = torch.ones(2, 16, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled(net), (sample, sample, torch.zeros_like(sample)), str(out), input_names=names,
                          output_names=["embedding"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}})


def fuse_kernels(layout: ModelLayout, raw: Path, out: Path) -> Path:
    """Fused transformer kernels; the unfused graph when the optimiser does not recognise the model."""
    from onnxruntime.transformers import optimizer

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = optimizer.optimize_model(str(raw), model_type="bert", num_heads=layout.num_heads,
                                             hidden_size=layout.hidden_size, opt_level=1)
            fused = model.get_fused_operator_statistics()
            model.save_model_to_file(str(out))
    except Exception:  # noqa: BLE001 - an unfused graph is correct, only slower
        log.warning("ONNX Runtime could not fuse %s; using the plain exported graph", layout.path.name, exc_info=True)
        return raw
    log.info("fused: %s", {k: v for k, v in fused.items() if v})
    return out


def quantize_int8(graph: Path, out: Path) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(graph), load_external_data=False)
    keep_fp32 = [n.name for n in model.graph.node
                 if n.op_type == "MatMul" and n.name.endswith("/output/dense/MatMul") and "/attention/" not in n.name]
    del model
    root = logging.getLogger()
    quiet = _DropNotice()  # the quantiser logs "please consider pre-processing" on the root logger
    root.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(graph), str(out), weight_type=QuantType.QInt8, per_channel=True,
                             nodes_to_exclude=keep_fp32, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.removeFilter(quiet)
    return out


class _DropNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing" not in record.getMessage()
