"""The lexical search's in-memory sparse index: FTS5's ranking, kept in step with the catalog, never
showing a chunk the catalog does not hold."""

from __future__ import annotations

import numpy as np
import pytest

from ingest import lexical_sparse
from ingest.embedder import HashEmbedder
from ingest.index import DocumentWrite, Index
from ingest.records import Chunk, Document, chunk_id
from lexcite.settings import load_settings

pytestmark = pytest.mark.unit

WORDS = ("asylum applicant member state transfer detention appeal court data subject controller processor "
         "consent erasure remedy authority liberty security tribunal notification décision non-refoulement "
         "deadline family unity minors guardian interview evidence").split()
VOCABULARY = [w for pair in zip(WORDS, [f"{a}{b}" for a, b in zip(WORDS, reversed(WORDS))]) for w in pair] * 1
QUESTIONS = [
    "which member state examines the asylum application",
    "deadline for an appeal against a transfer decision",
    "rights of the data subject to erasure and consent",
    "décision du tribunal",  # accents folded the way FTS5's tokenizer folds them
    "non-refoulement of minors",  # a hyphenated piece is two terms
    "guardian guardian interview",  # a repeated word counts once
    "zebra",  # no chunk holds it
]


def _write(index: Index, name: str, n_chunks: int, seed: int, source_type: str = "primary_law",
           texts: list[str] | None = None) -> None:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(VOCABULARY) + 1)  # Zipf: a few words everywhere, most of them rare
    texts = texts or [" ".join(rng.choice(VOCABULARY, size=int(rng.integers(8, 40)), p=weights / weights.sum()))
                      + "." for _ in range(n_chunks)]
    source = f"{name}.txt"
    chunks, pos = [], 0
    for i, text in enumerate(texts):
        chunks.append(Chunk(chunk_id(source, text), text, source, name.title(), None,
                            f"Article {i + 1} {rng.choice(WORDS)}", pos, pos + len(text), source_type, f"h-{name}-{seed}"))
        pos += len(text) + 2
    doc = Document(source, name.title(), "\n\n".join(texts), f"h-{name}-{seed}", source_type)
    vecs = HashEmbedder().embed(texts)
    index.write_documents([DocumentWrite(doc, tuple(chunks), vecs)])


@pytest.fixture
def index(tmp_path):
    idx = Index(load_settings(env={}, data_dir=tmp_path / "data"), HashEmbedder())
    idx.check_model()
    for n, (name, stype) in enumerate([("regulation", "primary_law"), ("directive", "primary_law"),
                                        ("guidance", "secondary"), ("judgment", "case_law")]):
        _write(idx, name, 30, seed=n, source_type=stype)
    return idx


def _fts5(catalog, *args, **kwargs):
    """What FTS5 alone answers (the sparse index stepped aside)."""
    real = catalog.lexical.search_now
    catalog.lexical.search_now = lambda *a, **k: None
    try:
        return catalog.lexical_search(*args, **kwargs)
    finally:
        catalog.lexical.search_now = real


def _same_ranking(a, b) -> bool:
    """The same scores (to 1e-9), rank by rank, for the same chunks; chunks tied on a score may come in
    either order, and of those tied on the last score any may make the cut."""
    if [round(s, 9) for _, s in a] != [round(s, 9) for _, s in b]:
        return False
    last = round(a[-1][1], 9) if a else None
    return {c.id for c, s in a if round(s, 9) != last} == {c.id for c, s in b if round(s, 9) != last}


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_sparse_index_ranks_every_question_exactly_as_fts5(index, question):
    catalog = index.catalog
    for filters in ({}, {"source_types": ["primary_law"]}, {"sources": ["guidance.txt", "judgment.txt"]}):
        for weights in ((1.0, 0.5), (1.0, 2.0)):
            got = catalog.lexical_search(question, 12, weights=weights, **filters)
            assert catalog.lexical.current() is not None  # answered from the sparse index
            assert _same_ranking(got, _fts5(catalog, question, 12, weights=weights, **filters)), (question, filters)
    if question == "zebra":
        assert got == []


def test_a_document_ingested_after_the_first_question_is_found_and_a_removed_one_is_not(index):
    catalog = index.catalog
    before = catalog.lexical_search("guardian interview", 200)
    _write(index, "newcomer", 10, seed=9)
    index.remove_document("guidance.txt")
    after = catalog.lexical_search("guardian interview", 200)
    sources = {c.source for c, _ in after}
    assert "newcomer.txt" in sources and "guidance.txt" not in sources
    assert "guidance.txt" in {c.source for c, _ in before}
    assert _same_ranking(after, _fts5(catalog, "guardian interview", 200))


def test_a_chunk_removed_after_the_matrix_was_read_is_never_returned(index):
    catalog = index.catalog
    catalog.lexical_search("asylum", 5)
    stale = catalog.lexical.current()
    index.remove_document("regulation.txt")
    catalog.lexical.current = lambda: stale  # a question that raced the removal
    hits = catalog.lexical_search("asylum applicant", 200)
    assert hits and "regulation.txt" not in {c.source for c, _ in hits}


def test_a_large_catalog_answers_from_fts5_until_the_background_build_is_done(index, monkeypatch):
    monkeypatch.setattr(lexical_sparse, "SYNC_BELOW", 10)
    catalog = index.catalog
    reference = _fts5(catalog, "transfer detention", 10)
    first = catalog.lexical_search("transfer detention", 10)  # nothing built yet: FTS5 answers
    assert _same_ranking(first, reference) and catalog.lexical._background is None  # one question builds nothing
    for _ in range(lexical_sparse.BUILD_AFTER - 1):  # a process that keeps asking gets the build started
        assert _same_ranking(catalog.lexical_search("transfer detention", 10), reference)
    assert catalog.lexical._background is not None
    catalog.lexical.sync_in_background().join(timeout=60)
    assert catalog.lexical.current() is not None
    assert _same_ranking(catalog.lexical_search("transfer detention", 10), reference)


def test_questions_asked_while_the_index_is_being_built_do_not_wait_for_it(index, monkeypatch):
    import threading
    import time

    monkeypatch.setattr(lexical_sparse, "SYNC_BELOW", 10)
    monkeypatch.setattr(lexical_sparse, "BUILD_AFTER", 1)
    catalog = index.catalog
    release = threading.Event()
    real_merge = catalog.lexical._merge

    def slow_merge(*args):
        release.wait(30)  # the build is stuck until the questions below have been answered
        return real_merge(*args)

    catalog.lexical._merge = slow_merge
    catalog.lexical.sync_in_background()
    start = time.perf_counter()
    for _ in range(3):
        assert catalog.lexical_search("appeal deadline", 5)  # FTS5 answers at once
    assert time.perf_counter() - start < 10 and catalog.lexical.current() is None
    release.set()
    catalog.lexical.sync_in_background().join(timeout=60)
    assert catalog.lexical.current() is not None


def test_a_word_of_several_tokens_is_left_to_fts5_as_a_phrase(index):
    catalog = index.catalog
    _write(index, "rights", 0, seed=5, texts=["The data subject may object at any time.",
                                               "Data about the subject of the appeal."])
    catalog.lexical_search("asylum", 3)  # build
    words = ["data_subject"]  # one word to the question parser, the phrase "data subject" to FTS5
    assert catalog.lexical.search(catalog.lexical.current(), words, 5) is None
    hits = catalog.lexical_search("data_subject", 50)
    assert [c.text for c, _ in hits] == ["The data subject may object at any time."]
