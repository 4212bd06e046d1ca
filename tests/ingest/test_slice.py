"""The first vertical slice: the shipped corpus ingests, re-ingests as a no-op, and answers a question."""

import pytest

from ingest.index import Index
from ingest.pipeline import Ingestor


@pytest.mark.unit
def test_reingesting_an_unchanged_corpus_changes_nothing(settings, hash_embedder, shipped_corpus):
    first = Ingestor(settings, hash_embedder).run([shipped_corpus])
    ids_before = Index(settings, hash_embedder).catalog.chunk_ids()
    second = Ingestor(settings, hash_embedder).run([shipped_corpus])
    assert first.added == 1 and first.chunks > 10
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 1, 0)
    assert Index(settings, hash_embedder).catalog.chunk_ids() == ids_before
    assert Index(settings, hash_embedder).vectors.count() == len(ids_before)


@pytest.mark.integration
def test_a_question_about_the_shipped_corpus_gets_a_cited_answer(shipped_index, real_embedder):
    from assistant.service import Assistant

    a = Assistant.from_settings(shipped_index, real_embedder).ask(
        "Which INTERPOL communication system allows rapid dissemination of alerts?"
    )
    assert a.status == "answered"
    assert any("I-24/7" in c.quote for c in a.citations)
    assert all(s.citations for s in a.sentences)
