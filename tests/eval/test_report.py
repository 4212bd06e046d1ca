"""report.json and the self-contained report.html of an answer eval."""

import base64
import json
import re

import pytest

from eval.answers import run_answer_eval
from tests.support.eval_fakes import ScriptedAssistant, write_corpus, write_golden

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("report")
    corpus = write_corpus(tmp_path)
    golden = write_golden(tmp_path / "golden.jsonl")
    gates = tmp_path / "gates.toml"
    gates.write_text("[citation_recall]\nmin = 0.3\n[refusal_recall]\nmin = 0.9\n", encoding="utf-8")
    first = run_answer_eval(ScriptedAssistant(), golden, tmp_path / "r1", gates_path=gates, corpus_dir=corpus, k=5)
    second = run_answer_eval(ScriptedAssistant(), golden, tmp_path / "r2", baseline=tmp_path / "r1" / "report.json",
                             gates_path=gates, corpus_dir=corpus, k=5)
    return tmp_path, first, second


def test_report_json_holds_metrics_gates_and_every_item(reported):
    tmp, first, _ = reported
    data = json.loads((tmp / "r1" / "report.json").read_text())
    assert data["passed"] is False
    assert data["metrics"]["citation_recall"] == pytest.approx(1 / 3)
    assert data["metrics"]["refusal_precision"] == 0.5
    assert [g["metric"] for g in data["gates"] if not g["passed"]] == ["refusal_recall"]
    assert [i["id"] for i in data["items"]] == ["a1", "a2", "a3", "u1", "u2"]
    assert data["items"][2]["citation_precision"] is None  # undefined is null in JSON, never 0


def test_report_html_is_self_contained_with_plots_table_and_worst_cases(reported):
    tmp, first, _ = reported
    html = (tmp / "r1" / "report.html").read_text()
    assert not re.search(r'(src|href)="(https?:|//|file:)', html)  # nothing fetched from elsewhere
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 3 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "1 GATE(S) FAIL" in html and "refusal_recall = 0.5" in html
    assert html.index("Which notice colour means arrest?") < html.index("And what do they teach?")  # worst first
    assert "✗ unsupported" in html and "earlier in the chat" in html


def test_a_baseline_run_shows_deltas_in_the_table(reported):
    tmp, _, second = reported
    html = (tmp / "r2" / "report.html").read_text()
    assert "<th>baseline</th><th>Δ</th>" in html and "±0" in html
    data = json.loads((tmp / "r2" / "report.json").read_text())
    assert data["deltas"]["citation_recall"] == 0.0


def test_a_baseline_that_is_not_a_report_is_a_clear_error(tmp_path):
    from eval.answers import load_baseline
    from lexcite.errors import ConfigError

    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="is it a `lexcite eval answers` report.json"):
        load_baseline(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_baseline(tmp_path / "missing.json")


def test_a_worst_case_shows_the_retrieved_passage_that_held_the_evidence_it_did_not_cite(reported):
    tmp, _, _ = reported
    html = (tmp / "r1" / "report.html").read_text()
    a3 = html[html.index("a3 · And what do they teach?"):].split('class="card case"')[0]
    a1 = html[html.index("a1 · How are alerts sent?"):].split('class="card case"')[0]
    assert "retrieved, holds the evidence, but not cited" in a3  # refused although rank 1 held it
    assert '<mark class="ev">Training courses teach officers</mark>' in a3
    assert "retrieved, holds the evidence, but not cited" not in a1 and "evidence at rank 2 of 3" in a1
