"""Encoder backends side by side: speed, vector agreement and retrieval quality (not a test).

    .venv/bin/python bench/encoders.py --beir ../shared/datasets/scifact-dev --split train \
        [--cache /tmp/lexcite-encoders] [--speed-chunks 256] [--rounds 2] [--backends torch,onnx,onnx-int8]

1. **speed**: the same `--speed-chunks` chunk texts (SciFact abstracts, title + text, as the BEIR eval
   embeds them) through each backend's `embed`, rounds interleaved backend by backend, so a busy
   machine slows every backend alike; chunks/s per backend and the ratio to torch (median of rounds).
2. **agreement**: every chunk's vector from each backend against torch's (cosine, min and mean).
3. **quality**: nDCG@10 / recall@100 of dense and hybrid retrieval (eval/beir.py) with each backend's
   vectors, and *mixed*: an index built with torch vectors queried with another backend's (what an
   index built before a backend change meets). Vectors are cached per backend under --cache, so a
   second run only re-times.

Writes bench/out/encoders.json; prints a table on stderr. The gate (issue 18): nDCG@10 within 0.005
of torch.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

from eval.beir import build_index, doc_chunks, embed_chunks, embed_text, load_beir, run_queries  # noqa: E402
from eval.metrics.retrieval import evaluate_run  # noqa: E402
from ingest.embedder import get_embedder  # noqa: E402
from ingest.index import Index  # noqa: E402
from lexcite.settings import load_settings  # noqa: E402

METRICS = ("ndcg@10", "recall@100")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def speed(embedders: dict, texts: list[str], rounds: int) -> dict[str, float]:
    """chunks/s per backend: median over rounds, each round running every backend once, in turn."""
    for e in embedders.values():
        e.embed(texts[:8])  # load and warm
    runs: dict[str, list[float]] = {name: [] for name in embedders}
    for r in range(rounds):
        for name, e in embedders.items():
            t = time.perf_counter()
            e.embed(texts)
            runs[name].append(len(texts) / (time.perf_counter() - t))
            log(f"  round {r + 1}: {name:10s} {runs[name][-1]:6.1f} chunks/s")
    return {name: statistics.median(v) for name, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beir", type=Path, required=True, help="a BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    ap.add_argument("--split", default="train")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "lexcite-encoders",
                    help="exported models and per-backend corpus vectors (reused by a second run)")
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--speed-chunks", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-quality", action="store_true", help="speed and agreement only")
    ap.add_argument("--verifier", action="store_true",
                    help="also the verifier's macro-F1 with each backend's vectors (bench/grounding.py's pairs)")
    ap.add_argument("--no-retrieval", action="store_true", help="skip the nDCG part (e.g. with --verifier)")
    args = ap.parse_args()

    backends = args.backends.split(",")
    assert backends[0] == "torch", "torch first: it is the reference"
    data = load_beir(args.beir, args.split)
    chunks = [c for doc_id, (title, text) in data.corpus.items() for c in doc_chunks(doc_id, title, text)]
    embedders = {b: get_embedder("", b, str(args.cache)) for b in backends}
    log(f"{len(data.corpus)} documents, {len(chunks)} chunks, {len(data.queries)} queries; "
        f"speed on {args.speed_chunks} chunks x {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}")
    step = max(1, len(chunks) // args.speed_chunks)
    sample = [embed_text(c) for c in chunks[::step][: args.speed_chunks]]
    rates = speed(embedders, sample, args.rounds)
    out: dict = {"chunks": len(chunks), "queries": len(data.queries), "speed_chunks": len(sample),
                 "load_average": round(os.getloadavg()[0], 1), "backends": {}}
    for b in backends:
        out["backends"][b] = {"chunks_per_s": round(rates[b], 1), "speed_vs_torch": round(rates[b] / rates["torch"], 2)}
    if not args.no_quality and not args.no_retrieval:
        quality(args, data, chunks, embedders, out)
    if args.verifier:
        verifier_quality(args, embedders, out)
    Path(REPO / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (REPO / "bench" / "out" / "encoders.json").write_text(json.dumps(out, indent=1))
    table(out)
    print(json.dumps(out))


def quality(args, data, chunks, embedders: dict, out: dict) -> None:
    vectors = {}
    for b, e in embedders.items():
        t = time.perf_counter()
        vectors[b] = embed_chunks(e, chunks, args.cache / f"vectors-{b}")
        log(f"  {b}: corpus vectors in {time.perf_counter() - t:.0f} s (0 = from the cache)")
    for b in embedders:
        cos = (vectors[b] * vectors["torch"]).sum(1)
        out["backends"][b]["cosine_to_torch"] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
    with tempfile.TemporaryDirectory(prefix="lexcite-enc-") as tmp:
        built = {}
        for b, e in embedders.items():
            settings = load_settings(env={}, data_dir=Path(tmp) / b, collection="encoders")
            built[b] = (settings, build_index(data, settings, e, args.cache / f"vectors-{b}"))
            out["backends"][b]["quality"] = scores(built[b][1], data)
            log(f"  {b}: {out['backends'][b]['quality']}")
        torch_settings = built["torch"][0]
        for b, e in embedders.items():
            if b == "torch":
                continue
            mixed = Index(torch_settings, e)  # torch-built vectors, queries embedded by backend b
            out["backends"][b]["quality_on_torch_index"] = scores(mixed, data)
            log(f"  torch index, {b} queries: {out['backends'][b]['quality_on_torch_index']}")


def verifier_quality(args, embedders: dict, out: dict) -> None:
    """Macro-F1 of the shipped verifiers (heuristics; cross-encoder + heuristic vetoes) when their
    similarity signals come from each backend's vectors: SciFact's held-out fifth and the corpus pairs,
    the sets of bench/grounding.py. The gate (issue 18): within 0.01 of torch."""
    from assistant.grounding.model import GroundingModel
    from assistant.verify import Verifier
    from assistant.verify.crossenc import CrossEncoderSignal
    from training.grounding_data import is_heldout
    from training.train_grounding import macro_f1

    def pairs(path: Path, heldout: bool) -> list[dict]:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return [r for r in rows if is_heldout(r["id"])] if heldout else rows

    sets = {"SciFact held-out fifth": pairs(args.beir / "grounding_pairs.jsonl", True),
            "corpus pairs": pairs(REPO / "eval" / "data" / "grounding_pairs.jsonl", False)}
    xenc = CrossEncoderSignal(GroundingModel.shared())
    for b, e in embedders.items():
        out["backends"][b]["verifier_macro_f1"] = {}
        for name, verifier in (("heuristics", Verifier(embedder=e)),
                               ("cross-encoder + vetoes", Verifier(embedder=e, cross_encoder=xenc))):
            for set_name, data in sets.items():
                sup = verifier.score_many([(r["answer"], [r["context"]]) for r in data])
                y = np.array([r["label"] == "supported" for r in data])
                f1 = macro_f1(y, np.array([x.supported for x in sup], dtype=float), 0.5)["macro_f1"]
                out["backends"][b]["verifier_macro_f1"][f"{name} / {set_name}"] = round(float(f1), 4)
        log(f"  {b}: verifier macro-F1 {out['backends'][b]['verifier_macro_f1']}")


def scores(index, data) -> dict:
    runs = run_queries(index, data)
    return {name: {m: round(v, 4) for m, v in evaluate_run(runs[name], data.qrels, METRICS).items()}
            for name in ("dense", "hybrid")}


def table(out: dict) -> None:
    log(f"\n{'backend':10s} {'chunks/s':>9s} {'x torch':>8s} {'cos min/mean':>16s}   nDCG@10 dense / hybrid   "
        "(torch index, these queries)")
    ref = out["backends"]["torch"].get("quality")
    for b, r in out["backends"].items():
        cos = r.get("cosine_to_torch", {})
        line = f"{b:10s} {r['chunks_per_s']:9.1f} {r['speed_vs_torch']:8.2f} {cos.get('min', float('nan')):8.4f}/{cos.get('mean', float('nan')):.4f}"
        q = r.get("quality")
        if q and ref:
            line += f"   {q['dense']['ndcg@10']:.4f} / {q['hybrid']['ndcg@10']:.4f}"
            line += f" (d {q['dense']['ndcg@10'] - ref['dense']['ndcg@10']:+.4f} / {q['hybrid']['ndcg@10'] - ref['hybrid']['ndcg@10']:+.4f})"
            m = r.get("quality_on_torch_index")
            if m:
                line += f"   ({m['dense']['ndcg@10']:.4f} / {m['hybrid']['ndcg@10']:.4f})"
        log(line)
    for b, r in out["backends"].items():
        for what, f1 in r.get("verifier_macro_f1", {}).items():
            ref_f1 = out["backends"]["torch"]["verifier_macro_f1"][what]
            log(f"verifier {b:10s} {what:48s} macro-F1 {f1:.4f} ({f1 - ref_f1:+.4f} vs torch)")


if __name__ == "__main__":
    main()
