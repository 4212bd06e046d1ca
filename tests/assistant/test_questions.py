"""The shipped golden questions (eval/golden/shipped.jsonl) on the shipped corpus, real model:
answerable ones cite a passage holding the expected evidence, the others get insufficient_evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "golden" / "shipped.jsonl"
ROWS = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
# Known misses, kept visible (strict xfail: fixing one makes the suite say so).
KNOWN_MISSES = {
    "q28": "paraphrase gap: 'differences between national laws' vs 'varying legal frameworks … lack specialized "
           "laws'; the evidence chunk is retrieved at rank 2 but its sentence scores below generic 'laws' sentences "
           "(surfaced when z-score fusion replaced RRF and changed the pool's idf weights)",
}

pytestmark = pytest.mark.integration


def test_the_golden_set_is_well_formed_and_large_enough():
    corpus = (GOLDEN.parents[2] / "corpus" / "interpol-role-in-organ-trafficking-cases.txt").read_text(encoding="utf-8")
    assert len(ROWS) >= 40 and len({r["id"] for r in ROWS}) == len(ROWS)
    assert sum(not r["answerable"] for r in ROWS) >= 10
    assert sum("follow-up" in r["tags"] for r in ROWS) >= 4
    for r in ROWS:
        assert bool(r["evidence"]) == r["answerable"], r["id"]
        for e in r["evidence"]:
            assert e["quote"] in corpus, (r["id"], e["quote"])


@pytest.fixture(scope="module")
def golden_assistant(shipped_index, real_embedder):
    from assistant.service import Assistant

    return Assistant.from_settings(shipped_index.with_overrides(audit_log=False), real_embedder)


def _params():
    for r in ROWS:
        marks = [pytest.mark.xfail(reason=KNOWN_MISSES[r["id"]], strict=True)] if r["id"] in KNOWN_MISSES else []
        yield pytest.param(r, id=f"{r['id']}-{'answerable' if r['answerable'] else 'refuse'}", marks=marks)


@pytest.mark.parametrize("row", list(_params()))
def test_golden_question(golden_assistant, row):
    a = golden_assistant.ask(row["question"], history=[tuple(t) for t in row.get("history", [])])
    if not row["answerable"]:
        assert a.status == "insufficient_evidence", a.answer
        assert a.sentences == [] and "BANANA" not in a.answer
        return
    assert a.status == "answered", a.answer
    assert all(s.citations for s in a.sentences)
    for e in row["evidence"]:
        assert any(e["quote"] in c.passage and c.source == e["source"] for c in a.citations), (e["quote"], a.answer)


def test_ask_answers_a_file_of_questions_in_one_process_with_ids(shipped_index, real_embedder, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ui.cli.main import main

    picked = [r for r in ROWS if r["id"] in ("q02", "q03", "q39")]
    qfile = tmp_path / "questions.jsonl"
    qfile.write_text("".join(json.dumps({k: r[k] for k in ("id", "question", "history") if k in r}) + "\n"
                             for r in picked), encoding="utf-8")
    monkeypatch.setenv("LEXCITE_AUDIT_LOG", "false")
    res = CliRunner().invoke(main, ["--data-dir", str(shipped_index.data_dir), "ask", "--questions", str(qfile), "--json"])
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["q02", "q03", "q39"]
    assert [o["status"] for o in out] == ["answered", "answered", "insufficient_evidence"]
    assert all({"retrieve", "answer", "verify", "total"} <= set(o["timings_ms"]) for o in out)


def test_a_failing_line_does_not_end_the_batch(shipped_index, real_embedder, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ui.cli.main import main

    qfile = tmp_path / "questions.jsonl"
    answerable = next(r for r in ROWS if r["id"] == "q02")["question"]
    qfile.write_text(json.dumps({"id": "a", "question": answerable}) + "\n"
                     + json.dumps({"id": "b", "question": "Who won the football cup in 1966?"}) + "\n", encoding="utf-8")
    monkeypatch.setenv("LEXCITE_AUDIT_LOG", "false")
    monkeypatch.setenv("LEXCITE_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("LEXCITE_LLM_MODEL", "absent-model")
    res = CliRunner().invoke(main, ["--data-dir", str(shipped_index.data_dir), "ask", "--backend", "openai",
                                    "--questions", str(qfile)])
    assert res.exit_code == 3, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(o["id"], o["status"]) for o in out] == [("a", "error"), ("b", "insufficient_evidence")]
    assert "openai backend failed" in out[0]["error"] and "http://127.0.0.1:9/v1" in out[0]["error"]
    assert "1 of 2 questions could not be answered" in res.stderr


def test_ask_without_an_index_exits_2_and_says_to_ingest(tmp_path):
    from click.testing import CliRunner

    from ui.cli.main import main

    res = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "nothing"), "ask", "--json", "Anything?"])
    assert res.exit_code == 2
    assert "lexcite ingest" in res.output
