"""One test per quality gate: each catches the defect a trainer would be embarrassed by."""

from __future__ import annotations

import dataclasses

import pytest

from quiz.gates import (answer_supported, check_item, duplicate_facts, exactly_one_correct, options_distinct,
                        spread_violations, stem_hides_answer)
from quiz.records import QuizCitation, QuizItem

QUOTE = "The sample custodian shall notify the National Inspection Office within 14 days of any storage incident."


def _item(**kw) -> QuizItem:
    base = dict(
        id="i1", type="mcq",
        stem="Complete the statement: The sample custodian shall notify the National Inspection Office within "
             "_____ of any storage incident.",
        options=("14 days", "30 days", "7 days", "28 days"), answer="14 days",
        explanation="14 days.", statement=QUOTE, fact=QUOTE.lower(),
        citation=QuizCitation("c1", "reg.md", None, "Article 2", QUOTE), difficulty="medium", topic="Article 2",
    )
    base.update(kw)
    return QuizItem(**base)


@pytest.mark.unit
def test_a_well_formed_item_passes_every_gate(verifier):
    assert check_item(_item(), verifier) is None


@pytest.mark.unit
def test_answer_supported_rejects_a_key_its_quote_does_not_prove(verifier):
    other = "The Regional Audit Authority shall inspect the transfer records once a year."
    wrong_quote = _item(citation=QuizCitation("c1", "reg.md", None, "Article 3", other))
    assert answer_supported(wrong_quote, verifier) is not None
    false_but_true = _item(type="true_false", options=(), answer="false", stem=f"True or false: {QUOTE}")
    assert answer_supported(false_but_true, verifier) == "false claim supported by the passage"
    truly_false = dataclasses.replace(
        false_but_true, stem="True or false: " + QUOTE.replace("14 days", "30 days"))
    assert answer_supported(truly_false, verifier) is None


@pytest.mark.unit
def test_exactly_one_correct_rejects_a_key_listed_twice_or_a_distractor_from_the_quote(verifier):
    assert "2 times" in exactly_one_correct(_item(options=("14 days", "14  Days", "7 days", "28 days")), verifier)
    assert "0 times" in exactly_one_correct(_item(options=("1 day", "30 days", "7 days", "28 days")), verifier)
    in_quote = _item(answer="National Inspection Office", stem="Complete: The sample custodian shall notify the "
                     "_____ within 14 days of any storage incident.",
                     options=("National Inspection Office", "14 days", "Sample Safety Board", "Ministry of Health"))
    assert "is in the quote" in exactly_one_correct(in_quote, verifier)
    assert exactly_one_correct(_item(), verifier) is None


@pytest.mark.unit
def test_options_distinct_ignores_case_and_whitespace():
    assert options_distinct(_item(options=("14 days", "30 Days", "30  days", "28 days"))) == "duplicate options"
    assert options_distinct(_item(options=("14 days", "30 days", "7 days"))) == "fewer than 4 options"
    assert options_distinct(_item()) is None


@pytest.mark.unit
def test_stem_hides_answer_rejects_a_stem_that_prints_the_answer():
    leaky = _item(type="short_answer", options=(), answer="National Inspection Office",
                  stem="Fill in the blank: The custodian shall notify the _____ (the national inspection office).")
    assert stem_hides_answer(leaky) == "stem prints the answer"
    partial = dataclasses.replace(leaky, stem="Fill in the blank: The _____ is an inspection body.")
    assert "inspection" in stem_hides_answer(partial)
    assert stem_hides_answer(_item()) is None


@pytest.mark.unit
def test_no_two_items_test_the_same_fact():
    a = _item()
    b = _item(id="i2", type="short_answer", options=(), fact="")  # same statement, another item type
    c = _item(id="i3", statement="Records must be stored in the Secure Records Portal.", fact="records")
    assert duplicate_facts([a, b, c]) == [(0, 1)]


@pytest.mark.unit
def test_items_spread_across_documents_and_sections():
    def at(i, source, section):
        return _item(id=f"x{i}", citation=QuizCitation(f"c{i}", source, None, section, QUOTE))

    lopsided = [at(i, "a.md", "Article 1") for i in range(4)]
    groups = {("a.md", "Article 1"), ("b.md", "Article 1")}
    assert any("document" in v for v in spread_violations(lopsided, groups=groups))
    # the other document ran out of acceptable items: then the first may hold the rest
    assert spread_violations(lopsided, exhausted={("b.md", "Article 1")}, groups=groups) == []
    balanced = [at(0, "a.md", "Article 1"), at(1, "b.md", "Article 1"), at(2, "a.md", "Article 2")]
    assert spread_violations(balanced, groups=groups | {("a.md", "Article 2")}) == []
    same_section = [at(0, "a.md", "Article 1"), at(1, "a.md", "Article 1"), at(2, "b.md", "Article 1")]
    assert any("section" in v for v in spread_violations(same_section, groups=groups | {("a.md", "Article 2")}))
