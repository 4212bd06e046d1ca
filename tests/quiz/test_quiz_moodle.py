"""A trainer imports the quiz into Moodle: the Moodle XML parses with a real XML parser and has the structure
Moodle's importer (question/format/xml/format.php) reads: categories, per-option feedback, tags; and every
export says which items it could not carry."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from quiz.export import export_report
from quiz.generator import generate_quiz

# what Moodle's XML importer reads for each question type (question/format/xml/format.php)
COMMON = {"name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber", "tags"}
REQUIRED = {
    "multichoice": COMMON | {"single", "shuffleanswers", "answernumbering", "correctfeedback",
                             "partiallycorrectfeedback", "incorrectfeedback", "answer"},
    "truefalse": COMMON | {"answer"},
    "shortanswer": COMMON | {"usecase", "answer"},
}


@pytest.fixture
def quiz_items(legal_index, verifier):
    items = generate_quiz(legal_index, verifier, n=9, seed=4)
    assert {i.type for i in items} == {"mcq", "true_false", "short_answer"}
    return items


@pytest.mark.unit
def test_moodle_xml_has_the_structure_moodles_importer_reads(quiz_items):
    exported = export_report(quiz_items, "moodle")
    assert exported.skipped == () and exported.carried == len(quiz_items)
    root = ET.fromstring(exported.data)
    assert root.tag == "quiz"
    questions = root.findall("question")
    categories = [q for q in questions if q.get("type") == "category"]
    assert categories and all(q.findtext("category/text").startswith("$course$/top/") for q in categories)
    real = [q for q in questions if q.get("type") != "category"]
    assert len(real) == len(quiz_items)
    by_id = {i.id: i for i in quiz_items}
    for q in real:
        kind = q.get("type")
        assert kind in REQUIRED and REQUIRED[kind] <= {c.tag for c in q}, kind
        item = by_id[q.findtext("idnumber")]
        assert q.find("questiontext").get("format") == "html" and q.findtext("questiontext/text")
        assert item.citation.quote.split()[0] in q.findtext("generalfeedback/text")
        tags = [t.findtext("text") for t in q.findall("tags/tag")]
        assert item.type in tags and f"difficulty-{item.difficulty}" in tags
        answers = q.findall("answer")
        fractions = [a.get("fraction") for a in answers]
        assert fractions.count("100") == 1 and set(fractions) <= {"100", "0"}
        assert all(a.findtext("feedback/text") for a in answers)  # per-option feedback
        if kind == "multichoice":
            assert q.findtext("single") == "true" and len(answers) == len(item.options) >= 4
            wrong = [a for a in answers if a.get("fraction") == "0"]
            assert all("Not" in a.findtext("feedback/text") for a in wrong)  # says why the option is wrong
        if kind == "truefalse":
            assert sorted(a.findtext("text") for a in answers) == ["false", "true"]
            assert next(a for a in answers if a.get("fraction") == "100").findtext("text") == item.answer


@pytest.mark.unit
def test_aiken_reports_the_short_answer_items_it_leaves_out_and_the_others_carry_all(quiz_items):
    aiken = export_report(quiz_items, "aiken")
    short = [i.id for i in quiz_items if i.type == "short_answer"]
    assert [i for i, _ in aiken.skipped] == short and aiken.carried == len(quiz_items) - len(short)
    assert all("multiple choice only" in why for _, why in aiken.skipped)
    for fmt in ("json", "gift", "csv", "md", "qti", "moodle"):
        assert export_report(quiz_items, fmt).skipped == (), fmt


@pytest.mark.unit
def test_the_cli_writes_moodle_xml_and_names_what_aiken_left_out(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from tests.support.legal_doc import write_legal_corpus

    from ui.cli.main import main

    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")
    assert CliRunner().invoke(main, ["ingest", str(write_legal_corpus(tmp_path / "corpus"))]).exit_code == 0
    out = tmp_path / "quiz.xml"
    result = CliRunner().invoke(main, ["quiz", "--n", "5", "--format", "moodle", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ET.parse(out).getroot().tag == "quiz"
    aiken = CliRunner().invoke(main, ["quiz", "--n", "9", "--seed", "4", "--format", "aiken"])
    assert aiken.exit_code == 0
    assert "aiken could not carry" in aiken.stderr and "left out item" in aiken.stderr
