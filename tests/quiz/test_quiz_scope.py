"""A trainer narrows the quiz to some documents or articles, and is told why a type could not be built."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tests.support.legal_doc import write_legal_corpus

from ui.cli.main import main
from quiz.generator import QuizGenerator
from quiz.records import QuizError


@pytest.mark.unit
def test_sections_scope_the_quiz_to_those_articles(legal_index, verifier):
    run = QuizGenerator(legal_index, verifier).run(n=6, seed=1, sections=("Article 2", "Article 5"))
    assert run.items and {i.citation.section for i in run.items} <= {"Article 2", "Article 5"}
    with pytest.raises(QuizError, match="scope"):
        QuizGenerator(legal_index, verifier).run(n=3, documents=("no-such-file",))


@pytest.mark.unit
def test_a_type_that_cannot_be_built_says_why(legal_index, verifier):
    gen = QuizGenerator(legal_index, verifier)
    short = gen.run(n=5, types=("short_answer",), sections=("Article 6",))  # two sentences, two blanks
    assert len(short.items) == 2
    assert short.unbuilt()[-1].startswith("only 2 of 5: the statements in scope ran out")
    both = gen.run(n=4, types=("mcq", "short_answer"), sections=("Article 1",), seed=2)
    assert both.summary()["built"] == {"mcq": 1, "short_answer": 1}


@pytest.mark.unit
def test_the_cli_takes_a_scope_and_stats_name_the_reasons(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")
    assert CliRunner().invoke(main, ["ingest", str(write_legal_corpus(tmp_path / "corpus"))]).exit_code == 0
    result = CliRunner().invoke(main, ["quiz", "--n", "4", "--types", "mcq", "--section", "Article 3",
                                       "--section", "Article 4", "--format", "json", "--stats"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert items and {i["citation"]["section"] for i in items} <= {"Article 3", "Article 4"}
    assert all(i["type"] == "mcq" and i["provision"] and i["difficulty_reason"] for i in items)
    assert len(items) == 4 and "'built': {'mcq': 4}" in result.stderr
    narrow = CliRunner().invoke(main, ["quiz", "--n", "5", "--types", "short_answer", "--section", "Article 6"])
    assert narrow.exit_code == 0 and narrow.stdout.count("[short_answer") == 2
    assert "why: only 2 of 5: the statements in scope ran out" in narrow.stderr
