"""Lexcite at 100k chunks: build time, peak memory, disk, query p50/p95, re-ingest of an unchanged corpus.

Not a test. Four phases, each printed as it finishes (a table on stderr, one JSON line per figure
on stdout):

1. build  - N synthetic chunks (Zipf-distributed pseudo-words, random unit vectors of the model's
            384 dimensions) go through the real write path, `Index.write_documents` (pending ids,
            Chroma upsert, one catalog transaction per document, FTS by trigger), in batches of
            documents like an ingest. Peak RSS of the building process, disk use of data_dir.
2. query  - a fresh child process opens the built index and times dense (Chroma HNSW, query
            vector given), lexical and hybrid (both, fused; queries embedded with the hash embedder,
            ~0.1 ms) retrieval, each without and with metadata filters (source_type; one source).
            Lexical side by side: FTS5 (its query plan printed), two cheaper FTS5 forms (the words
            held by more than half / 5% of the chunks left out), then the in-memory sparse index
            (ingest/lexical_sparse.py: its build time, memory and a check that it scores like FTS5).
            The child's peak RSS is what serving that index costs.
3. pipeline - a folder of real text files through `Ingestor` (walk, hash, parse, chunk, embed with
            the hash embedder, store) into the same 100k index, then again unchanged: the re-ingest
            time is what `make run` pays on every start.
The real embedding model is never loaded: the point is the store, not the model (bench/ingest.py
and bench/query.py measure the model's share).

    .venv/bin/python bench/scale.py                         # 100k chunks, ~5-10 min on 2 busy cores
    .venv/bin/python bench/scale.py --chunks 10000 --files 100 --queries 50   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from ingest.catalog import DocRecord  # noqa: E402,F401  (imported for symmetry with the write path)
from ingest.embedder import DIM, HashEmbedder  # noqa: E402
from ingest.index import DocumentWrite, Index  # noqa: E402
from ingest.lexical_sparse import Tokenizer  # noqa: E402
from ingest.records import SOURCE_TYPES, Chunk, Document, chunk_id  # noqa: E402
from lexcite.settings import load_settings  # noqa: E402

CHUNKS_PER_DOC = 50
DOCS_PER_WRITE = 20  # documents per Index.write_documents call (~1000 chunks, like an embed batch)
WORDS_PER_CHUNK = 110
SYLLABLES = ("ka lo mi ter san vo ri den pa lu gor ne ti bra sel mon qui ra zen dol").split()
COMMON = "the of and to in a is that for by with on as be or shall any person under this which are may".split()


def emit(row: dict) -> None:
    print(json.dumps(row), flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds this process has used (user + system): on a shared machine wall time lies, this does not."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load() -> float:
    return round(os.getloadavg()[0], 1)


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def vocabulary(rng: np.random.Generator, size: int = 30_000) -> np.ndarray:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5)))))
    return np.array(COMMON + sorted(words))


def zipf(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    p = 1.0 / np.arange(1, size + 1) ** 1.07
    return rng.choice(size, size=n, p=p / p.sum())


def settings_for(data: Path):
    return load_settings(env={}, data_dir=data, embedding_model="hash", collection="scale")


# ---- 1. build -------------------------------------------------------------------------------------


def build(data: Path, n_chunks: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    vocab = vocabulary(np.random.default_rng(7))
    index = Index(settings_for(data), HashEmbedder(DIM))
    index.check_model()
    t0, c0 = time.perf_counter(), cpu_s()
    n_docs = (n_chunks + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
    writes: list[DocumentWrite] = []
    made = 0
    for d in range(n_docs):
        n = min(CHUNKS_PER_DOC, n_chunks - made)
        source = f"synthetic/doc{d:05d}.txt"
        stype = SOURCE_TYPES[d % len(SOURCE_TYPES)]
        words = vocab[zipf(rng, n * WORDS_PER_CHUNK, len(vocab))].reshape(n, WORDS_PER_CHUNK)
        texts = [" ".join(w) + "." for w in words]
        doc_hash = f"synthetic-{seed}-{d}"
        chunks, pos = [], 0
        for i, text in enumerate(texts):
            chunks.append(Chunk(chunk_id(source, text), text, source, f"Synthetic document {d}", None,
                                f"Section {i + 1}", pos, pos + len(text), stype, doc_hash))
            pos += len(text) + 2
        vecs = rng.standard_normal((n, DIM)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        doc = Document(source, f"Synthetic document {d}", "\n\n".join(texts), doc_hash, stype)
        writes.append(DocumentWrite(doc, tuple(chunks), vecs, root=""))
        made += n
        if len(writes) == DOCS_PER_WRITE or d == n_docs - 1:
            index.write_documents(writes)
            writes = []
        if d % 200 == 199:
            print(f"  built {made} chunks ({made / (time.perf_counter() - t0):.0f}/s)", file=sys.stderr, flush=True)
    secs = time.perf_counter() - t0
    st = index.status()
    assert st.chunks == st.vectors == n_chunks, st
    s = index.settings
    return {"phase": "build", "chunks": n_chunks, "documents": n_docs, "seconds": round(secs, 1),
            "chunks_per_s": round(n_chunks / secs), "cpu_s": round(cpu_s() - c0, 1),
            "chunks_per_cpu_s": round(n_chunks / max(cpu_s() - c0, 1e-9)), "load_1min": load(),
            "peak_rss_mb": round(peak_rss_mb()),
            "disk_mb": round(disk_mb(data), 1), "chroma_mb": round(disk_mb(s.chroma_dir), 1),
            "catalog_mb": round(sum(disk_mb(p) if p.is_dir() else p.stat().st_size / 1e6
                                    for p in data.glob("catalog.sqlite3*")), 1)}


def synthetic_chunks(data: Path) -> int:
    with Index(settings_for(data), HashEmbedder(DIM)).catalog.connect() as con:
        return con.execute("SELECT count(*) FROM chunks WHERE source LIKE 'synthetic/%'").fetchone()[0]


# ---- 2. queries (run in a child process so its peak RSS is the serving cost) ------------------------


def query_phase(data: Path, n_queries: int, k: int, budget_s: float) -> list[dict]:
    from assistant.retrieval import HybridRetriever

    t0 = time.perf_counter()
    embedder = HashEmbedder(DIM)
    index = Index(settings_for(data), embedder)
    n = index.catalog.count_chunks()
    index.vectors.count()  # open the collection
    opened = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    vocab = vocabulary(np.random.default_rng(7))
    texts = ["what does the " + " ".join(vocab[len(COMMON) + zipf(rng, int(rng.integers(4, 9)), len(vocab) - len(COMMON))])
             + " say about a person" for _ in range(n_queries)]
    vecs = rng.standard_normal((n_queries, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    hybrid = HybridRetriever(index)
    one = ["synthetic/doc00001.txt"]
    law = ["primary_law"]
    catalog = index.catalog
    sparse_search = catalog.lexical.search_now
    fts5_only = lambda *a, **kw: None  # noqa: E731 - the sparse index steps aside: FTS5 answers
    pruned = {"FTS5, words in <= half the chunks": 0.5, "FTS5, words in <= 5% of the chunks": 0.05}
    doc_freq = _doc_freq(catalog)
    variants = {
        "dense": lambda i: index.dense_search(vecs[i], k),
        "dense, source_type filter": lambda i: index.dense_search(vecs[i], k, source_types=law),
        "dense, one-source filter": lambda i: index.dense_search(vecs[i], k, sources=one),
        "lexical FTS5": lambda i: index.lexical_search(texts[i], k),
        "lexical FTS5, source_type filter": lambda i: index.lexical_search(texts[i], k, source_types=law),
        "lexical FTS5, one-source filter": lambda i: index.lexical_search(texts[i], k, sources=one),
        **{f"lexical {name}": (lambda share: lambda i: _pruned_fts(catalog, doc_freq, texts[i], k, share))(share)
           for name, share in pruned.items()},
        "hybrid with FTS5": lambda i: hybrid.retrieve(texts[i], k),
        "hybrid with FTS5, source_type filter": lambda i: hybrid.retrieve(texts[i], k, source_types=law),
        "BM25S-BUILD": None,
        "lexical bm25s": lambda i: _bm25s_query(engine, texts[i], k),
        "lexical bm25s, source_type filter": lambda i: _bm25s_query(engine, texts[i], k, "primary_law"),
        "SPARSE-BUILD": None,
        "lexical sparse": lambda i: index.lexical_search(texts[i], k),
        "lexical sparse, source_type filter": lambda i: index.lexical_search(texts[i], k, source_types=law),
        "lexical sparse, one-source filter": lambda i: index.lexical_search(texts[i], k, sources=one),
        "hybrid": lambda i: hybrid.retrieve(texts[i], k),
        "hybrid, source_type filter": lambda i: hybrid.retrieve(texts[i], k, source_types=law),
        "hybrid, one-source filter": lambda i: hybrid.retrieve(texts[i], k, sources=one),
    }
    rows = [{"phase": "fts5-plan", "plan": _fts_plan(catalog, texts[0], k)}]
    engine = None
    catalog.lexical.search_now = fts5_only
    for name, fn in variants.items():
        if name == "BM25S-BUILD":
            engine = _bm25s_build(catalog, n)
            if engine is not None:
                rows.append(engine[2])
            continue
        if name.startswith("lexical bm25s") and engine is None:
            continue
        if name == "SPARSE-BUILD":
            rows.append(_sparse_build(catalog, texts, k, n))
            catalog.lexical.search_now = sparse_search
            continue
        t = time.perf_counter()
        fn(0)  # warm-up; a variant whose first query already exceeds the budget is reported from that one
        first = (time.perf_counter() - t) * 1e3
        ms, empty = [], 0
        start = time.perf_counter()
        if first > budget_s * 1e3:
            ms, n_queries_here = [first], 0
        else:
            n_queries_here = n_queries
        for i in range(n_queries_here):  # each variant gets `budget_s` (at least 5 queries): slow ones are cut short
            if i >= 5 and time.perf_counter() - start > budget_s:
                break
            t = time.perf_counter()
            hits = fn(i)
            ms.append((time.perf_counter() - t) * 1e3)
            empty += not hits
        print(f"    {name}: {len(ms)} queries, p50 {np.percentile(ms, 50):.1f} ms", file=sys.stderr, flush=True)
        rows.append({"phase": "query", "chunks": n, "variant": name, "k": k, "queries": len(ms),
                     "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
                     "empty_results": empty})
    rows.append({"phase": "query-process", "chunks": n, "open_s": round(opened, 2), "cpu_s": round(cpu_s(), 1),
                 "load_1min": load(), "peak_rss_mb": round(peak_rss_mb())})
    return rows


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def _doc_freq(catalog) -> dict[str, int]:
    """FTS5's own document frequency of every term (fts5vocab), for the pruned query forms."""
    with catalog.connect() as con:
        con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, chunks_fts, 'row')")
        return dict(con.execute("SELECT term, doc FROM temp.bench_vocab"))


