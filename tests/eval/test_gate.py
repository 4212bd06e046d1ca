"""The CI gate: the shipped golden set on the shipped corpus holds every gate in eval/gates.toml,
and assistants that are broken in the ways users would notice do not."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from eval.answers import run_answer_eval
from eval.results import METRICS
from eval.gates import DEFAULT_GATES, Gate, check_gates, load_gates
from eval.golden import DEFAULT_GOLDEN
from lexcite.errors import ConfigError
from tests.support.replay import Recording, Replaying, answers_everything, cites_nothing, refuses_everything


# ---- the gates file ---------------------------------------------------------------------------------
@pytest.mark.unit
def test_the_checked_in_gates_name_real_metrics_and_cover_every_family():
    gates = load_gates(DEFAULT_GATES, known=METRICS)
    gated = {g.metric for g in gates}
    assert {"hit_rate_at_k", "citation_precision", "citation_recall", "support_rate", "refusal_recall",
            "false_refusal_rate", "latency_p95_ms"} <= gated
    assert all(0 < g.threshold <= 1 for g in gates if METRICS[g.metric][2] == "pct" and g.op == "min")


@pytest.mark.unit
def test_min_and_max_gates_hold_or_fail_and_an_undefined_metric_fails():
    gates = [Gate("citation_recall", "min", 0.8), Gate("latency_p95_ms", "max", 100.0)]
    ok = check_gates({"citation_recall": 0.8, "latency_p95_ms": 100.0}, gates)
    bad = check_gates({"citation_recall": 0.79, "latency_p95_ms": 101.0}, gates)
    undefined = check_gates({"citation_recall": math.nan, "latency_p95_ms": 1.0}, gates)
    assert [r.passed for r in ok] == [True, True] and [r.passed for r in bad] == [False, False]
    assert [r.passed for r in undefined] == [False, True]


@pytest.mark.unit
@pytest.mark.parametrize("text, message", [
    ("[citation_recal]\nmin = 0.5\n", "not a metric of this eval"),
    ("[citation_recall]\nat_least = 0.5\n", "needs `min = x` and/or `max = x`"),
    ("[citation_recall]\nmin = 'high'\n", "must be a number"),
    ("[citation_recall\n", "not valid TOML"),
])
def test_a_bad_gates_file_says_what_to_fix(tmp_path, text, message):
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_gates(path, known=METRICS)


# ---- the shipped golden set -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_run(shipped_index, real_embedder):
    from assistant.service import Assistant

    recording = Recording(Assistant.from_settings(shipped_index, real_embedder))
    return run_answer_eval(recording, DEFAULT_GOLDEN), recording


@pytest.mark.integration
@pytest.mark.slow
def test_the_shipped_golden_set_holds_every_gate(shipped_run):
    run, _ = shipped_run
    failed = [g.describe() for g in run.gates if not g.passed]
    assert not failed, "gates failed (see `lexcite eval answers --report DIR`): " + "; ".join(failed)
    assert len(run.items) >= 40


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("breaks, must_fail", [
    (cites_nothing, {"citation_recall", "refusal_recall"}),
    (answers_everything, {"refusal_recall"}),
    (refuses_everything, {"false_refusal_rate", "citation_recall"}),
], ids=["cites-nothing", "answers-everything", "refuses-everything"])
def test_a_broken_assistant_fails_the_gate(shipped_run, breaks, must_fail):
    _, recording = shipped_run
    run = run_answer_eval(Replaying(recording, breaks), DEFAULT_GOLDEN)
    failed = {g.metric for g in run.gates if not g.passed}
    assert not run.passed and must_fail <= failed, failed


@pytest.mark.integration
@pytest.mark.slow
def test_the_cli_exits_1_when_a_gate_fails_and_0_when_all_hold(shipped_index, shipped_run, real_embedder, tmp_path,
                                                             monkeypatch):
    from ui.cli.main import main
    from ui.services import Runtime

    monkeypatch.setattr(Runtime, "embedder", property(lambda self: real_embedder))
    monkeypatch.setenv("LEXCITE_DATA_DIR", str(shipped_index.data_dir))
    monkeypatch.setenv("LEXCITE_CORPUS_DIR", str(shipped_index.corpus_dir))
    golden = tmp_path / "two.jsonl"
    golden.write_text("".join(DEFAULT_GOLDEN.read_text(encoding="utf-8").splitlines(keepends=True)[:2]))
    easy, hard = tmp_path / "easy.toml", tmp_path / "hard.toml"
    easy.write_text("[hit_rate_at_k]\nmin = 0.3\n")
    hard.write_text("[latency_p95_ms]\nmax = 0.001\n")
    runner = CliRunner()
    ok = runner.invoke(main, ["eval", "answers", "--golden", str(golden), "--gates", str(easy),
                                  "--report", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert "all gates hold" in ok.output and (tmp_path / "r" / "report.html").is_file()
    bad = runner.invoke(main, ["eval", "answers", "--golden", str(golden), "--gates", str(hard),
                                   "--baseline", str(tmp_path / "r" / "report.json"), "--json"])
    assert bad.exit_code == 1
    assert "gate failed: latency_p95_ms" in bad.output
