"""Query latency at 1k / 10k / 100k chunks: our retrievers vs a plain langchain_chroma similarity_search.

Not a test. Synthetic corpora (Zipf-distributed pseudo-words, random unit vectors) are written
straight into a real index (Catalog.commit_document + VectorStore.upsert), so 100k chunks take
minutes, not hours. Queries are embedded with the real model (that cost is part of a question's
latency); all variants run on the same collection in the same process, so ratios are fair.

    .venv/bin/python bench/query.py                     # 1k, 10k, 100k chunks
    .venv/bin/python bench/query.py --sizes 1000 --queries 20
    .venv/bin/python bench/query.py --keep /tmp/lexcite-bench   # reuse the built indexes next time
    .venv/bin/python bench/query.py --torch-threads 2    # torch's default here: see the stall it causes

Prints one table per size (p50 / p95 in ms) and a JSON line per measurement on stdout.
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.retrieval import DenseRetriever, HybridRetriever, LexicalRetriever  # noqa: E402
from ingest.catalog import DocRecord  # noqa: E402
from ingest.embedder import get_embedder  # noqa: E402
from ingest.index import Index  # noqa: E402
from ingest.records import SOURCE_TYPES, Chunk, chunk_id  # noqa: E402
from lexcite.settings import load_settings  # noqa: E402

CHUNKS_PER_DOC = 50
WORDS_PER_CHUNK = 120
VOCAB = 30_000
COMMON = ("the of and to in a is that for by with on as be or shall any person under this which are may "
          "not from an such at it has been other than its all".split())


def vocabulary(rng: np.random.Generator) -> np.ndarray:
    syll = np.array(["ka", "lo", "mi", "ter", "san", "vo", "ri", "den", "pa", "lu", "gor", "ne", "ti", "bra",
                     "sel", "mon", "qui", "ra", "zen", "dol"])
    words = {"".join(rng.choice(syll, size=rng.integers(2, 5))) for _ in range(VOCAB * 2)}
    words = sorted(words)[:VOCAB]
    return np.array(list(COMMON) + words)


def zipf_ids(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    ranks = np.arange(1, size + 1)
    p = 1.0 / ranks**1.07
    return rng.choice(size, size=n, p=p / p.sum())


def build(settings, embedder, n_chunks: int, rng: np.random.Generator, vocab: np.ndarray) -> Index:
    index = Index(settings, embedder)
    have = index.catalog.count_chunks()
    if have == n_chunks:
        return index
    if have:
        raise SystemExit(f"{settings.data_dir} holds {have} chunks, not {n_chunks}: remove it or pick another --keep")
    t0 = time.perf_counter()
    words = vocab[zipf_ids(rng, n_chunks * WORDS_PER_CHUNK, len(vocab))].reshape(n_chunks, WORDS_PER_CHUNK)
    vecs = rng.standard_normal((n_chunks, embedder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for d0 in range(0, n_chunks, CHUNKS_PER_DOC):
        source = f"synthetic/doc{d0 // CHUNKS_PER_DOC:05d}.txt"
        stype = SOURCE_TYPES[(d0 // CHUNKS_PER_DOC) % len(SOURCE_TYPES)]
        chunks, pos = [], 0
        for i in range(d0, min(d0 + CHUNKS_PER_DOC, n_chunks)):
            text = " ".join(words[i]) + "."
            chunks.append(Chunk(chunk_id(source, text), text, source, source, None, f"Section {i - d0 + 1}",
                                pos, pos + len(text), stype, f"h{d0}"))
            pos += len(text) + 1
        index.vectors.upsert([c.id for c in chunks], vecs[d0 : d0 + len(chunks)], [c.text for c in chunks],
                             [c.metadata() for c in chunks])
        index.catalog.commit_document(DocRecord(source, f"h{d0}", source, stype, "en", len(chunks), "", time.time()),
                                      chunks)
    print(f"  built {n_chunks} chunks in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return index


def queries(rng: np.random.Generator, vocab: np.ndarray, n: int) -> list[str]:
    """Question-like: a few common words and 5-9 content words of mixed frequency."""
    out = []
    for _ in range(n):
        content = vocab[len(COMMON) + zipf_ids(rng, int(rng.integers(5, 10)), len(vocab) - len(COMMON))]
        out.append("what does the " + " ".join(content) + " say about a person?")
    return out


def timed(fn, qs: list[str]) -> list[float]:
    fn(qs[0])  # warm-up (model, caches)
    out = []
    for q in qs:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(xs, p)) if xs else float("nan")


def langchain_store(index: Index, embedder):
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    class _Emb(Embeddings):
        def embed_documents(self, texts):
            return embedder.embed(texts).tolist()

        def embed_query(self, text):
            return embedder.embed([text])[0].tolist()

    index.vectors.collection  # opens the client
    return Chroma(client=index.vectors._client, collection_name=index.settings.collection, embedding_function=_Emb())


def run_size(n: int, base: Path, embedder, n_queries: int, k: int) -> list[dict]:
    rng = np.random.default_rng(n)
    vocab = vocabulary(np.random.default_rng(7))
    settings = load_settings(env={}, data_dir=base / f"n{n}", collection=f"bench{n}")
    index = build(settings, embedder, n, rng, vocab)
    qs = queries(np.random.default_rng(1), vocab, n_queries)
    index.catalog.lexical.sync()  # the in-memory lexical index built now, as a server's warm-up starts it
    dense, lexical, hybrid = DenseRetriever(index), LexicalRetriever(index), HybridRetriever(index)
    lc = langchain_store(index, embedder)
    one_source = ["synthetic/doc00001.txt"]
    variants = {
        "embed the query alone (model)": lambda q: embedder.embed([q]),
        "langchain Chroma.similarity_search": lambda q: lc.similarity_search(q, k=k),
        "dense": lambda q: dense.retrieve(q, k),
        "lexical (in-memory copy of FTS5)": lambda q: lexical.retrieve(q, k),
        "hybrid": lambda q: hybrid.retrieve(q, k),
        "hybrid, source_type filter": lambda q: hybrid.retrieve(q, k, source_types=["primary_law"]),
        "hybrid, source filter": lambda q: hybrid.retrieve(q, k, sources=one_source),
        "langchain similarity_search, filter": lambda q: lc.similarity_search(q, k=k, filter={"source_type": "primary_law"}),
    }
    try:
        from assistant.service import Assistant

        per_question = Assistant.from_settings(settings, embedder)
        per_question.scorer.store = None  # every passage sentence embedded when a question needs it (as before)
        at_ingest = Assistant.from_settings(settings, embedder)
        for a in (per_question, at_ingest):
            a.index.catalog.lexical.sync()
        # What ingest (`sentence_vectors = true`) leaves in the sentence cache for the chunks these questions
        # retrieve: filled by one untimed pass, then the in-memory copy dropped, so the timed pass reads the
        # disk cache as a fresh question on an ingested corpus does. (Ingest embeds every chunk's sentences;
        # embedding 100k synthetic chunks' would take an hour here and the lookups cost the same.)
        for q in [qs[0]] + qs:
            at_ingest.ask(q, backend="extractive", k=k)
        at_ingest.scorer._cache.clear()
        variants["ask, sentences embedded per question"] = lambda q: per_question.ask(q, backend="extractive", k=k)
        variants["ask, sentences embedded at ingest"] = lambda q: at_ingest.ask(q, backend="extractive", k=k)
    except Exception as exc:  # the assistant is another team's moving part; the bench still runs
        print(f"  (assistant.ask skipped: {type(exc).__name__}: {exc})", file=sys.stderr)
    rows = []
    for name, fn in variants.items():
        try:
            ms = timed(fn, qs)
        except Exception as exc:
            print(f"  ({name} failed: {type(exc).__name__}: {str(exc)[:120]})", file=sys.stderr)
            continue
        rows.append({"chunks": n, "variant": name, "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1),
                     "queries": len(ms)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--k", type=int, default=6)
    ap.add_argument("--keep", type=Path, default=None, help="build indexes here and reuse them on the next run")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="torch threads for query embedding; with 2 on a busy 2-core box one query stalls ~500 ms")
    ap.add_argument("--encoder", choices=("torch", "onnx"), default="onnx",
                    help="how the embedding model runs (default: onnx, the shipped default encoder_backend)")
    args = ap.parse_args()
    if args.encoder == "torch":
        import torch

        torch.set_num_threads(args.torch_threads)
    embedder = get_embedder("", args.encoder, str(load_settings(env={}).cache_dir))
    embedder.embed(["warm up"])
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="lexcite-bench-")
    base = args.keep or Path(tmp.name)
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"{n} chunks", file=sys.stderr)
        rows = run_size(n, base, embedder, args.queries, args.k)
        print(f"{'variant':<44}{'p50 ms':>9}{'p95 ms':>9}", file=sys.stderr)
        for r in rows:
            print(f"{r['variant']:<44}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}", file=sys.stderr)
            print(json.dumps(r))
        sys.stdout.flush()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