_TOKENIZER = Tokenizer()  # FTS5's tokenizer, to look up a question word's document frequency


def _pruned_fts(catalog, doc_freq: dict, text: str, k: int, share: float):
    """A cheaper FTS5 form: leave out the words more than `share` of the chunks hold (FTS5 floors the idf
    of a word in over half of them at 1e-6, so at 0.5 the ranking barely moves; lower shares change it)."""
    from ingest.catalog import query_words

    limit = share * catalog.count_chunks()
    words = query_words(text)
    stems = _TOKENIZER.terms_of(words)
    kept = [w for w in words if all(doc_freq.get(t, 0) <= limit for t in stems[w])] or words
    match = " OR ".join(f'"{w}"' for w in kept)
    sql = ("SELECT c.*, f.s AS rank FROM (SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS s FROM chunks_fts "
           "WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid ORDER BY f.s")
    with catalog.connect() as con:
        return con.execute(sql, (match, k)).fetchall()


def _fts_plan(catalog, text: str, k: int) -> str:
    from ingest.catalog import fts_query

    sql = ("SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?")
    with catalog.connect() as con:
        plan = " | ".join(r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + sql, (fts_query(text), k)))
        matches = con.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (fts_query(text),)).fetchone()[0]
    print(f"    FTS5 plan: {plan}; the first question matches {matches} chunks, each scored", file=sys.stderr)
    return f"{plan}; first question matches {matches} chunks"


