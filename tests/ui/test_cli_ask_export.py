"""`lexcite ask --export md|docx [--export-dir DIR]`: each answer also lands as a case-file record, its path
printed (human output) or carried in the answer's JSON line as "export" (--json, --questions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli.main import main
from ui.export import fenced_quotes

QUESTION = "What must be done before an organ is removed from a living donor?"


def ask(shipped_index, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(shipped_index.data_dir), "ask", *args], catch_exceptions=False)


@pytest.mark.integration
def test_ask_export_md_writes_the_record_and_prints_its_path(shipped_index, tmp_path):
    result = ask(shipped_index, QUESTION, "--export", "md", "--export-dir", str(tmp_path / "case-41"))
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("exported: ")
    path = Path(last.removeprefix("exported: "))
    assert path.parent == tmp_path / "case-41" and path.suffix == ".md"
    record = path.read_text(encoding="utf-8")
    answer = json.loads(ask(shipped_index, QUESTION, "--json").stdout)
    assert fenced_quotes(record) == [c["quote"] for c in answer["citations"]]
    assert f"**Question:** {QUESTION}" in record


@pytest.mark.integration
def test_a_batch_exports_one_record_per_answer_and_names_it_in_the_json_line(shipped_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": QUESTION}) + "\n"
                         + json.dumps({"id": "b", "question": "Is organ trafficking prohibited?"}) + "\n",
                         encoding="utf-8")
    out = tmp_path / "records"
    result = ask(shipped_index, "--questions", str(questions), "--export", "docx", "--export-dir", str(out))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]  # stdout stays one JSON object per line
    assert [line["id"] for line in lines] == ["a", "b"]
    paths = [Path(line["export"]) for line in lines]
    assert len(set(paths)) == 2 and all(p.parent == out and p.suffix == ".docx" and p.stat().st_size for p in paths)
    assert f"exported 2 answer records to {out}" in result.stderr


@pytest.mark.unit
def test_export_dir_alone_or_an_unknown_format_is_a_usage_error(tmp_path):
    alone = CliRunner().invoke(main, ["ask", "x?", "--export-dir", str(tmp_path)])
    assert alone.exit_code == 2 and "--export-dir needs --export md or --export docx" in alone.output
    pdf = CliRunner().invoke(main, ["ask", "x?", "--export", "pdf"])
    assert pdf.exit_code == 2 and "'pdf' is not one of 'md', 'docx'" in pdf.output
