"""The verifier's grounding cross-encoder on torch, ONNX (fp32) and ONNX int8, side by side in one process.

Not a test. 100 (sentence, passage) pairs made from a real instrument's sentences (a passage of four
sentences, a sentence from elsewhere in it), each backend timed on the same pairs, interleaved round by
round so a noisy machine hits all three alike; then how far each ONNX variant's probabilities are from
torch's and how many verdicts flip at the shipped threshold.

    .venv/bin/python bench/grounding_backends.py [--doc FILE] [--rounds 3] [--weights DIR ...]

`--weights` adds a row per other weights folder (a distilled student, training/distil.py) on ONNX fp32, timed in
the same rounds; its "max |dp|" and "flipped" compare it with the default weights on torch.

Default document: the first Markdown file of ../shared/legal-dev/docs (or any text file given).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from assistant.grounding.model import WEIGHTS_DIR, GroundingModel  # noqa: E402
from lexcite.text.sentences import split_sentences  # noqa: E402

BACKENDS = ("torch", "onnx", "onnx-int8")


def pairs_of(text: str, n: int = 100) -> list[tuple[str, str]]:
    sents = [s.text.strip() for s in split_sentences(text) if len(s.text.split()) > 6]
    if len(sents) < 8:
        raise SystemExit("the document has too few sentences for 100 pairs")
    return [(sents[(i * 7) % len(sents)], " ".join(sents[i % len(sents):i % len(sents) + 4])) for i in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    legal = Path(os.environ.get("LEXCITE_LEGAL_DEV") or ROOT.parent / "shared" / "legal-dev") / "docs"
    ap.add_argument("--doc", type=Path, default=next(iter(sorted(legal.glob("*.md"))), None))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--weights", type=Path, nargs="*", default=[], help="other weights folders, timed on ONNX")
    args = ap.parse_args()
    if args.doc is None or not args.doc.is_file():
        raise SystemExit("no document: pass --doc FILE (a text or Markdown file)")
    pairs = pairs_of(args.doc.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="lexcite-grounding-") as cache:
        models, loads = {}, {}
        loaded = [(b, WEIGHTS_DIR, b) for b in BACKENDS] + [(f"onnx {w.name}", w, "onnx") for w in args.weights]
        for name, weights, b in loaded:
            if b != "torch":  # the first ONNX load exports (once per install; `make install` does it)
                GroundingModel.load(weights, backend=b, cache_dir=Path(cache))
            t = time.perf_counter()
            models[name] = GroundingModel.load(weights, backend=b, cache_dir=Path(cache))
            loads[name] = time.perf_counter() - t
            models[name].predict(pairs[:4])
        # each runtime at its own batch size (assistant/grounding/model.py BATCH), and ONNX also at 32 pairs a
        # run, the size before 2026-12-02, for the ratio
        variants = [(b, b, 0) for b in BACKENDS] + [("onnx, batch 32", "onnx", 32)] + \
            [(name, name, 0) for name, _, _ in loaded[len(BACKENDS):]]
        times: dict[str, list[float]] = {v: [] for v, _, _ in variants}
        probs = {}
        for _ in range(args.rounds):
            for v, b, batch in variants:
                t = time.perf_counter()
                probs[v] = models[b].predict(pairs, batch_size=batch)
                times[v].append(time.perf_counter() - t)
    threshold = models["torch"].config.threshold
    base = statistics.median(times["torch"])
    print(f"{len(pairs)} pairs from {args.doc.name}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    width = max(15, *(len(v) for v, _, _ in variants))
    print(f"{'backend':<{width}} {'load s':>7} {'100 pairs s (median)':>21} {'vs torch':>9} {'max |dp|':>9} {'flipped':>8}")
    rows = []
    for v, b, _ in variants:
        med = statistics.median(times[v])
        dp = float(np.abs(probs[v] - probs["torch"]).max())
        flipped = int(((probs[v] >= threshold) != (probs["torch"] >= threshold)).sum())
        print(f"{v:<{width}} {loads[b]:>7.2f} {med:>21.3f} {base / med:>8.2f}x {dp:>9.4f} {flipped:>8}")
        rows.append({"backend": v, "load_s": round(loads[b], 2), "pairs_s": round(med, 3), "speedup": round(base / med, 2),
                     "max_prob_diff": round(dp, 5), "flipped": flipped})
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