def _bm25s_build(catalog, n: int):
    """bm25s (a dedicated BM25 engine on scipy sparse matrices; `pip install bm25s`, bench only) over the
    same rows, text and section as one field, its own tokenizer (no stemming): speed, not the same ranking."""
    try:
        import bm25s
    except ImportError:
        print("    bm25s not installed: `.venv/bin/pip install bm25s` to compare it", file=sys.stderr)
        return None
    rss, c0, t0 = _rss_mb(), cpu_s(), time.perf_counter()
    with catalog.connect() as con:
        rows = con.execute("SELECT text, section, source_type FROM chunks ORDER BY rowid").fetchall()
    engine = bm25s.BM25()
    engine.index(bm25s.tokenize([f"{r[1]} {r[0]}" for r in rows], stopwords="en", show_progress=False),
                 show_progress=False)
    law = np.array([r[2] == "primary_law" for r in rows], dtype=float)
    row = {"phase": "bm25s-build", "chunks": n, "seconds": round(time.perf_counter() - t0, 1),
           "cpu_s": round(cpu_s() - c0, 1), "rss_added_mb": round(_rss_mb() - rss), "load_1min": load()}
    print(f"    bm25s index built: {row}", file=sys.stderr, flush=True)
    return engine, law, row


def _bm25s_query(engine, text: str, k: int, only: str = ""):
    import bm25s

    index, law, _ = engine
    tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
    return index.retrieve(tokens, k=k, show_progress=False, weight_mask=law if only else None)


