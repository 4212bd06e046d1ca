"""`run_answer_eval` on a scripted assistant: every figure below is worked out by hand in fakes.py."""

import math

import pytest

from eval.answers import run_answer_eval
from eval.golden import GoldenError
from tests.support.eval_fakes import SCRIPTS, ScriptedAssistant, Script, write_corpus, write_golden

pytestmark = pytest.mark.unit


@pytest.fixture
def golden(tmp_path):
    write_corpus(tmp_path)
    return write_golden(tmp_path / "golden.jsonl")


@pytest.fixture
def gates(tmp_path):
    path = tmp_path / "gates.toml"
    path.write_text("[citation_recall]\nmin = 0.3\n[refusal_recall]\nmin = 0.9\n", encoding="utf-8")
    return path


def run(golden, gates, assistant=None, tmp_path=None, **kw):
    assistant = assistant or ScriptedAssistant()
    return run_answer_eval(assistant, golden, gates_path=gates, corpus_dir=golden.parent / "corpus", k=5, **kw)


def test_the_run_reports_every_metric_as_worked_out_by_hand(golden, gates):
    m = run(golden, gates).metrics
    assert m["hit_rate_at_k"] == pytest.approx(2 / 3)  # a1 rank 2, a2 miss, a3 rank 1
    assert m["mrr_at_k"] == pytest.approx((1 / 2 + 0 + 1) / 3)
    assert m["evidence_recall_at_k"] == pytest.approx(2 / 3)
    assert m["citation_precision"] == pytest.approx((1 / 2 + 0) / 2)  # a3 refused: cites nothing, undefined
    assert m["citation_recall"] == pytest.approx((1 + 0 + 0) / 3)
    assert m["support_rate"] == pytest.approx(3 / 4)  # a1 1 of 2, a2 1 of 1, u2 1 of 1
    assert m["refusal_precision"] == 0.5  # refused a3 (answerable) and u1
    assert m["refusal_recall"] == 0.5  # u1 refused, u2 answered
    assert m["false_refusal_rate"] == pytest.approx(1 / 3)
    assert m["latency_p50_ms"] == 30.0 and m["latency_p95_ms"] == pytest.approx(48.0)


def test_follow_ups_get_their_history_and_retrieval_is_judged_on_the_standalone_question(golden, gates):
    assistant = ScriptedAssistant()
    result = {r.id: r for r in run(golden, gates, assistant).items}
    assert assistant.histories["And what do they teach?"] == [("Are there training courses?", "Yes.")]
    assert "What do the training courses teach?" in assistant.retriever.queries
    assert result["a3"].standalone_question == "What do the training courses teach?"
    assert result["a3"].hit == 1.0 and result["a3"].refused


def test_each_item_says_which_passages_hold_the_evidence(golden, gates):
    a1 = run(golden, gates).items[0]
    assert [p["relevant"] for p in a1.retrieved] == [False, True, False]
    assert [(c["n"], c["relevant"]) for c in a1.citations] == [(1, True), (2, False)]
    assert a1.evidence[0]["spans"] and a1.correct


def test_gates_are_checked_and_the_worst_cases_come_first(golden, gates):
    result = run(golden, gates)
    assert {g.metric: g.passed for g in result.gates} == {"citation_recall": True, "refusal_recall": False}
    assert not result.passed
    assert [r.id for r in result.worst(3)] == ["u2", "a3", "a2"]  # quality 0, 0 (faster), 0.25


def test_per_tag_breakdown_counts_correct_items(golden, gates):
    tags = run(golden, gates).by_tag
    assert tags["unanswerable"]["n"] == 2 and tags["unanswerable"]["correct"] == 0.5
    assert tags["follow-up"]["correct"] == 0.0 and math.isnan(tags["unanswerable"]["hit_rate_at_k"])


def test_a_baseline_gives_deltas(golden, gates):
    result = run(golden, gates, baseline={"citation_recall": 0.5, "support_rate": math.nan})
    assert result.deltas()["citation_recall"] == pytest.approx(1 / 3 - 0.5)
    assert math.isnan(result.deltas()["support_rate"])


def test_evidence_missing_from_the_corpus_stops_the_run_with_the_item_named(tmp_path, gates):
    write_corpus(tmp_path)
    bad = write_golden(tmp_path / "g.jsonl", [{"id": "x1", "question": "How are alerts sent?", "answerable": True,
                                               "evidence": [{"source": "corpus/notes.txt", "quote": "not there"}]}])
    assistant = ScriptedAssistant()
    with pytest.raises(GoldenError, match="golden item x1: quote not found verbatim in corpus/notes.txt"):
        run(bad, gates, assistant)
    assert assistant.histories == {}  # nothing was asked


def test_an_answer_that_cites_nothing_scores_zero_recall_not_undefined(golden, gates):
    scripts = {q: Script(s.ranking, [], s.refuse, s.ms, s.standalone) for q, s in SCRIPTS.items()}
    m = run(golden, gates, ScriptedAssistant(scripts)).metrics
    assert m["citation_recall"] == 0.0 and math.isnan(m["citation_precision"])


def test_retrieval_is_scored_on_the_passages_behind_the_answer_not_on_a_second_search(golden, gates):
    class SecondSearchDiffers(ScriptedAssistant):
        def ask(self, question, history=None, backend=None, k=None):
            answer = super().ask(question, history, backend, k)
            self.retriever.retrieve = lambda *a, **kw: []  # a search after the answer would find nothing
            return answer

    result = {r.id: r for r in run(golden, gates, SecondSearchDiffers()).items}
    assert [p["relevant"] for p in result["a1"].retrieved] == [False, True, False]
    assert result["a1"].hit == 1.0
