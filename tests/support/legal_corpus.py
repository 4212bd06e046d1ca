"""A generated legal-style corpus for pipeline, crash and server tests, and a snapshot of an index.

`snapshot(settings)` reads everything that must be identical between an interrupted-then-resumed
ingest and a clean one: the catalog's chunk rows and document records, the Chroma ids, metadata
and vectors, and the consistency counts (FTS rows, pending, garbage).
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np

TOPICS = ("consent", "registration", "licensing", "penalties", "cooperation", "records", "inspection",
          "reporting", "data protection", "appeals", "funding", "training")
WORDS = ("authority competent register licence donor recipient consent offence penalty hospital practitioner "
         "payment reward advertisement approval scheme inspection record report court appeal tribunal "
         "notice period measure obligation safeguard procedure evidence transfer").split()


def legal_text(n: int, articles: int = 6, seed: int = 0) -> str:
    rng = random.Random(f"{seed}-{n}")
    topic = TOPICS[n % len(TOPICS)]
    out = [f"Example Act No. {n} on {topic}", ""]
    for a in range(1, articles + 1):
        out += [f"Article {a}", f"Provisions on {topic} ({a})", ""]
        for p in range(1, 3):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70)))
            out += [f"{p}. The {topic} rules of document {n} provide that {body}.", ""]
    return "\n".join(out)


def write_corpus(folder: Path, n_docs: int, seed: int = 0, articles: int = 6) -> list[Path]:
    """`n_docs` documents, alternating .txt and .md, deterministic for a given seed."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(n_docs):
        p = folder / f"act-{n:03d}.{'md' if n % 2 else 'txt'}"
        p.write_text(legal_text(n, articles, seed), encoding="utf-8")
        paths.append(p)
    return paths


def change_document(path: Path) -> None:
    """Rewrite one paragraph (the rest of the document stays as it was)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("1. The ", "1. As amended, the ", 1), encoding="utf-8")


def snapshot(settings, embedder=None) -> dict:
    from ingest.embedder import HashEmbedder
    from ingest.index import Index

    index = Index(settings, embedder or HashEmbedder())
    cat = index.catalog
    chunks = [c.to_dict() for c in cat.iter_chunks()]
    docs = [{k: v for k, v in d.__dict__.items() if k != "ingested_at"} for d in cat.documents()]
    ids = sorted(index.vectors.all_ids())
    got = index.vectors.collection.get(ids=ids, include=["embeddings", "metadatas"]) if ids else {"ids": []}
    order = np.argsort(got["ids"]) if ids else []
    vec_digest = hashlib.sha256()
    metas = []
    for i in order:
        vec_digest.update(np.round(np.asarray(got["embeddings"][i], dtype=np.float32), 5).tobytes())
        metas.append(got["metadatas"][i])
    return {
        "chunks": chunks, "documents": docs, "chroma_ids": ids, "chroma_count": index.vectors.count(),
        "chroma_metadatas": metas, "vectors": vec_digest.hexdigest(), "consistency": cat.consistency(),
    }


def assert_consistent(snap: dict) -> None:
    """The invariants of a finished ingest, whatever happened before."""
    ids = [c["id"] for c in snap["chunks"]]
    c = snap["consistency"]
    assert len(ids) == len(set(ids)), "duplicate chunk rows"
    assert sorted(ids) == snap["chroma_ids"], "Chroma and the catalog hold different chunk ids"
    assert snap["chroma_count"] == len(ids)
    assert c["fts_rows"] == c["chunks"] == c["declared_chunks"] == len(ids)
    assert c["fts_ok"] and c["orphan_rows"] == 0 and c["pending"] == 0 and c["garbage"] == 0


def assert_same_index(snap: dict, reference: dict) -> None:
    """Equal to the clean index, naming what differs when it is not."""
    differ = sorted(k for k in reference if snap.get(k) != reference[k])
    detail = {k: (snap.get(k), reference[k]) for k in differ if k in ("chroma_count", "consistency", "vectors")}
    ids = set(snap["chroma_ids"]) ^ set(reference["chroma_ids"])
    assert not differ, f"differs from the clean index in {differ}; {detail}; ids only on one side: {len(ids)}"