def _sparse_build(catalog, texts: list[str], k: int, n: int) -> dict:
    """Build the in-memory sparse index (timed), and check it ranks like FTS5 on the questions."""
    rss, c0, t0 = _rss_mb(), cpu_s(), time.perf_counter()
    catalog.lexical.sync()
    row = {"phase": "sparse-build", "chunks": n, "seconds": round(time.perf_counter() - t0, 1),
           "cpu_s": round(cpu_s() - c0, 1), "rss_added_mb": round(_rss_mb() - rss), "load_1min": load()}
    real = catalog.lexical.search_now
    same = 0
    for text in texts[:50]:
        catalog.lexical.search_now = lambda *a, **kw: None
        ref = [round(s, 6) for _, s in catalog.lexical_search(text, k)]
        catalog.lexical.search_now = real
        same += ref == [round(s, 6) for _, s in catalog.lexical_search(text, k)]
    row["same_scores_as_fts5"] = f"{same}/{min(50, len(texts))}"
    print(f"    sparse index built: {row}", file=sys.stderr, flush=True)
    return row


def run_query_child(data: Path, n_queries: int, k: int, budget_s: float) -> list[dict]:
    cmd = [sys.executable, __file__, "--query-only", str(data), "--queries", str(n_queries), "--k", str(k),
           "--budget-s", str(budget_s)]
    out = data.parent / "query-child.jsonl"
    with open(out, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"query child failed with exit {proc.returncode}")
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    for r in rows:
        if r["phase"] == "query-process":
            r["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
    return rows


# ---- 3. the real pipeline: first ingest and unchanged re-ingest ---------------------------------------


def write_files(folder: Path, n_files: int) -> None:
    rng = np.random.default_rng(3)
    vocab = vocabulary(np.random.default_rng(7))
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(n_files):
        parts = [f"Example Act No. {f}", ""]
        for a in range(1, 9):
            body = " ".join(vocab[zipf(rng, 90, len(vocab))])
            parts += [f"Article {a}", "", f"1. {body}.", ""]
        (folder / f"act-{f:05d}.txt").write_text("\n".join(parts), encoding="utf-8")


def pipeline_phase(data: Path, folder: Path, n_files: int) -> list[dict]:
    from ingest.pipeline import Ingestor

    write_files(folder, n_files)
    index = Index(settings_for(data), HashEmbedder(DIM))
    for d in index.documents():  # a reused index: forget the files a previous run ingested
        if d.root == str(folder.resolve()):
            index.remove_document(d.source)
    rows = []
    for label in ("first ingest", "re-ingest, unchanged"):
        ingestor = Ingestor(settings_for(data), HashEmbedder(DIM))
        t, c = time.perf_counter(), cpu_s()
        report = ingestor.run([folder])
        secs, cpu = time.perf_counter() - t, cpu_s() - c
        rows.append({"phase": "pipeline", "run": label, "files": n_files, "index_chunks": report.chunks,
                     "added": report.added, "unchanged": report.unchanged, "failed": len(report.failed),
                     "seconds": round(secs, 2), "cpu_s": round(cpu, 2), "load_1min": load(), "timings_s": {k: round(v, 2) for k, v in report.timings_s.items()}})
    rows.append({"phase": "after-pipeline", "peak_rss_mb": round(peak_rss_mb()), "disk_mb": round(disk_mb(data), 1)})
    return rows


# ---- main -------------------------------------------------------------------------------------------


def show(rows: list[dict]) -> None:
    for r in rows:
        emit(r)
        if r["phase"] == "query":
            print(f"  {r['variant']:<42}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f} ms (p50, p95)", file=sys.stderr)
        else:
            print("  " + ", ".join(f"{k}={v}" for k, v in r.items()), file=sys.stderr)
    sys.stderr.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=6)
    ap.add_argument("--files", type=int, default=500, help="text files for the pipeline phase (~8 chunks each)")
    ap.add_argument("--budget-s", type=float, default=40.0, help="time per query variant (at least 5 queries each)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="work here instead of a temp dir (left in place; an index of --chunks chunks there is reused)")
    ap.add_argument("--query-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_only:
        for r in query_phase(args.query_only, args.queries, args.k, args.budget_s):
            emit(r)
        return
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="lexcite-scale-")
    base = Path(args.keep or tmp.name)
    data = base / "data"
    t0 = time.perf_counter()
    try:
        have = synthetic_chunks(data) if data.exists() else 0
        if have and have != args.chunks:
            raise SystemExit(f"{data} holds {have} chunks, not {args.chunks}: remove it or pick another --keep")
        if have:
            print(f"1. build: reusing the {have}-chunk index at {data}", file=sys.stderr)
        else:
            print(f"1. build: {args.chunks} chunks through Index.write_documents", file=sys.stderr)
            show([build(data, args.chunks)])
        print(f"2. queries (up to {args.queries} each or {args.budget_s:g} s, k={args.k}) in a fresh process",
              file=sys.stderr)
        show(run_query_child(data, args.queries, args.k, args.budget_s))
        print(f"3. pipeline: {args.files} text files through Ingestor, then again unchanged", file=sys.stderr)
        show(pipeline_phase(data, base / "corpus", args.files))
    finally:
        print(f"total {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
