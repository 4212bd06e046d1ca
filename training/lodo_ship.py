"""Turn a trained `sentence_transformers.CrossEncoder` folder into the grounding model's shipped layout.

    python -m training.lodo ship --model /tmp/s25/all/model --scores /tmp/s25/eval/scores/trained-all.json \
        --weights-dir assistant/grounding/weights

The CrossEncoder is a BertForSequenceClassification (`bert.*`, `classifier.*`); the shipped network
(`assistant.grounding.model.build_network`, pooling "pooler") holds the same tensors as `encoder.*` and
`head.*`. Written: `grounding-minilm.safetensors` (fp16, without the word-embedding matrix, which stayed
frozen in training and is read from the base model at load), `config.json` (window, maximum length,
pooling, and the decision threshold) and `training.json` (the training record and how the threshold was
chosen). The threshold is the one with the best macro-F1 on the pooled *threshold* splits of every set
in the scores file: no test-split pair takes part, so every test-split figure stays honest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from training.lodo_report import pooled_threshold

_WORD_EMB = "bert.embeddings.word_embeddings.weight"


@dataclass(frozen=True)
class Shipped:
    weights_dir: Path
    threshold: float
    threshold_pairs: int
    tensors: int


def _threshold(scores_file: Path) -> tuple[float, int]:
    """The best-macro-F1 threshold on the threshold splits of every set in a `training.lodo score` file."""
    data = json.loads(Path(scores_file).read_text(encoding="utf-8"))
    n = sum(len(by["threshold"]["gold"]) for by in data["sets"].values() if "threshold" in by)
    if not n:
        raise SystemExit(f"{scores_file} has no threshold-split scores: run `training.lodo score` first")
    return pooled_threshold(data), n


def renamed(key: str) -> str | None:
    """The shipped network's name for a CrossEncoder tensor; None for the frozen word embeddings."""
    if key == _WORD_EMB:
        return None
    if key.startswith("bert."):
        return "encoder." + key.removeprefix("bert.")
    if key.startswith("classifier."):
        return "head." + key.removeprefix("classifier.")
    raise ValueError(f"unexpected tensor {key!r} in the CrossEncoder: is it a BertForSequenceClassification?")


def original_name(key: str) -> str:
    """The CrossEncoder's name for a shipped tensor: the reverse of `renamed`."""
    if key.startswith("encoder."):
        return "bert." + key.removeprefix("encoder.")
    if key.startswith("head."):
        return "classifier." + key.removeprefix("head.")
    raise ValueError(f"unexpected tensor {key!r} in the shipped weights: did `ship` write them?")


def _base_layers() -> int:
    from assistant.grounding.model import _base_path

    return json.loads((Path(_base_path()) / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"]


def ship(model_dir: Path, scores_file: Path, weights_dir: Path, max_len: int = 160, window_tokens: int = 120) -> Shipped:
    from safetensors import safe_open
    from safetensors.torch import save_file

    from assistant.grounding.model import CONFIG_FILE, WEIGHTS_FILE

    model_dir, weights_dir = Path(model_dir), Path(weights_dir)
    threshold, n = _threshold(scores_file)
    state = {}
    with safe_open(str(model_dir / "model.safetensors"), "pt") as f:
        for key in f.keys():
            name = renamed(key)
            if name is not None:
                state[name] = f.get_tensor(key).half().contiguous()
    weights_dir.mkdir(parents=True, exist_ok=True)
    save_file(state, str(weights_dir / WEIGHTS_FILE))
    config = {"max_len": max_len, "window_tokens": window_tokens, "threshold": threshold, "pooling": "pooler"}
    layers = json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("num_hidden_layers", 0)
    if layers and layers != _base_layers():  # a distilled student (training/distil.py)
        config["layers"] = layers
    (weights_dir / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    record_file = model_dir.parent / "training.json"
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    record["threshold"] = {"value": threshold, "chosen_on": f"pooled threshold splits, {n} pairs",
                           "scores": Path(scores_file).name}
    (weights_dir / "training.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return Shipped(weights_dir, threshold, n, len(state))


def unship(weights_dir: Path, out_dir: Path) -> Path:
    """The reverse of `ship`: a `sentence_transformers.CrossEncoder` folder holding the shipped weights (fp16
    read back into fp32, the word embeddings from the base model), so training can go on from what ships
    when the run's own folders are gone (`training.lodo train --base OUT`)."""
    import torch
    from safetensors.torch import load_file
    from sentence_transformers import CrossEncoder

    from assistant.grounding.model import CONFIG_FILE, WEIGHTS_FILE, ModelConfig, _base_path

    weights_dir, out_dir = Path(weights_dir), Path(out_dir)
    if ModelConfig.read(weights_dir / CONFIG_FILE).pooling != "pooler":
        raise SystemExit(f"{weights_dir} uses pooling 'cls' (training/train_grounding.py's layout): only weights "
                         "that `ship` wrote (pooling 'pooler') turn back into a CrossEncoder")
    layers = ModelConfig.read(weights_dir / CONFIG_FILE).layers
    model = CrossEncoder(_base_path(), num_labels=1, local_files_only=True,
                         config_kwargs={"num_hidden_layers": layers} if layers else None)
    back = {original_name(k): v for k, v in load_file(str(weights_dir / WEIGHTS_FILE)).items()}
    state = model.model.state_dict()
    unknown = sorted(set(back) - set(state))
    if unknown:
        raise SystemExit(f"{weights_dir}: tensors {unknown[:3]} have no place in a CrossEncoder")
    with torch.no_grad():
        for k, v in back.items():
            state[k].copy_(v.float())
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    return out_dir
