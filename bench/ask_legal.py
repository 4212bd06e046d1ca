"""`ask` latency on real legal instruments: the shipped corpus plus the six legal-dev documents, the 40
legal-dev questions, the extractive backend with the grounding-model verifier.

Not a test. Two variants in one process on one index, interleaved question by question after an untimed
pass that fills the caches, so the ratio is fair on a noisy machine:
    first-pass   the default, on the first ask of each question (sentence vectors not cached yet)
    default      a sentence that quotes its cited passage word for word is supported without the model
    model-all    every sentence is scored by the cross-encoder (what the verifier did before)

    .venv/bin/python bench/ask_legal.py                        # ingests into a temp dir first (~2 min)
    .venv/bin/python bench/ask_legal.py --keep /tmp/lexcite-legal --rounds 3
    .venv/bin/python bench/ask_legal.py --legal-dev ../shared/legal-dev

Prints p50 / p95 per stage (ms) for each variant and one JSON line per variant on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import assistant.verify as verify  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from ingest.embedder import get_embedder  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from lexcite.settings import load_settings  # noqa: E402

STAGES = ("retrieve", "answer", "verify", "total")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def run(a: Assistant, questions: list[str], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Both variants question by question (interleaved), after a first pass (its own row: the sentence-vector
    cache cold, as for a question on passages nobody asked about yet) that fills the caches."""
    results: dict[str, dict[str, list[float]]] = {v: {s: [] for s in STAGES} for v in ("first-pass", "default",
                                                                                        "model-all")}
    for q in questions:
        t = a.ask(q).timings_ms
        for s in STAGES:
            results["first-pass"][s].append(t.get(s, 0.0))
    keep = verify.verbatim_in
    for _ in range(rounds):
        for q in questions:
            for variant in ("default", "model-all"):
                verify.verbatim_in = keep if variant == "default" else (lambda sentence, passages: None)
                try:
                    t = a.ask(q).timings_ms
                finally:
                    verify.verbatim_in = keep
                for s in STAGES:
                    results[variant][s].append(t.get(s, 0.0))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--legal-dev", type=Path, default=ROOT.parent / "shared" / "legal-dev")
    ap.add_argument("--keep", type=Path, help="index folder to build once and reuse")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    if not (args.legal_dev / "questions.jsonl").is_file():
        print(f"no legal-dev folder at {args.legal_dev}; pass --legal-dev DIR", file=sys.stderr)
        return 2
    data = args.keep or Path(tempfile.mkdtemp(prefix="lexcite-legal-"))
    settings = load_settings(env={}, data_dir=data, audit_log=False, verifier="model")
    embedder = get_embedder("")
    report = Ingestor(settings, embedder).run([ROOT / "corpus", args.legal_dev / "docs"])
    print(f"index: {report.chunks} chunks in {data}", file=sys.stderr)
    questions = [json.loads(x)["question"] for x in (args.legal_dev / "questions.jsonl").read_text().splitlines() if x]
    a = Assistant.from_settings(settings, embedder)
    a.ask(questions[0])  # load both models before the clock starts
    results = run(a, questions, args.rounds)
    print(f"{'variant':10} " + " ".join(f"{s + ' p50':>12} {s + ' p95':>12}" for s in STAGES), file=sys.stderr)
    for name, times in results.items():
        print(f"{name:10} " + " ".join(f"{statistics.median(times[s]):12.0f} {pct(times[s], 0.95):12.0f}"
                                      for s in STAGES), file=sys.stderr)
        print(json.dumps({"variant": name, "questions": len(questions), "rounds": args.rounds,
                          **{f"{s}_p50_ms": round(statistics.median(times[s]), 1) for s in STAGES},
                          **{f"{s}_p95_ms": round(pct(times[s], 0.95), 1) for s in STAGES}}))
    ratio = statistics.median(results["model-all"]["total"]) / max(1e-9, statistics.median(results["default"]["total"]))
    print(f"total p50, model-all / default: {ratio:.2f}x", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
