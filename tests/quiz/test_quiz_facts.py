"""Salient statements: a trainer gets questions about definitions, obligations, actors and numbers,
never about headings or sentences that only make sense in context."""

from __future__ import annotations

import pytest

from ingest.records import Chunk
from quiz.facts import build_lexicon, extract_statements, find_terms, normalize


def _chunk(text: str, i: int = 0) -> Chunk:
    return Chunk(f"c{i}", text, "doc.md", "Doc", None, f"Article {i}", 0, len(text), "primary_law", "h")


@pytest.mark.unit
def test_numbers_keep_their_unit_and_kind():
    terms = find_terms("The custodian shall notify the Office within 14 days of any loss, and pay 20% of 20,000 "
                       "euros since 2021.", build_lexicon([]))
    by_text = {t.text: (t.kind, t.unit) for t in terms}
    assert by_text["14 days"] == ("number", "day")
    assert by_text["20%"] == ("percent", "")
    assert by_text["20,000 euros"] == ("number", "euro")
    assert by_text["2021"] == ("year", "")


@pytest.mark.unit
def test_actors_defined_terms_names_and_acronyms_are_found():
    lex = build_lexicon([_chunk("Reports go to the National Inspection Office and the UNODC office. "
                                "The National Inspection Office decides.")])
    obligation = find_terms("The regional authority shall inspect the records of the National Inspection Office.", lex)
    assert ("regional authority", "actor") in {(t.text, t.kind) for t in obligation}
    assert ("National Inspection Office", "name") in {(t.text, t.kind) for t in obligation}
    definition = find_terms("A storage incident means any loss or theft of a sample held by the UNODC.", lex)
    kinds = {(t.text, t.kind) for t in definition}
    assert ("storage incident", "defined") in kinds and ("UNODC", "acronym") in kinds


@pytest.mark.unit
def test_headings_context_dependent_and_first_person_sentences_are_not_statements():
    text = ("Obligations of the National Inspection Office\n\n"
            "We think the National Inspection Office should act within 14 days.\n\n"
            "The National Inspection Office shall publish its decisions within 14 days.")
    statements = extract_statements([_chunk(text)])
    assert [s.text for s in statements] == ["The National Inspection Office shall publish its decisions within 14 days."]
    st = statements[0]
    assert {"obligation", "number"} <= set(st.features)
    assert st.chunk.text[st.start:st.end] == st.text  # verbatim span of the chunk


@pytest.mark.unit
def test_definitions_and_obligations_outrank_plain_mentions():
    chunks = [_chunk("A sample custodian means the person who keeps a sample for its owner. "
                     "The owner met the Sample Safety Board in a large building downtown last spring.")]
    st = {s.text[:12]: s.salience for s in extract_statements(chunks)}
    assert st["A sample cus"] > st["The owner me"]


@pytest.mark.unit
def test_normalize_folds_case_quotes_and_spacing():
    assert normalize("  The  ‘Board’ ") == normalize("the 'board'")
