"""Quiz fixtures: a generated legal-style corpus indexed with the hash embedder (fast), the real
verifier (with the same embedder), and hand-made items for the gate tests."""

from __future__ import annotations

import pytest

from tests.support.legal_doc import write_legal_corpus


@pytest.fixture
def legal_index(tmp_path, hash_embedder):
    from ingest.index import Index
    from ingest.pipeline import Ingestor
    from lexcite.settings import load_settings

    corpus = write_legal_corpus(tmp_path / "corpus")
    s = load_settings(env={}, data_dir=tmp_path / "data", corpus_dir=corpus, embedding_model="hash")
    report = Ingestor(s, hash_embedder).run([corpus])
    assert not report.failed and report.chunks > 0
    return Index(s, hash_embedder)


@pytest.fixture
def verifier(hash_embedder):
    from assistant.verify import Verifier

    return Verifier(embedder=hash_embedder)
