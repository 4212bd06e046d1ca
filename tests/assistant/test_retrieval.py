"""Retrieval: the contract every retriever keeps (dense, lexical, hybrid, the LangChain adapter),
reciprocal rank fusion and overlap collapsing by hand, and one run with the real model.

The contract index is real Chroma + SQLite in a temp dir, embedded with the HashEmbedder fake.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.fusion import collapse_overlaps, fuse, rrf_scores, zscore_fuse
from assistant.records import Passage
from assistant.retrieval import DenseRetriever, HybridRetriever, LexicalRetriever, make_retriever
from ingest.index import Index
from ingest.records import Chunk, Document, chunk_id

DOCS = {
    # source: (source_type, paragraphs)
    "corpus/act.txt": ("primary_law", [
        "Section 1. Whoever removes an organ without consent commits an offence punishable by ten years.",
        "Section 2. A licensed hospital may transplant a kidney from a living donor after an ethics review.",
        "Section 3. The registrar keeps a register of donors and recipients for twenty years.",
    ]),
    "corpus/guide.txt": ("official_guidance", [
        "Police officers should record the hospital, the surgeon and the broker when trafficking is suspected.",
        "Victims of trafficking are referred to support services and are not prosecuted for their status.",
    ]),
    "corpus/article.txt": ("secondary", [
        "Commentators argue that kidney markets exploit poor donors and that consent is rarely free.",
        "Broker networks advertise transplant tourism packages on social media.",
    ]),
}


def make_chunks(source: str, source_type: str, paragraphs: list[str]) -> tuple[Document, list[Chunk]]:
    text = "\n".join(paragraphs)
    doc = Document(source, source.split("/")[-1], text, f"hash-{source}", source_type)
    chunks, pos = [], 0
    for para in paragraphs:
        start = text.index(para, pos)
        pos = start + len(para)
        chunks.append(Chunk(chunk_id(source, para), para, source, doc.title, None, para.split(".")[0],
                            start, pos, source_type, doc.doc_hash))
    # an overlapping window over the first two paragraphs (as a sliding chunker would make)
    window = text[chunks[0].start : chunks[1].end]
    chunks.append(Chunk(chunk_id(source, window), window, source, doc.title, None, "", chunks[0].start,
                        chunks[1].end, source_type, doc.doc_hash))
    return doc, chunks


def build(settings, embedder, docs=DOCS) -> Index:
    index = Index(settings, embedder)
    for source, (stype, paragraphs) in docs.items():
        doc, chunks = make_chunks(source, stype, paragraphs)
        index.replace_document(doc, chunks, embedder.embed([c.text for c in chunks]))
    return index


@dataclass(frozen=True)
class Hit:
    """What the contract looks at, from a Passage or from a LangChain Document."""

    id: str
    source: str
    source_type: str
    start: int
    end: int
    score: float


def _hits_from_passages(passages) -> list[Hit]:
    return [Hit(p.chunk.id, p.chunk.source, p.chunk.source_type, p.chunk.start, p.chunk.end, p.score) for p in passages]


def _langchain(index):
    def retrieve(query, k, sources=None, source_types=None):
        docs = HybridRetriever(index).as_langchain(k=k, sources=sources, source_types=source_types).invoke(query)
        return [Hit(d.metadata["id"], d.metadata["source"], d.metadata["source_type"], d.metadata["start"],
                    d.metadata["end"], d.metadata["score"]) for d in docs]
    return retrieve


FACTORIES = {
    "dense": lambda ix: (lambda *a, **kw: _hits_from_passages(DenseRetriever(ix).retrieve(*a, **kw))),
    "lexical": lambda ix: (lambda *a, **kw: _hits_from_passages(LexicalRetriever(ix).retrieve(*a, **kw))),
    "hybrid": lambda ix: (lambda *a, **kw: _hits_from_passages(HybridRetriever(ix).retrieve(*a, **kw))),
    "hybrid-rrf": lambda ix: (lambda *a, **kw: _hits_from_passages(HybridRetriever(ix, fusion="rrf").retrieve(*a, **kw))),
    "langchain": _langchain,
}


@pytest.fixture
def index(settings, hash_embedder):
    return build(settings, hash_embedder)


@pytest.mark.unit
@pytest.mark.parametrize("name", FACTORIES)
class TestEveryRetriever:
    def test_returns_at_most_k_passages_best_first(self, name, index):
        retrieve = FACTORIES[name](index)
        for k in (1, 2, 3):
            hits = retrieve("kidney transplant donor consent", k)
            assert 1 <= len(hits) <= k
            assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_a_chunk_quoted_verbatim_comes_first(self, name, index):
        retrieve = FACTORIES[name](index)
        for stype, paragraphs in DOCS.values():
            for para in paragraphs:
                assert retrieve(para, 3)[0].id == chunk_id_for(para), para

    def test_source_filter_keeps_only_that_source(self, name, index):
        hits = FACTORIES[name](index)("kidney transplant consent donors", 10, sources=["corpus/article.txt"])
        assert hits and {h.source for h in hits} == {"corpus/article.txt"}

    def test_source_type_filter_keeps_only_those_types(self, name, index):
        retrieve = FACTORIES[name](index)
        hits = retrieve("trafficking hospital kidney consent", 10, source_types=["primary_law", "official_guidance"])
        assert hits and {h.source_type for h in hits} <= {"primary_law", "official_guidance"}
        both = retrieve("hospital", 10, sources=["corpus/act.txt"], source_types=["official_guidance"])
        assert both == []

    def test_overlapping_chunks_of_one_source_are_collapsed(self, name, index):
        hits = FACTORIES[name](index)("removes an organ without consent ten years licensed hospital kidney", 10)
        assert len({h.id for h in hits}) == len(hits)
        for a in hits:
            for b in hits:
                if a is not b and a.source == b.source:
                    assert a.end <= b.start or b.end <= a.start, (a, b)

    def test_an_empty_index_returns_nothing(self, name, settings, hash_embedder):
        empty = Index(settings.with_overrides(collection="empty-one"), hash_embedder)
        assert FACTORIES[name](empty)("kidney", 5) == []

    def test_a_question_of_only_stopwords_does_not_fail(self, name, index):
        assert len(FACTORIES[name](index)("what is the", 3)) <= 3


def chunk_id_for(para: str) -> str:
    for source, (_, paragraphs) in DOCS.items():
        if para in paragraphs:
            return chunk_id(source, para)
    raise KeyError(para)


@pytest.mark.unit
@pytest.mark.parametrize("name", ["dense", "lexical", "hybrid"])
def test_k_below_one_is_refused(name, index):
    with pytest.raises(ValueError, match="k must be"):
        make_retriever(index, name).retrieve("kidney", 0)


@pytest.mark.unit
def test_make_retriever_names_the_choices_for_an_unknown_name(index):
    with pytest.raises(ValueError, match="dense, lexical, hybrid"):
        make_retriever(index, "bm42")


@pytest.mark.unit
def test_langchain_documents_carry_the_chunk_record_and_batch_works(index):
    from langchain_core.retrievers import BaseRetriever

    lc = HybridRetriever(index).as_langchain(k=2)
    assert isinstance(lc, BaseRetriever)
    first, second = lc.batch(["register of donors", "broker networks social media"])
    doc = first[0]
    assert doc.page_content.startswith("Section 3.")
    assert doc.metadata["source"] == "corpus/act.txt" and doc.metadata["section"] == "Section 3"
    assert doc.metadata["dense_rank"] == 1 and doc.metadata["lexical_rank"] == 1
    assert second[0].metadata["source"] == "corpus/article.txt"


@pytest.mark.unit
def test_a_langchain_document_turns_back_into_the_passage_it_was_made_from(index):
    from assistant.lc_retriever import document_passage, passage_document

    for p in HybridRetriever(index).retrieve("register of donors", 3):
        assert document_passage(passage_document(p)) == p


@pytest.mark.unit
def test_the_assistant_searches_through_its_langchain_retriever(index, monkeypatch):
    from assistant.lc_retriever import LexciteLangChainRetriever
    from assistant.service import Assistant

    queries = []
    real = LexciteLangChainRetriever._get_relevant_documents

    def spy(self, query, *, run_manager):
        queries.append(query)
        return real(self, query, run_manager=run_manager)

    monkeypatch.setattr(LexciteLangChainRetriever, "_get_relevant_documents", spy)
    assistant = Assistant.from_settings(index.settings, index.embedder)
    answer = assistant.ask("Who keeps the register of donors?")
    assert queries and queries[0] == answer.standalone_question
    assert answer.passages and answer.passages[0].chunk.source == "corpus/act.txt"


@pytest.mark.unit
def test_hybrid_remembers_both_ranks_of_each_passage(index):
    p = HybridRetriever(index).retrieve("register of donors and recipients", 1)[0]
    assert (p.dense_rank, p.lexical_rank) == (1, 1)


# ---- fusion and collapsing, by hand --------------------------------------------------------------

def _p(cid: str, source: str = "s", start: int = 0, end: int = 10, score: float = 1.0) -> Passage:
    return Passage(Chunk(cid, cid, source, "", None, "", start, end, "secondary", ""), score)


@pytest.mark.unit
def test_rrf_adds_weighted_reciprocal_ranks():
    got = rrf_scores([["a", "b"], ["b", "c"]], weights=[1.0, 2.0], rrf_k=10)
    assert got == pytest.approx({"a": 1 / 11, "b": 1 / 12 + 2 / 11, "c": 2 / 12})
    with pytest.raises(ValueError):
        rrf_scores([["a"]], weights=[1.0, 1.0])


@pytest.mark.unit
def test_a_passage_both_lists_agree_on_beats_one_list_leaders():
    dense = [_p("a", "s1"), _p("b", "s2")]
    lexical = [_p("c", "s3"), _p("b", "s2")]
    fused = fuse(dense, lexical, rrf_k=60)
    assert [p.chunk.id for p in fused] == ["b", "a", "c"]
    assert (fused[0].dense_rank, fused[0].lexical_rank) == (2, 2)
    assert (fused[1].dense_rank, fused[1].lexical_rank) == (1, None)


@pytest.mark.unit
def test_overlapping_windows_found_by_different_retrievers_pool_their_votes():
    # dense likes window w1, BM25 likes w2 (same text region); a third passage x is 2nd in both
    dense = [_p("w1", "s", 0, 100), _p("x", "t")]
    lexical = [_p("w2", "s", 50, 150), _p("x", "t")]
    fused = collapse_overlaps(fuse(dense, lexical, rrf_k=60))
    assert [p.chunk.id for p in fused] == ["w1", "x"]
    assert (fused[0].dense_rank, fused[0].lexical_rank) == (1, 1)


@pytest.mark.unit
def test_zscore_fusion_adds_standardised_scores_and_floors_missing_ones():
    # dense cosines 0.9, 0.5 -> z = +1, -1; BM25 12, 8, 4 -> z = +1.22, 0, -1.22
    dense = [_p("a", "s1", score=0.9), _p("b", "s2", score=0.5)]
    lexical = [_p("b", "s2", score=12.0), _p("c", "s3", score=8.0), _p("a", "s1", score=4.0)]
    fused = {p.chunk.id: p.score for p in zscore_fuse(dense, lexical, dense_weight=0.5)}
    z = 1.5 ** 0.5
    assert fused == pytest.approx({"a": 0.5 * 1 - 0.5 * z, "b": -0.5 + 0.5 * z, "c": 0.5 * -1 + 0.0})
    with pytest.raises(ValueError):
        zscore_fuse(dense, lexical, dense_weight=1.5)


@pytest.mark.unit
def test_collapse_keeps_the_best_of_overlapping_spans_and_drops_duplicates():
    ranked = [_p("w1", "s", 0, 100), _p("w2", "s", 50, 150), _p("x", "t", 0, 100), _p("w1", "s", 0, 100),
              _p("w3", "s", 150, 200)]
    assert [p.chunk.id for p in collapse_overlaps(ranked)] == ["w1", "x", "w3"]


# ---- the real model ----------------------------------------------------------------------------

@pytest.mark.integration
def test_hybrid_with_the_real_model_finds_a_shipped_passage_from_its_words(shipped_index, real_embedder):
    index = Index(shipped_index, real_embedder)
    chunks = [c for c in index.iter_chunks() if len(c.text.split()) >= 25]
    assert chunks, "the shipped corpus should have passages of 25+ words"
    retriever = HybridRetriever(index)
    for c in chunks[:: max(1, len(chunks) // 5)][:5]:
        words = c.text.split()
        query = " ".join(words[5:25])  # a 20-word excerpt, not the whole chunk
        top = retriever.retrieve(query, 5)
        assert any(p.chunk.source == c.source and p.chunk.start < c.end and c.start < p.chunk.end
                   for p in top), (query, [(p.chunk.source, p.chunk.start) for p in top])


class _SentenceVectors:
    """Deterministic sentence vectors: a sentence naming 'kidney' points along the question, others away."""

    def vectors(self, texts):
        import numpy as np

        return np.array([[1.0, 0.0] if "kidney" in t.lower() else [0.6, 0.8] for t in texts], dtype=np.float32)


def _passage(n: int, text: str, score: float) -> Passage:
    return Passage(Chunk(f"c{n}", text, f"doc{n}.txt", f"Doc {n}", None, "", 0, len(text), "primary_law", "h"), score)


@pytest.mark.unit
def test_a_passage_whose_one_sentence_answers_moves_up_by_its_best_sentence_and_weight_zero_changes_nothing():
    import numpy as np

    pool = [_passage(1, "The registrar keeps records. Records are kept for twenty years.", 2.0),
            _passage(2, "Fees are set by decree. A kidney may be taken from a living donor.", 1.8),
            _passage(3, "The minister reports each year.", 1.0),
            _passage(4, "A kidney register is kept.", 0.2)]  # beyond the depth: left where it is
    question = np.array([1.0, 0.0], dtype=np.float32)
    off = HybridRetriever(None, sentences=_SentenceVectors(), sentence_depth=3)
    assert off.by_best_sentence(pool, question) == pool
    on = HybridRetriever(None, sentence_weight=0.75, sentences=_SentenceVectors(), sentence_depth=3)
    ranked = on.by_best_sentence(pool, question)
    assert [p.chunk.id for p in ranked] == ["c2", "c1", "c3", "c4"]
    assert ranked[-1] == pool[-1]
    # a reordering only: the pool keeps its scores, rank by rank, so the answerer's passage prior and the
    # refusal margins downstream see the distribution they were calibrated on
    assert [p.score for p in ranked] == [p.score for p in pool]


@pytest.mark.unit
def test_a_heading_that_names_the_question_counts_as_a_sentence_of_its_passage():
    import numpy as np

    plain = _passage(1, "The registrar keeps records.", 2.0)
    headed = Passage(Chunk("c2", "Fees are set by decree.", "doc2.txt", "Doc 2", None, "Kidney donation", 0, 23,
                           "primary_law", "h"), 1.8)
    on = HybridRetriever(None, sentence_weight=0.75, sentences=_SentenceVectors())
    ranked = on.by_best_sentence([plain, headed, _passage(3, "The minister reports.", 1.0)], np.array([1.0, 0.0]))
    assert ranked[0].chunk.id == "c2"


@pytest.mark.unit
def test_the_sentence_weight_comes_from_settings_and_a_negative_one_is_refused(tmp_path, hash_embedder):
    from lexcite.errors import ConfigError
    from lexcite.settings import load_settings

    settings = load_settings(env={"LEXCITE_SENTENCE_WEIGHT": "0.5"}, data_dir=tmp_path)
    assert make_retriever(Index(settings, hash_embedder), "hybrid").sentence_weight == 0.5
    with pytest.raises(ConfigError, match="sentence_weight"):
        load_settings(env={"LEXCITE_SENTENCE_WEIGHT": "-1"}, data_dir=tmp_path)


@pytest.mark.unit
def test_the_assistant_and_its_retriever_read_sentence_vectors_through_one_memory(tmp_path, hash_embedder):
    from assistant.service import Assistant
    from lexcite.settings import load_settings

    settings = load_settings(env={}, data_dir=tmp_path)
    index = Index(settings, hash_embedder)
    assistant = Assistant(settings, index, make_retriever(index), verifier=None)
    assert assistant.retriever.sentences is assistant.scorer
