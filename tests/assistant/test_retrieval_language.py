"""Retrieval prefers the question's language: of a text and its translation, the one the question is
asked in comes first; a passage only in another language is still found; an unsure question changes
nothing. Real Chroma + SQLite in a temp dir, the HashEmbedder fake, the real language detector.
"""

from __future__ import annotations

import pytest

from assistant.fusion import prefer_language
from assistant.records import Passage
from assistant.retrieval import HybridRetriever
from ingest.index import Index
from ingest.language import detect_blocks
from ingest.records import Chunk, Document, chunk_id

BILINGUAL = [  # a treaty and, after it, its translation (as in a bilingual official publication)
    "Article 3. Each State Party shall establish as a criminal offence the smuggling of migrants, when committed "
    "intentionally and in order to obtain a financial or other material benefit.",
    "Article 9. This Protocol shall be open to all States for signature at Ardena from 12 to 15 December 2000 and "
    "thereafter at the Velmont headquarters until 12 December 2002.",
    "Article 12. Migrants shall not become liable to criminal prosecution for the fact of having been the object "
    "of smuggling.",
    "Artikel 3. Elke Staat die partij is, stelt de smokkel van migranten strafbaar, indien opzettelijk gepleegd en "
    "met het oog op het verkrijgen van een financieel of ander materieel voordeel.",
    "Artikel 9. Dit Protocol staat open voor ondertekening door alle Staten te Ardena van 12 tot en met 15 december "
    "2000 en daarna op het hoofdkwartier te Velmont tot 12 december 2002.",
    "Artikel 12. Migranten worden niet strafrechtelijk aansprakelijk voor het feit dat zij het voorwerp zijn "
    "geweest van smokkel.",
]
ENGLISH_ONLY = [
    "Article 4. Organs may be removed from a living donor only with the free, informed and specific consent of the "
    "donor, given in writing.",
    "Article 5. The recipient shall beforehand be given appropriate information about the purpose and nature of "
    "the implantation.",
]
DOCS = {"corpus/protocol.md": BILINGUAL, "corpus/transplantation.md": ENGLISH_ONLY}


def _document(source: str, paragraphs: list[str]) -> tuple[Document, list[Chunk]]:
    text = "\n\n".join(paragraphs)
    doc = Document(source, source.split("/")[-1], text, f"hash-{source}", "primary_law")
    chunks, pos = [], 0
    for para, lang in zip(paragraphs, detect_blocks(paragraphs, doc.language)):  # as the chunker labels them
        start = text.index(para, pos)
        pos = start + len(para)
        chunks.append(Chunk(chunk_id(source, para), para, source, doc.title, None, para.split(".")[0], start, pos,
                            "primary_law", doc.doc_hash, language=lang))
    return doc, chunks


@pytest.fixture
def index(settings, hash_embedder) -> Index:
    index = Index(settings, hash_embedder)
    for source, paragraphs in DOCS.items():
        doc, chunks = _document(source, paragraphs)
        index.replace_document(doc, chunks, hash_embedder.embed([c.text for c in chunks]))
    return index


def _first(retriever, question: str, k: int = 4) -> tuple[str, str]:
    top = retriever.retrieve(question, k)[0].chunk
    return top.section, top.language


@pytest.mark.unit
def test_chunks_carry_the_language_of_their_text(index):
    langs = {c.section: c.language for c in index.iter_chunks()}
    assert langs == {"Article 3": "en", "Article 9": "en", "Article 12": "en", "Artikel 3": "nl",
                     "Artikel 9": "nl", "Artikel 12": "nl", "Article 4": "en", "Article 5": "en"}


@pytest.mark.unit
@pytest.mark.parametrize("fusion", ["zscore", "rrf"])
def test_an_english_question_gets_the_english_text_first_and_a_dutch_question_the_dutch_one(index, fusion):
    retriever = HybridRetriever(index, fusion=fusion)
    assert _first(retriever, "Are migrants criminally liable for having been smuggled?") == ("Article 12", "en")
    dutch = "Zijn migranten strafrechtelijk aansprakelijk omdat zij gesmokkeld zijn?"
    assert _first(retriever, dutch) == ("Artikel 12", "nl")
    assert _first(retriever, "Until when is it open at Velmont, 12 December 2002?") == ("Article 9", "en")
    assert _first(retriever, "Welke gevolgen heeft Velmont, 12 December 2002, gehad?") == ("Artikel 9", "nl")


@pytest.mark.unit
def test_when_a_text_and_its_translation_share_the_words_asked_the_question_language_decides(index):
    question = "Welke gevolgen heeft Velmont, 12 december 2002, gehad?"  # Dutch words neither version has
    neutral = [p.chunk.section for p in HybridRetriever(index, language_boost=0).retrieve(question, 4)]
    assert neutral[:2] == ["Article 9", "Artikel 9"]  # the names and dates alone pick the English text...
    preferred = [p.chunk.section for p in HybridRetriever(index).retrieve(question, 4)]
    assert preferred[:2] == ["Artikel 9", "Article 9"]  # ...the question's language picks the translation


@pytest.mark.unit
def test_a_passage_only_in_another_language_is_still_found_first(index):
    question = "Mag men organen van een levende donor wegnemen zonder consent?"
    passages = HybridRetriever(index).retrieve(question, 4)
    assert passages[0].chunk.section == "Article 4" and passages[0].chunk.language == "en"
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


@pytest.mark.unit
@pytest.mark.parametrize("question", ["Velmont, Ardena 2002?", "Article 9?"])
def test_a_question_whose_language_is_unsure_is_ranked_as_fused(index, question):
    got = [(p.chunk.id, p.score) for p in HybridRetriever(index).retrieve(question, 6)]
    assert got == [(p.chunk.id, p.score) for p in HybridRetriever(index, language_boost=0).retrieve(question, 6)]


@pytest.mark.unit
def test_a_negative_language_boost_is_refused(index):
    with pytest.raises(ValueError, match="language_boost"):
        HybridRetriever(index, language_boost=-0.1)


# ---- prefer_language by hand ---------------------------------------------------------------------

def _p(cid: str, lang: str, score: float) -> Passage:
    return Passage(Chunk(cid, cid, f"s-{cid}", "", None, "", 0, 10, "secondary", "", language=lang), score)


@pytest.mark.unit
def test_prefer_language_lifts_a_near_equal_passage_but_not_past_a_clear_winner():
    # scores 3.0, 1.0, 0.9, -1.0: sd ~1.42, so a boost of 0.5 adds ~0.71
    ranked = [_p("far-ahead", "en", 3.0), _p("en-twin", "en", 1.0), _p("nl-twin", "nl", 0.9), _p("nl-weak", "nl", -1.0)]
    got = prefer_language(ranked, "nl", boost=0.5)
    assert [p.chunk.id for p in got] == ["far-ahead", "nl-twin", "en-twin", "nl-weak"]
    assert [p.score for p in got] == sorted((p.score for p in got), reverse=True)
    assert {p.chunk.id for p in got} == {p.chunk.id for p in ranked}  # nothing dropped


@pytest.mark.unit
@pytest.mark.parametrize("language, langs", [("", ["en", "nl"]), ("nl", ["nl", "nl"]), ("fr", ["en", "nl"])])
def test_prefer_language_changes_nothing_when_unsure_or_when_it_cannot_choose(language, langs):
    ranked = [_p("a", langs[0], 1.0), _p("b", langs[1], 0.99)]
    assert prefer_language(ranked, language, boost=0.5) == ranked
    with pytest.raises(ValueError):
        prefer_language(ranked, "nl", boost=-1)
