"""A trainer asks for a quiz: every item is grounded, passes every gate, spreads over the articles,
and the same seed gives the same quiz."""

from __future__ import annotations

import json
import re

import pytest

from quiz.export import export_items
from quiz.facts import content_words, normalize
from quiz.gates import check_item, claim_of, duplicate_facts, spread_violations
from quiz.generator import QuizGenerator, generate_quiz
from quiz.records import QuizError


def _chunk_text(index, chunk_id: str) -> str:
    return index.get_chunks([chunk_id])[0].text


@pytest.mark.unit
def test_every_item_on_a_legal_document_cites_a_verbatim_quote_and_passes_the_gates(legal_index, verifier):
    items = generate_quiz(legal_index, verifier, n=12, seed=1)
    assert len(items) == 12
    assert {i.type for i in items} == {"mcq", "true_false", "short_answer"}
    for it in items:
        d = it.to_dict()
        assert set(d) >= {"id", "type", "stem", "answer", "explanation", "citation", "difficulty", "topic"}
        assert ("options" in d) == (it.type == "mcq")
        assert it.citation.quote in _chunk_text(legal_index, it.citation.chunk_id)
        assert it.citation.section.startswith("Article")
        assert check_item(it, verifier, _chunk_text(legal_index, it.citation.chunk_id)) is None
    assert duplicate_facts(items) == []
    assert len({i.id for i in items}) == len(items)


@pytest.mark.unit
def test_multiple_choice_distractors_are_of_the_same_kind_as_the_answer(legal_index, verifier):
    items = [i for i in generate_quiz(legal_index, verifier, n=15, types=("mcq",), seed=0)]
    assert len(items) >= 5
    for it in items:
        assert len(it.options) >= 4 and it.options.count(it.answer) == 1
        if it.kind in ("number", "percent", "year"):
            unit = re.sub(r"[\d,.]+", "", it.answer).strip()
            assert all(re.sub(r"[\d,.]+", "", o).strip() == unit for o in it.options), it.options
        for o in it.options:
            if o != it.answer:
                assert normalize(o) not in normalize(it.citation.quote)  # a distractor is never also in the proof


@pytest.mark.unit
def test_false_statements_are_perturbations_the_verifier_rejects(legal_index, verifier):
    items = generate_quiz(legal_index, verifier, n=15, types=("true_false",), seed=3)
    false = [i for i in items if i.answer == "false"]
    true = [i for i in items if i.answer == "true"]
    assert false and true
    for it in false:
        claim = it.stem.split(":", 1)[1].strip()
        assert claim != it.citation.quote
        assert not verifier.score(claim, [it.citation.quote]).supported
        assert not verifier.score(claim, [_chunk_text(legal_index, it.citation.chunk_id)]).supported
    for it in true:  # a legal text's statement is asked "Under <its article> of <instrument>, …"
        assert normalize(claim_of(it)) == normalize(it.citation.quote)


@pytest.mark.unit
def test_items_spread_over_the_articles(legal_index, verifier):
    run = QuizGenerator(legal_index, verifier).run(n=6, seed=2)
    sections = [i.citation.section for i in run.items]
    assert len(set(sections)) == 6  # six articles, six items: one each
    assert spread_violations(run.items, run.exhausted, run.groups, key=lambda it: run.group_of[it.id]) == []


@pytest.mark.unit
def test_the_same_seed_gives_the_same_quiz_and_another_seed_another_one(legal_index, verifier):
    a = export_items(generate_quiz(legal_index, verifier, n=8, seed=7), "json")
    b = export_items(QuizGenerator(legal_index, verifier).run(n=8, seed=7).items, "json")
    c = export_items(generate_quiz(legal_index, verifier, n=8, seed=8), "json")
    assert a == b
    assert [i["id"] for i in json.loads(a)] != [i["id"] for i in json.loads(c)]


@pytest.mark.unit
def test_topic_types_and_difficulty_narrow_the_quiz(legal_index, verifier):
    on_topic = generate_quiz(legal_index, verifier, n=4, topic="penalties fine imprisonment", seed=0)
    assert on_topic and all(i.topic == "penalties fine imprisonment" for i in on_topic)
    assert any(w in content_words(i.citation.quote) for i in on_topic for w in ("fine", "imprisonment", "penalties"))
    short = generate_quiz(legal_index, verifier, n=5, types=("short_answer",), seed=0)
    assert short and {i.type for i in short} == {"short_answer"}
    hard = generate_quiz(legal_index, verifier, n=5, difficulty="hard", seed=0)
    assert hard and {i.difficulty for i in hard} == {"hard"}


@pytest.mark.unit
def test_bad_requests_say_how_to_fix_them(legal_index, verifier):
    with pytest.raises(QuizError, match="mcq,true_false,short_answer"):
        generate_quiz(legal_index, verifier, types=("essay",))
    with pytest.raises(QuizError, match="at least 1"):
        generate_quiz(legal_index, verifier, n=0)


@pytest.mark.integration
@pytest.mark.slow
def test_a_quiz_on_the_shipped_corpus_is_grounded_with_the_real_model(shipped_index, real_embedder):
    from assistant.verify import make_verifier
    from ingest.index import Index

    index = Index(shipped_index, real_embedder)
    verifier = make_verifier(shipped_index, real_embedder)
    run = QuizGenerator(index, verifier, real_embedder).run(n=10, seed=0)
    assert len(run.items) == 10
    assert len({i.citation.section for i in run.items}) >= 5  # spread over the document's sections
    for it in run.items:
        text = _chunk_text(index, it.citation.chunk_id)
        assert it.citation.quote in text
        assert check_item(it, verifier, text) is None
    assert duplicate_facts(run.items) == []
