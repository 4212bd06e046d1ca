"""Heuristic verifier vs the grounding cross-encoder, side by side on the same pairs (not a test).

    .venv/bin/python bench/grounding.py --scifact ../shared/datasets/scifact-dev

Sets: the held-out fifth of SciFact's real (claim, abstract) pairs (never trained on; see
training/train_grounding.py) and the corpus-built pairs in eval/data/grounding_pairs.jsonl. Reports
macro-F1 per verifier at its shipped threshold, the cross-encoder's load time and the time to
score 100 sentence-passage pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from training.grounding_data import is_heldout  # noqa: E402
from training.train_grounding import macro_f1  # noqa: E402


def rows(path: Path, heldout_only: bool) -> list[dict]:
    out = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    return [r for r in out if is_heldout(r["id"])] if heldout_only else out


def evaluate(name: str, verifier, data: list[dict]) -> dict:
    t = time.perf_counter()
    sup = verifier.score_many([(r["answer"], [r["context"]]) for r in data])
    dt = time.perf_counter() - t
    y = np.array([r["label"] == "supported" for r in data])
    pred = np.array([s.supported for s in sup], dtype=float)
    m = macro_f1(y, pred, 0.5)
    return {"verifier": name, "pairs": len(data), "macro_f1": m["macro_f1"],
            "supported": m["supported"], "unsupported": m["unsupported"], "seconds": round(dt, 1)}


def plot(results: dict, path: Path) -> None:
    """Macro-F1 per verifier, one group of bars per set: the comparison people look at first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(results["sets"])
    if not sets:
        return
    names = [r["verifier"] for r in results["sets"][sets[0]]]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=120)
    width = 0.8 / len(names)
    for j, name in enumerate(names):
        vals = [results["sets"][s][j]["macro_f1"] for s in sets]
        bars = ax.bar([i + j * width for i in range(len(sets))], vals, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.axhline(0.80, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(sets))], sets)
    ax.set_ylim(0, 1.18)
    ax.set_ylabel("macro-F1")
    ax.set_title("Grounding: heuristics vs cross-encoder (dashed: 0.80 goal)", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", ncol=len(names), frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"plot: {path}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scifact", type=Path, default=Path(__file__).resolve().parents[2] / "shared/datasets/scifact-dev")
    ap.add_argument("--weights", type=Path, default=None, help="a weights folder (default: the shipped one)")
    ap.add_argument("--corpus-pairs", type=Path, default=Path("eval/data/grounding_pairs.jsonl"))
    ap.add_argument("--plot", type=Path, default=Path("bench/out/grounding.png"), help="bar chart of macro-F1")
    args = ap.parse_args()

    from assistant.grounding.model import WEIGHTS_DIR, GroundingModel
    from assistant.verify import Verifier
    from assistant.verify.crossenc import CrossEncoderSignal
    from ingest.embedder import get_embedder

    weights = args.weights or WEIGHTS_DIR
    # Cold: a new process that imports torch + transformers and loads the model (CLI start-up).
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from assistant.grounding.model import GroundingModel; GroundingModel.load(Path(sys.argv[1]))",
                    str(weights)], check=True, cwd=Path(__file__).resolve().parents[1], capture_output=True)
    cold_s = time.perf_counter() - t
    # Warm: inside the app, where the embedding model (hence torch and transformers) is already up.
    emb = get_embedder("")
    emb.embed(["warm up"])
    t = time.perf_counter()
    model = GroundingModel.load(weights)
    load_s = time.perf_counter() - t
    pairs = [("The penalty is imprisonment of up to ten years.", "Article 4. " + "The penalty for this offence "
              "shall be imprisonment of up to ten years. " * 3)] * 100
    model.predict(pairs[:4])
    t = time.perf_counter()
    model.predict(pairs)
    per100 = time.perf_counter() - t

    sets = []
    if (args.scifact / "grounding_pairs.jsonl").is_file():
        sets.append(("SciFact held-out fifth", rows(args.scifact / "grounding_pairs.jsonl", True)))
    if args.corpus_pairs.is_file():
        sets.append(("corpus pairs", rows(args.corpus_pairs, False)))
    xenc = CrossEncoderSignal(model)
    verifiers = [
        ("heuristics (logistic, shipped)", Verifier(embedder=emb)),
        ("cross-encoder + vetoes (shipped)", Verifier(embedder=emb, cross_encoder=xenc)),
        ("cross-encoder alone", Verifier(embedder=emb, cross_encoder=xenc, signals=[])),
    ]
    # "alone": no heuristic signals, hence no vetoes
    results = {"load_seconds": round(load_s, 2), "cold_process_load_seconds": round(cold_s, 2),
               "score_100_pairs_seconds": round(per100, 2), "sets": {}}
    for set_name, data in sets:
        results["sets"][set_name] = [evaluate(n, v, data) for n, v in verifiers]
    print(json.dumps(results, indent=1))
    plot(results, args.plot)
    print(f"\nload {load_s:.2f} s in the app (a new process with its imports: {cold_s:.2f} s); "
          f"100 pairs {per100:.2f} s", file=sys.stderr)
    for set_name, res in results["sets"].items():
        print(f"\n{set_name} ({res[0]['pairs']} pairs)", file=sys.stderr)
        print(f"  {'verifier':36} {'macro-F1':>8} {'sup P/R':>13} {'unsup P/R':>13}", file=sys.stderr)
        for r in res:
            s, u = r["supported"], r["unsupported"]
            print(f"  {r['verifier']:36} {r['macro_f1']:8.3f} {s['precision']:6.2f}/{s['recall']:.2f} "
                  f"{u['precision']:6.2f}/{u['recall']:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
