"""A filtered dense search gives what an exact search over the admitted chunks gives, whichever way it runs:
exactly over a few documents' vectors, the unfiltered search read deeper for a filter admitting a large
share, or the store's own filtered search in between (and when the deeper read finds too few)."""

from __future__ import annotations

import numpy as np
import pytest

import ingest.index as index_module
from ingest.embedder import HashEmbedder
from ingest.index import Index
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import write_corpus

pytestmark = pytest.mark.unit
QUESTIONS = ["registration of a licence by the competent authority", "penalties for an offence in court",
             "consent of the donor and the recipient"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from lexcite.settings import load_settings

    base = tmp_path_factory.mktemp("dense-filters")
    settings = load_settings(env={}, data_dir=base / "data", corpus_dir=base / "corpus", sentence_vectors=False)
    write_corpus(base / "corpus", 12)
    manifest = "".join(f'[[documents]]\nfile = "act-{n:03d}.{"md" if n % 2 else "txt"}"\n'
                       f'source_type = "{"primary_law" if n < 9 else "secondary"}"\n\n' for n in range(12))
    (base / "corpus" / "sources.toml").write_text(manifest, encoding="utf-8")
    report = Ingestor(settings, HashEmbedder()).run([base / "corpus"])
    assert report.added == 12
    return Index(settings, HashEmbedder())


def exact(index: Index, k: int, sources=None, source_types=None) -> list[list[str]]:
    """The reference: cosines over every admitted chunk's vector, computed here."""
    chunks = [c for c in index.iter_chunks() if (not sources or c.source in sources)
              and (not source_types or c.source_type in source_types)]
    vecs = index.vectors.get_vectors([c.id for c in chunks])
    ids = [c.id for c in chunks]
    m = np.stack([vecs[i] for i in ids])
    q = index.embedder.embed(QUESTIONS)
    sims = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (m / np.linalg.norm(m, axis=1, keepdims=True)).T
    return [[ids[j] for j in np.argsort(-row, kind="stable")[:k]] for row in sims]


def hits(index: Index, k: int, **filters) -> list[list[str]]:
    return [[i for i, _ in hs] for hs in index.dense_hits(index.embedder.embed(QUESTIONS), k, **filters)]


@pytest.mark.parametrize("exact_max, share, path", [
    (10_000, 0.05, "exact over the admitted vectors"),
    (0, 0.05, "unfiltered, read deeper, then filtered"),
    (0, 1.01, "the store's filtered search"),
], ids=["exact", "post-filter", "store"])
def test_every_way_of_filtering_finds_the_exact_nearest_admitted_chunks(index, monkeypatch, exact_max, share, path):
    monkeypatch.setattr(index_module, "EXACT_MAX", exact_max)
    monkeypatch.setattr(index_module, "POSTFILTER_SHARE", share)
    laws = ["primary_law"]
    one = ["corpus/act-003.md"]
    assert hits(index, 5, source_types=laws) == exact(index, 5, source_types=laws), path
    assert hits(index, 5, sources=one) == exact(index, 5, sources=one), path
    assert hits(index, 4, sources=one, source_types=laws) == exact(index, 4, sources=one, source_types=laws), path
    assert hits(index, 4, sources=one, source_types=["secondary"]) == [[], [], []], path  # admits nothing


def test_a_deep_read_that_finds_too_few_admitted_asks_the_store_with_the_filter(index, monkeypatch):
    monkeypatch.setattr(index_module, "EXACT_MAX", 0)
    monkeypatch.setattr(index_module, "POSTFILTER_SHARE", 0.0)  # even a small share takes the deep read ...
    monkeypatch.setattr(index_module, "POSTFILTER_MARGIN", 0.0)  # ... that reads only k deep: too few admitted
    rare = ["corpus/act-011.md"]
    assert hits(index, 5, sources=rare) == exact(index, 5, sources=rare)
