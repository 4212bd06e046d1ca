"""Sentence vectors at ingest: every new chunk's sentences are embedded once, when the document lands, so
answering a question embeds the question and nothing else; a re-run embeds nothing, an edit only its new
sentences; the cache is only a cache (broken or missing, ingest and answers work as before)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.service import Assistant
from ingest.embedder import HashEmbedder
from ingest.index import Index
from ingest.pipeline import Ingestor
from ingest.sentence_cache import SentenceCache
from lexcite.text.sentences import split_sentences
from tests.support.answering import STATUTE
from tests.support.legal_corpus import change_document, write_corpus

QUESTION = "Within how many hours must an inspection be completed?"

pytestmark = pytest.mark.unit


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return super().embed(texts)


@pytest.fixture
def settings(tmp_path):
    from lexcite.settings import load_settings

    return load_settings(env={}, data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus", audit_log=False)


def sentences_of(index: Index) -> set[str]:
    return {s.text for c in index.iter_chunks() for s in split_sentences(c.text) if s.text.strip()}


def test_ingest_embeds_every_sentence_of_every_chunk_once(settings, tmp_path):
    write_corpus(tmp_path / "corpus", 3)
    counting = CountingEmbedder()
    report = Ingestor(settings, counting).run([tmp_path / "corpus"])
    index = Index(settings, HashEmbedder())
    wanted = sentences_of(index)
    assert wanted and set(index.sentences.get(sorted(wanted))) == wanted
    assert len(index.sentences) == len(wanted)
    chunk_texts = {c.embedding_text() for c in index.iter_chunks()}
    assert sorted(t for t in counting.texts if t not in chunk_texts) == sorted(wanted - chunk_texts)  # once each
    assert report.timings_s["sentences"] > 0


def test_a_rerun_embeds_nothing_and_an_edit_only_its_new_sentences(settings, tmp_path):
    paths = write_corpus(tmp_path / "corpus", 3)
    Ingestor(settings, HashEmbedder()).run([tmp_path / "corpus"])
    before = sentences_of(Index(settings, HashEmbedder()))
    counting = CountingEmbedder()
    Ingestor(settings, counting).run([tmp_path / "corpus"])
    assert counting.texts == []
    change_document(paths[1])
    counting = CountingEmbedder()
    Ingestor(settings, counting).run([tmp_path / "corpus"])
    index = Index(settings, HashEmbedder())
    new_sentences = sentences_of(index) - before
    chunk_texts = {c.embedding_text() for c in index.iter_chunks()}
    assert new_sentences
    assert {t for t in counting.texts if t not in chunk_texts} == new_sentences - chunk_texts


def statute(tmp_path):
    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "act.txt").write_text(STATUTE, encoding="utf-8")
    return tmp_path / "corpus"


def test_answering_after_ingest_embeds_only_the_question(settings, tmp_path):
    Ingestor(settings, HashEmbedder()).run([statute(tmp_path)])
    counting = CountingEmbedder()
    assistant = Assistant.from_settings(settings, counting)
    assistant.warm_up()
    counting.texts.clear()
    answer = assistant.ask(QUESTION)
    assert "48 hours" in answer.answer  # it answered from the passages' sentences ...
    assert set(counting.texts) == {QUESTION}  # ... and embedded nothing but the question (retrieval, scoring)


def test_scores_are_the_same_from_the_cache_as_freshly_embedded(settings, tmp_path):
    """Vectors are rounded to the cache's float16 either way, so an answer does not depend on whether ingest
    filled the cache."""
    corpus = statute(tmp_path)
    with_cache = settings
    without = settings.with_overrides(data_dir=tmp_path / "data2", sentence_vectors=False)
    for s in (with_cache, without):
        Ingestor(s, HashEmbedder()).run([corpus])
    a = Assistant.from_settings(with_cache, HashEmbedder()).ask(QUESTION)
    b = Assistant.from_settings(without, HashEmbedder()).ask(QUESTION)
    assert a.sentences and [(s.text, s.score) for s in a.sentences] == [(s.text, s.score) for s in b.sentences]
    assert len(Index(without, HashEmbedder()).sentences) > 0  # written back by the answer that needed them


def test_a_broken_cache_costs_speed_not_the_index_nor_answers(settings, tmp_path, caplog):
    settings.data_dir.mkdir(parents=True)
    settings.sentence_cache_path.mkdir()  # a folder where the cache file should be: cannot be opened
    write_corpus(tmp_path / "corpus", 2)
    statute(tmp_path)
    report = Ingestor(settings, HashEmbedder()).run([tmp_path / "corpus"])
    assert report.added == 3 and not report.failed
    assert "sentence vector cache" in caplog.text
    answer = Assistant.from_settings(settings, HashEmbedder()).ask(QUESTION)
    assert "48 hours" in answer.answer


def test_the_cache_keeps_models_apart_and_rounds_to_float16(tmp_path):
    a = SentenceCache(tmp_path / "s.sqlite3", "model-a")
    b = SentenceCache(tmp_path / "s.sqlite3", "model-b")
    v = np.array([[0.1234567, -0.5, 0.75]], dtype=np.float32)
    a.put(["The Parties shall cooperate."], v)
    assert b.get(["The Parties shall cooperate."]) == {}
    got = a.get(["The Parties shall cooperate.", "Not there."])
    assert list(got) == ["The Parties shall cooperate."]
    assert np.allclose(got["The Parties shall cooperate."], v[0], atol=1e-3)
    assert a.missing(["The Parties shall cooperate.", "Not there."]) == ["Not there."]


def test_a_long_running_server_whose_sentence_memory_is_full_still_gets_every_vector_it_asks_for():
    """The in-memory cache is bounded; a question whose sentences are partly remembered and partly new used to
    evict remembered ones before reading them back (KeyError once the memory was full)."""
    from assistant.extractive import SentenceScorer

    embedder = CountingEmbedder()
    scorer = SentenceScorer(embedder, cache_size=3)
    first = [f"Sentence number {i} of the act." for i in range(3)]
    scorer.vectors(first)
    asked = first + [f"A new sentence {i} of the act." for i in range(4)]
    got = scorer.vectors(asked)
    want = HashEmbedder().embed(asked).astype(np.float16).astype(np.float32)
    assert np.allclose(got, want)
    assert len(scorer._cache) == 3  # still bounded
    assert embedder.texts == first + asked[3:]  # remembered sentences were not embedded again
