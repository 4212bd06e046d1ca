"""Ingest throughput: the whole `lexcite ingest` against a bare SentenceTransformer.encode of the
same chunk texts, in the same run, plus the time of a re-ingest of the unchanged corpus.

    .venv/bin/python bench/ingest.py [--chunks 2000] [--json]

The corpus is the shipped corpus/ plus generated legal-style documents (plain text, Markdown,
real PDFs and HTML) until it holds about --chunks chunks. The model is loaded and warmed up before
anything is timed; the bare encode runs before and after the ingest and its mean is the baseline.
Goal: ratio = ingest chunks/s / bare chunks/s >= 0.8 (parse + chunk + store cost < 20% on top).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the repository root, for tests.support
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def build_corpus(folder: Path, target_chunks: int) -> tuple[int, int]:
    """Copy the shipped corpus, then add generated documents until the chunker yields ~target chunks."""
    from tests.support import docs  # tests/support/docs.py: real PDFs and HTML
    from tests.support.legal_corpus import legal_text

    from ingest import chunker, loaders

    shutil.copytree(REPO / "corpus", folder)
    total = sum(len(chunker.chunk(loaders.load(p, f"corpus/{p.name}"))) for p in folder.iterdir()
                if p.suffix in loaders.SUPPORTED and not p.name.lower().startswith("readme"))
    n = 0
    while total < target_chunks:
        text = legal_text(n, articles=8, seed=42)
        kind = n % 5
        if kind == 3:  # a real PDF, 40 lines a page
            lines = text.splitlines()
            path = docs.make_pdf(folder / f"act-{n:04d}.pdf", [lines[i:i + 40] for i in range(0, len(lines), 40)])
        elif kind == 4:  # HTML with headings
            body = "".join(f"<h2>{line}</h2>" if line.startswith("Article") else f"<p>{line}</p>"
                           for line in text.splitlines() if line)
            path = folder / f"act-{n:04d}.html"
            path.write_text(f"<html><head><title>Act {n}</title></head><body><nav>menu</nav>{body}</body></html>")
        else:
            path = folder / f"act-{n:04d}.{'md' if kind == 1 else 'txt'}"
            path.write_text(text, encoding="utf-8")
        total += len(chunker.chunk(loaders.load(path, f"corpus/{path.name}")))
        n += 1
    return n, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=2000, help="corpus size in chunks (default 2000)")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = ap.parse_args()

    from ingest.embedder import get_embedder
    from ingest.index import Index
    from ingest.pipeline import Ingestor
    from lexcite.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="lexcite-bench-"))
    try:
        corpus = work / "corpus"
        generated, expected = build_corpus(corpus, args.chunks)
        embedder = get_embedder("")
        model = embedder.model
        model.encode(["warm up the model"] * 64, batch_size=64)
        settings = load_settings(env={}, data_dir=work / "data", corpus_dir=corpus)

        def bare(texts: list[str]) -> float:
            t = time.perf_counter()
            model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False)
            return time.perf_counter() - t

        texts = [c.text for p in sorted(corpus.iterdir()) for c in _chunks(p)]
        bare_before = bare(texts)
        report = Ingestor(settings, embedder).run([corpus])
        bare_after = bare(texts)
        calls = _count_embed_calls(embedder)
        t = time.perf_counter()
        again = Ingestor(settings, embedder).run([corpus])
        reingest_s = time.perf_counter() - t
        chunks = Index(settings, embedder).catalog.count_chunks()
        assert chunks == len(texts) == report.chunks, (chunks, len(texts), report.chunks)
        assert not report.failed, report.failed
        bare_s = (bare_before + bare_after) / 2
        figures = {
            "documents": report.added, "generated_documents": generated, "chunks": chunks,
            "ingest_s": round(report.timings_s["total"], 2), "ingest_chunks_per_s": round(chunks / report.timings_s["total"], 1),
            "bare_encode_s": round(bare_s, 2), "bare_chunks_per_s": round(chunks / bare_s, 1),
            "ratio": round(bare_s / report.timings_s["total"], 3),
            "timings_s": {k: round(v, 2) for k, v in report.timings_s.items()},
            "reingest_unchanged_s": round(reingest_s, 2), "reingest_embed_calls": calls[0],
            "reingest_unchanged": again.unchanged,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"corpus: {figures['documents']} documents ({figures['generated_documents']} generated), {figures['chunks']} chunks")
    print(f"bare SentenceTransformer.encode : {figures['bare_encode_s']:7.2f} s  {figures['bare_chunks_per_s']:7.1f} chunks/s"
          f"  (mean of {bare_before:.2f} s before and {bare_after:.2f} s after)")
    print(f"whole ingest                    : {figures['ingest_s']:7.2f} s  {figures['ingest_chunks_per_s']:7.1f} chunks/s"
          f"  (parse {figures['timings_s']['parse']}, chunk {figures['timings_s']['chunk']}, "
          f"embed {figures['timings_s']['embed']}, store {figures['timings_s']['store']})")
    print(f"ratio ingest/bare               : {figures['ratio']:.2f}  (goal >= 0.80)")
    print(f"re-ingest, unchanged corpus     : {figures['reingest_unchanged_s']:7.2f} s  "
          f"({figures['reingest_unchanged']} unchanged, {figures['reingest_embed_calls']} embedding calls)")
    if args.json:
        print(json.dumps(figures))


def _chunks(path: Path):
    from ingest import chunker, loaders

    if path.suffix not in loaders.SUPPORTED or path.name.lower().startswith("readme"):
        return []
    return chunker.chunk(loaders.load(path, f"corpus/{path.name}"))


def _count_embed_calls(embedder) -> list[int]:
    calls = [0]
    real = embedder.embed

    def counting(texts):
        calls[0] += 1
        return real(texts)

    embedder.embed = counting
    return calls


if __name__ == "__main__":
    main()
