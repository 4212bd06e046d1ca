"""BEIR-format retrieval eval: load a data set, index it in a temporary store, rank documents.

Layout (https://github.com/beir-cellar/beir): `corpus.jsonl` (`_id`, `title`, `text`),
`queries.jsonl` (`_id`, `text`), `qrels/<split>.tsv` (header `query-id corpus-id score`).

Each document becomes one or more chunks (word windows that fit the embedding model), with the
document id as the chunk's `source` and its title as the chunk's `section` (so BM25 sees it as a
weighted field and dense embeds "title. text"). A document's score is its best chunk's: the
ranked chunks are collapsed to their first occurrence per document.

Embedding a corpus is the slow part (~3 min for 5,000 abstracts on 2 cores); with a cache dir the
vectors are stored as `<cache>/<fingerprint>.npy`, keyed by the model and every chunk's text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ingest.catalog import DocRecord
from ingest.embedder import Embedder
from ingest.index import Index
from ingest.records import Chunk, chunk_id
from lexcite.errors import ConfigError
from lexcite.settings import Settings

log = logging.getLogger(__name__)

WINDOW_WORDS = 200  # ~256 word pieces with the title: the MiniLM window
STRIDE_WORDS = 150  # 50 words of overlap between windows of a long document
_WORD = re.compile(r"\S+")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BeirSet:
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # query id -> text (only queries with qrels)
    qrels: dict[str, dict[str, int]]  # query id -> {doc id: graded relevance > 0}
    name: str = ""


def _jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise ConfigError(f"{path}:{n} is not a JSON line; BEIR files hold one JSON object per line") from None


def load_beir(directory: Path, split: str = "test") -> BeirSet:
    """Read a BEIR folder; errors name the missing file and the expected layout."""
    d = Path(directory)
    files = {"corpus": d / "corpus.jsonl", "queries": d / "queries.jsonl", "qrels": d / "qrels" / f"{split}.tsv"}
    for what, p in files.items():
        if not p.is_file():
            have = sorted(x.stem for x in (d / "qrels").glob("*.tsv")) if (d / "qrels").is_dir() else []
            hint = f" (splits present: {', '.join(have)}; pass --split)" if what == "qrels" and have else ""
            raise ConfigError(
                f"{p} not found{hint}; a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv"
            )
    corpus: dict[str, tuple[str, str]] = {}
    for row in _jsonl(files["corpus"]):
        if "_id" not in row:
            raise ConfigError(f"{files['corpus']}: a line has no `_id`; each needs _id, title, text")
        corpus[str(row["_id"])] = (str(row.get("title") or ""), str(row.get("text") or ""))
    qrels: dict[str, dict[str, int]] = {}
    with files["qrels"].open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and not parts[-1].strip().lstrip("-").isdigit():
                continue  # header
            if len(parts) < 3:
                raise ConfigError(f"{files['qrels']}:{n}: expected `query-id<TAB>corpus-id<TAB>score`")
            if int(parts[2]) > 0:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries = {str(r["_id"]): str(r["text"]) for r in _jsonl(files["queries"]) if str(r["_id"]) in qrels}
    qrels = {q: rel for q, rel in qrels.items() if q in queries}
    if not queries:
        raise ConfigError(f"no query in {files['queries']} has a judgement in {files['qrels']}; check the split")
    return BeirSet(corpus, queries, qrels, d.name)


def doc_chunks(doc_id: str, title: str, text: str,
               window: int = WINDOW_WORDS, stride: int = STRIDE_WORDS) -> list[Chunk]:
    """Word windows over `text` (char spans into it); the title rides along as the section."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:  # title-only document
        spans = [(0, 0)]
        text = ""
    doc_hash = hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()[:16]
    out: list[Chunk] = []
    first = 0
    while True:
        last = min(first + window, len(spans)) - 1
        start, end = spans[first][0], spans[last][1]
        body = text[start:end]
        out.append(Chunk(chunk_id(doc_id, f"{start}:{body}"), body, doc_id, title, None, title,
                         start, end, "secondary", doc_hash))
        if last >= len(spans) - 1:
            return out
        first += stride


def embed_text(c: Chunk) -> str:
    return f"{c.section}. {c.text}" if c.section else c.text


