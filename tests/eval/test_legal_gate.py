"""The legal gate: the legal-dev questions (../shared/legal-dev, 40 questions over six real instruments) run
end to end on an index of those documents built with the real model, and hold eval/gates-legal.toml;
assistants broken in ways a lawyer would notice do not. Skipped with the reason when the folder is absent
(set LEXCITE_LEGAL_DEV to its path)."""

from __future__ import annotations


import pytest

from eval.answers import run_answer_eval
from eval.legal_dev import LEGAL_GATES, ensure_index, write_golden
from tests.support.replay import Recording, Replaying, answers_everything, paraphrases_quotes, refuses_everything
from tests.support.legal_dev import ABSENT, LEGAL_DEV

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not (LEGAL_DEV / "questions.jsonl").is_file() or not (LEGAL_DEV / "docs").is_dir(),
                       reason=ABSENT),
]


@pytest.fixture(scope="module")
def legal_run(tmp_path_factory, real_embedder):
    from assistant.service import Assistant
    from lexcite.settings import load_settings

    base = tmp_path_factory.mktemp("legal-dev")
    settings = ensure_index(LEGAL_DEV, load_settings(env={}, data_dir=base / "data"), real_embedder)
    golden = write_golden(LEGAL_DEV, base / "golden.jsonl")
    recording = Recording(Assistant.from_settings(settings, real_embedder))
    return run_answer_eval(recording, golden, base / "report", gates_path=LEGAL_GATES), recording, golden


def test_the_legal_dev_questions_hold_every_legal_gate(legal_run):
    run, _, _ = legal_run
    failed = [g.describe() for g in run.gates if not g.passed]
    assert not failed, ("legal gates failed (see `lexcite eval answers --legal-dev ../shared/legal-dev --report DIR`): "
                        + "; ".join(failed))


def test_every_document_gets_its_row_with_its_answerable_and_unanswerable_questions(legal_run):
    run, _, _ = legal_run
    assert len(run.items) == 40 and run.meta["answerable"] == 30
    assert len(run.by_document) == 6
    assert all(row["answerable"] == 5 and row["n"] - row["answerable"] >= 1 for row in run.by_document.values())


@pytest.mark.parametrize("breaks, must_fail", [
    (answers_everything, {"refusal_recall"}),
    (refuses_everything, {"false_refusals", "evidence_hit", "page_accuracy"}),
    (paraphrases_quotes, {"non_verbatim_quotes"}),
], ids=["answers-everything", "refuses-everything", "paraphrases-quotes"])
def test_a_broken_assistant_fails_the_legal_gates(legal_run, breaks, must_fail):
    _, recording, golden = legal_run
    run = run_answer_eval(Replaying(recording, breaks), golden, gates_path=LEGAL_GATES)
    failed = {g.metric for g in run.gates if not g.passed}
    assert must_fail <= failed, failed
