"""A trainee reads each stem on its own: openers go, references are resolved from the sentence before or the
item is dropped; a legal text's items ask about its articles and cite them."""

from __future__ import annotations

import pytest

from ingest.records import Chunk
from quiz.facts import Statement
from quiz.gates import check_item
from quiz.generator import generate_quiz
from quiz.stems import stem_problem, standalone

TEXT = ("Field offices keep records.\nThe regional registry maintains a shared sample database for every member "
        "laboratory. It publishes a yearly audit of that database. Moreover, the registry trains new custodians "
        "every spring. These efforts improve compliance.")


def _statement(sentence: str) -> Statement:
    chunk = Chunk(id="c1", text=TEXT, source="notes.md", title="Registry notes", page=None, section="Registry",
                  start=0, end=len(TEXT), source_type="secondary", doc_hash="h")
    i = TEXT.index(sentence)
    return Statement(chunk, sentence, i, i + len(sentence), (), 1.0, ())


@pytest.mark.unit
def test_a_discourse_opener_is_removed():
    got = standalone(_statement("Moreover, the registry trains new custodians every spring."), "Registry notes")
    assert got.claim == "The registry trains new custodians every spring." and got.sentences == 1


@pytest.mark.unit
def test_a_pronoun_is_resolved_from_the_sentence_before_and_the_quote_spans_both():
    st = _statement("It publishes a yearly audit of that database.")
    got = standalone(st, "Registry notes")
    assert got.claim == "The regional registry publishes a yearly audit of that database."
    assert got.sentences == 2 and TEXT[got.start:got.end].startswith("The regional registry maintains")


@pytest.mark.unit
def test_an_unresolvable_reference_drops_the_sentence():
    assert standalone(_statement("These efforts improve compliance."), "Registry notes") is None


@pytest.mark.unit
def test_the_gate_names_what_does_not_stand_alone():
    assert "discourse marker" in stem_problem("True or false: Additionally, the office files reports.")
    assert "unresolved reference" in stem_problem("By combining these tools, the office files reports.")
    assert stem_problem("Under Article 3 of the Regulation, this Regulation applies to samples.",
                        "Regulation on Samples") is None  # "this Regulation" names the document itself
    assert stem_problem("A close relationship is required or, in the absence of such relationship, an approval.") is None
    assert "unresolved reference" in stem_problem("In the absence of such approval, a close relationship is required.")


@pytest.mark.unit
def test_legal_items_ask_which_article_and_cite_it(legal_index, verifier):
    items = generate_quiz(legal_index, verifier, n=12, types=("mcq",), seed=5)
    forms = {i.form for i in items}
    assert len(items) >= 8 and {"which_provision"} & forms
    for it in items:
        assert it.provision.startswith("Article") and check_item(it, verifier) is None
        assert stem_problem(it.stem, it.citation.title) is None
        if it.form == "which_provision":
            assert it.stem.startswith("Which article of ") and it.answer == it.provision.split("(")[0]
            assert all(o.startswith("Article ") for o in it.options) and len(set(it.options)) == 4
        else:
            assert it.stem.startswith(("Under Article", "Which of the following does Article"))
        assert dict(it.difficulty_basis)["evidence_words"] > 0 and it.difficulty in it.difficulty_reason
        wrong = [o for o in it.options if o != it.answer]
        assert all(it.option_feedback(o).startswith("Not") for o in wrong)
        assert it.option_feedback(it.answer).startswith("Correct")