def fingerprint(embedder: Embedder, chunks: Sequence[Chunk]) -> str:
    h = hashlib.sha256(f"{embedder.name}\x00{embedder.dim}".encode())
    for c in chunks:
        h.update(c.id.encode())
    return h.hexdigest()[:24]


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], cache_dir: Path | None = None,
                 progress: Progress | None = None, batch: int = 256) -> np.ndarray:
    """Vectors for `chunks` (batched; read from / written to the cache when given)."""
    path = Path(cache_dir) / f"{fingerprint(embedder, chunks)}.npy" if cache_dir else None
    if path is not None and path.is_file():
        vecs = np.load(path)
        if vecs.shape == (len(chunks), embedder.dim):
            log.info("embeddings read from cache %s", path)
            if progress:
                progress("embed", len(chunks), len(chunks))
            return vecs
    parts = []
    for i in range(0, len(chunks), batch):
        parts.append(embedder.embed([embed_text(c) for c in chunks[i : i + batch]]))
        if progress:
            progress("embed", min(i + batch, len(chunks)), len(chunks))
    vecs = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def build_index(data: BeirSet, settings: Settings, embedder: Embedder, cache_dir: Path | None = None,
                progress: Progress | None = None) -> Index:
    """Index every document of `data` into the (temporary) store `settings` points at."""
    by_doc = {doc_id: doc_chunks(doc_id, title, text) for doc_id, (title, text) in data.corpus.items()}
    chunks = [c for cs in by_doc.values() for c in cs]
    vecs = embed_chunks(embedder, chunks, cache_dir, progress)
    index = Index(settings, embedder)
    now = time.time()
    documents = [(DocRecord(doc_id, cs[0].doc_hash, data.corpus[doc_id][0], "secondary", "en", len(cs), "", now), cs)
                 for doc_id, cs in by_doc.items()]
    index.load_scratch(documents, vecs, (lambda done, total: progress("index", done, total)) if progress else None)
    return index


def rank_documents(passages_sources: Sequence[str], limit: int) -> list[str]:
    """Chunk sources best first -> document ids best first (a document scores as its best chunk)."""
    seen: dict[str, None] = {}
    for s in passages_sources:
        if s not in seen:
            seen[s] = None
            if len(seen) >= limit:
                break
    return list(seen)


def run_queries(index: Index, data: BeirSet, k_docs: int = 100, limit_queries: int | None = None,
                progress: Progress | None = None, hybrid=None) -> dict[str, dict[str, list[str]]]:
    """Rank documents for every query with dense, lexical, hybrid (and hybrid with RRF) retrieval.

    Dense embeds all queries in one call and asks Chroma in batches; lexical runs one FTS query per
    question; hybrid fuses those same lists exactly as `HybridRetriever.retrieve` would.
    """
    from assistant.retrieval import HybridRetriever

    hybrid = hybrid or HybridRetriever(index, sentence_weight=index.settings.sentence_weight)
    rrf = HybridRetriever(index, fusion="rrf", depth=hybrid.depth)
    qids = sorted(data.queries, key=_natural)[: limit_queries or None]
    texts = [data.queries[q] for q in qids]
    k_chunks = 2 * k_docs  # windows of one long document may fill several slots
    depth = max(hybrid.depth, k_chunks)
    if progress:
        progress("embed queries", 0, len(qids))
    vecs = index.embedder.embed(texts) if texts else None
    dense = hybrid.dense.retrieve_vectors(vecs, depth) if texts else []  # one model call, batched Chroma queries
    runs: dict[str, dict[str, list[str]]] = {"dense": {}, "lexical": {}, "hybrid": {}, "hybrid-rrf": {}}
    for n, (qid, text, d) in enumerate(zip(qids, texts, dense)):
        qvec = vecs[n]
        lex = hybrid.lexical.retrieve(text, depth)
        language = hybrid.language_of(text)
        fused = hybrid.fuse(d[:depth], lex[:depth], k_chunks, language, qvec)  # = hybrid.retrieve(text, k_chunks)
        by_rank = rrf.fuse(d[:depth], lex[:depth], k_chunks, language)
        for name, passages in (("dense", d), ("lexical", lex), ("hybrid", fused), ("hybrid-rrf", by_rank)):
            runs[name][qid] = rank_documents([p.chunk.source for p in passages], k_docs)
        if progress and (n % 50 == 0 or n == len(qids) - 1):
            progress("queries", n + 1, len(qids))
    return runs


def _natural(q: str):
    return (0, int(q), q) if q.isdigit() else (1, 0, q)
