"""A smaller grounding cross-encoder that learns to judge as a larger one does (knowledge distillation), so
the verifier scores its pairs faster with the same verdicts.

    python -m training.distil student --teacher assistant/grounding/weights-nli --keep 0 2 4 5 --out /tmp/d/base
    python -m training.distil train --teacher assistant/grounding/weights-nli --student /tmp/d/base --out /tmp/d/run \
        --steps 3000 --max-minutes 45          # again with --resume to go on
    python -m training.lodo score --model /tmp/d/run/model --out /tmp/d/eval --name student --max-len 160 --window-tokens 120
    python -m training.lodo ship --model /tmp/d/run/model --scores /tmp/d/eval/scores/student.json --weights-dir W

The student is the teacher's own network with some encoder layers kept (`--keep`, e.g. four of six: about
two thirds of the work a pair). It trains on the teacher's training mix (the train splits of the shippable sets
and the synthetic recipes, training/lodo_train.py) with the teacher's probability of each pair as its target,
read the way the student reads it (sentence and passage truncated to the same word pieces), computed once and
kept in `<out>/targets.json`. Training resumes from its checkpoints like `training.lodo train`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from training.lodo_train import TrainConfig, add_recipe_shares, recipe_shares, train, training_mix
from training.nli_data import SETS, LabelledPair

TEACHER_BATCH = 32


def student_from(teacher: Path, keep: Sequence[int], out: Path) -> Path:
    """A CrossEncoder folder holding the teacher's network with only the encoder layers `keep` (in order)."""
    import torch
    from sentence_transformers import CrossEncoder

    from training.lodo_ship import unship

    from assistant.grounding.model import WEIGHTS_FILE

    shipped = (teacher / WEIGHTS_FILE).is_file()  # a shipped weights folder, not a CrossEncoder folder
    folder = unship(teacher, out.parent / (out.name + "-teacher")) if shipped else teacher
    model = CrossEncoder(str(folder), num_labels=1, local_files_only=True)
    bert = model.model.bert
    layers = list(bert.encoder.layer)
    if not keep or any(i < 0 or i >= len(layers) for i in keep) or list(keep) != sorted(set(keep)):
        raise SystemExit(f"--keep: distinct layer numbers in order, each in 0..{len(layers) - 1}")
    bert.encoder.layer = torch.nn.ModuleList(layers[i] for i in keep)
    bert.config.num_hidden_layers = len(keep)
    model.model.config.num_hidden_layers = len(keep)
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return out


def _pairs_hash(pairs: Sequence[LabelledPair]) -> str:
    h = hashlib.sha256()
    for p in pairs:
        h.update(f"{p.hypothesis}\x00{p.premise}\x01".encode())
    return h.hexdigest()[:16]


def teacher_probabilities(teacher: Path, pairs: Sequence[LabelledPair], max_len: int, cache: Path) -> list[float]:
    """The teacher's P(supported) of each pair, truncated to `max_len` word pieces as training reads it (no
    windows); kept in `cache` for the same pairs, so a resumed run does not score them again."""
    key = _pairs_hash(pairs)
    if cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("pairs") == key:
            return data["probabilities"]
    from tqdm import tqdm

    from assistant.grounding.model import GroundingModel

    model = GroundingModel.load(teacher, backend="onnx", cache_dir=cache.parent / "onnx")
    # in length order, a whole number of batches at a time, so the progress bar moves and the batches are the ones
    # one call over all pairs would make
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].premise) + len(pairs[i].hypothesis))
    logits = np.empty(len(pairs), dtype=np.float32)
    step = TEACHER_BATCH * 20
    for b in tqdm(range(0, len(order), step), desc="teacher", unit="batch", unit_scale=20):
        idx = order[b : b + step]
        logits[idx] = model.logits([(pairs[i].hypothesis, pairs[i].premise) for i in idx], max_len=max_len,
                                   batch_size=TEACHER_BATCH)
    probs = [round(float(x), 5) for x in 1 / (1 + np.exp(-logits))]
    cache.write_text(json.dumps({"pairs": key, "teacher": str(teacher), "probabilities": probs}), encoding="utf-8")
    return probs


def _config(args, base: Path) -> TrainConfig:
    sets = tuple(n for n, info in SETS.items() if info.shippable and n != "recipes")
    return TrainConfig(out_dir=args.out, train_sets=sets, nli_root=args.nli, scifact_root=args.scifact,
                       per_set=args.per_set, steps=args.steps, batch=args.batch, lr=args.lr,
                       max_minutes=args.max_minutes, base=str(base), synthetic_share=args.synthetic_share,
                       recipes="full", **recipe_shares(args), frozen_layers=args.frozen_layers, head_lr_factor=1.0)  # the head is the teacher's, not new


def cmd_train(args) -> None:
    if (args.out / "checkpoint").exists() and not args.resume:
        sys.exit(f"{args.out}/checkpoint exists: pass --resume to continue it, or choose another --out")
    cfg = _config(args, args.student)
    pairs, counts = training_mix(cfg)
    args.out.mkdir(parents=True, exist_ok=True)
    targets = teacher_probabilities(args.teacher, pairs, cfg.max_len, args.out / "targets.json")
    result = train(cfg, given=pairs, targets=targets, counts=counts)  # the record names the sets, as lodo's
    print(json.dumps({"out": str(result.out_dir), "steps_done": result.steps_done, "finished": result.finished,
                      "minutes": round(result.minutes, 1), "data": counts, "teacher": str(args.teacher)}, indent=1))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m training.distil", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("student", help="the teacher's network with fewer encoder layers, as a CrossEncoder folder")
    p.add_argument("--teacher", type=Path, required=True, help="shipped weights folder or CrossEncoder folder")
    p.add_argument("--keep", type=int, nargs="+", required=True, help="encoder layers to keep, e.g. 0 2 4 5")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("train", help="train the student on the teacher's probabilities (resumable)")
    p.add_argument("--teacher", type=Path, required=True, help="the teacher's shipped weights folder")
    p.add_argument("--student", type=Path, required=True, help="`student` output")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--nli", type=Path, default=Path("../shared/datasets/nli"))
    p.add_argument("--scifact", type=Path, default=Path("../shared/datasets/scifact-dev"))
    p.add_argument("--per-set", type=int, default=3000)
    p.add_argument("--synthetic-share", type=float, default=1.0)
    add_recipe_shares(p, negated=0.5, neighbour=0.3, context=0.5, splice=0.3, flip=0.6)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--frozen-layers", type=int, default=1)
    p.add_argument("--max-minutes", type=float, default=45.0)
    p.add_argument("--resume", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "student":
        print(json.dumps({"student": str(student_from(args.teacher, args.keep, args.out))}))
    else:
        cmd_train(args)


if __name__ == "__main__":
    main()
