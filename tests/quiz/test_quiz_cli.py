"""`lexcite quiz`: a trainer writes the quiz in every format, or reads a listing in the terminal."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner
from tests.support.legal_doc import write_legal_corpus

from ui.cli.main import main


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")
    corpus = write_legal_corpus(tmp_path / "corpus")
    result = CliRunner().invoke(main, ["ingest", str(corpus)])
    assert result.exit_code == 0, result.output
    return tmp_path


@pytest.mark.unit
@pytest.mark.parametrize("fmt", ["json", "gift", "aiken", "csv", "md", "qti", "moodle"])
def test_quiz_writes_each_format_to_a_file(indexed, fmt):
    out = indexed / f"quiz.{fmt}"
    result = CliRunner().invoke(main, ["quiz", "--n", "6", "--seed", "3", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "json":
        items = json.loads(data)
        assert len(items) == 6 and all(i["citation"]["quote"] for i in items)
    elif fmt == "qti":
        names = zipfile.ZipFile(out).namelist()
        assert "imsmanifest.xml" in names and len(names) == 7
    elif fmt == "moodle":
        assert data.startswith(b"<?xml") and data.count(b'<question type="multichoice">') >= 1
    else:
        assert len(data) > 200
    if "left out" in result.stderr:  # Aiken cannot hold short answers, and says which it left out
        assert fmt == "aiken" and "aiken: left out item" in result.stderr
    else:
        assert "wrote 6 items" in result.stderr


@pytest.mark.unit
def test_quiz_json_on_stdout_is_the_design_contract_and_repeats_for_a_seed(indexed):
    a = CliRunner().invoke(main, ["quiz", "--n", "4", "--format", "json", "--types", "mcq,short_answer"])
    b = CliRunner().invoke(main, ["quiz", "--n", "4", "--format", "json", "--types", "mcq,short_answer"])
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    items = json.loads(a.stdout)
    assert {i["type"] for i in items} <= {"mcq", "short_answer"}
    for i in items:
        assert {"id", "type", "stem", "answer", "explanation", "citation", "difficulty", "topic"} <= set(i)
        assert {"chunk_id", "source", "page", "section", "quote"} <= set(i["citation"])


@pytest.mark.unit
def test_without_a_format_the_quiz_is_a_readable_listing(indexed):
    result = CliRunner().invoke(main, ["quiz", "--n", "3", "--types", "mcq", "--stats"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. [mcq, ")
    assert result.stdout.count("   * ") == 3  # the key is marked in each question
    assert "source: Regulation on the Safe Keeping of Laboratory Samples, Article" in result.stdout
    assert "quiz stats:" in result.stderr


@pytest.mark.unit
def test_usage_errors_say_what_to_do(indexed, tmp_path):
    qti = CliRunner().invoke(main, ["quiz", "--format", "qti"])
    assert qti.exit_code == 2 and "-o FILE.zip" in qti.output
    bad = CliRunner().invoke(main, ["quiz", "--types", "essay"])
    assert bad.exit_code == 2 and "mcq,true_false,short_answer" in bad.output
    empty = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "nothing"), "quiz"])
    assert empty.exit_code == 2 and "lexcite ingest" in empty.output
