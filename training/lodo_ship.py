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
    (weights_dir / CONFIG_FILE).write_text(json.dumps(
        {"max_len": max_len, "window_tokens": window_tokens, "threshold": threshold, "pooling": "pooler"},
        indent=1) + "\n", encoding="utf-8")
    record_file = model_dir.parent / "training.json"
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    record["threshold"] = {"value": threshold, "chosen_on": f"pooled threshold splits, {n} pairs",
                           "scores": Path(scores_file).name}
    (weights_dir / "training.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return Shipped(weights_dir, threshold, n, len(state))
