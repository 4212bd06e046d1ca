"""The legal metrics of `run_answer_eval` on a scripted assistant over a two-article act, worked out by hand:
article hit@k, cited-article precision, page accuracy, evidence hit, char-span precision/recall, non-verbatim
quotes, false refusals, and the per-document rows of the report."""

import dataclasses
import json
import math

import pytest

from eval.answers import run_answer_eval
from ingest.records import Chunk
from tests.support.eval_fakes import Script, ScriptedAssistant, write_golden

pytestmark = pytest.mark.unit

SOURCE = "corpus/act.txt"
PARTS = {  # key: (section, page, text)
    "A": ("Article 1(1)", 1, "Article 1\n1. Members shall cooperate closely."),
    "B": ("Article 1(2)", 1, "2. Each Member shall report every year."),
    "C": ("Article 2", 2, "Article 2\nFees shall not exceed ten euros."),
}
TEXT = "\n".join(t for _, _, t in PARTS.values()) + "\n"


def _chunks() -> dict[str, Chunk]:
    out = {}
    for key, (section, page, text) in PARTS.items():
        start = TEXT.index(text)
        out[key] = Chunk(f"act-{key}", text, SOURCE, "Act", page, section, start, start + len(text), "primary_law", "h")
    return out


CHUNKS = _chunks()


def ev(quote, article, paragraph=None, page=None):
    return {"source": SOURCE, "quote": quote, "article": article, "paragraph": paragraph, "page": page}


GOLDEN = [
    {"id": "l1", "question": "How often do Members report?", "answerable": True, "document": SOURCE,
     "evidence": [ev("report every year", "Article 1", "2", 1)]},
    {"id": "l2", "question": "What may fees not exceed?", "answerable": True, "document": SOURCE,
     "evidence": [ev("not exceed ten euros", "Article 2", None, 2)]},
    {"id": "l3", "question": "Who chairs the board?", "answerable": False, "document": SOURCE, "evidence": []},
]
SCRIPTS = {
    # the cited chunk is Article 1 on page 1 but not paragraph 2, and does not hold the evidence
    "How often do Members report?": Script(["A", "B"], [("A", True)]),
    # Article 2 is cited (and holds the evidence) though not retrieved in the top k
    "What may fees not exceed?": Script(["A"], [("C", True)]),
    "Who chairs the board?": Script(["A"], refuse=True),
}


@pytest.fixture
def golden(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "act.txt").write_text(TEXT, encoding="utf-8")
    return write_golden(tmp_path / "golden.jsonl", GOLDEN)


@pytest.fixture
def gates(tmp_path):
    path = tmp_path / "gates.toml"
    path.write_text("[non_verbatim_quotes]\nmax = 0\n[false_refusals]\nmax = 0\n", encoding="utf-8")
    return path


def run(golden, gates, assistant, **kw):
    return run_answer_eval(assistant, golden, gates_path=gates, corpus_dir=golden.parent / "corpus", k=5, **kw)


def test_the_legal_metrics_as_worked_out_by_hand(golden, gates):
    m = run(golden, gates, ScriptedAssistant(SCRIPTS, CHUNKS)).metrics
    assert m["article_hit_at_k"] == 0.5  # l1: B (rank 2) names Article 1(2); l2: Article 2 not retrieved
    assert m["cited_article_precision"] == 1.0  # A names Article 1, C names Article 2
    assert m["page_accuracy"] == 1.0  # both cited on the expected page
    assert m["evidence_hit"] == 0.5  # only C's quote holds its evidence
    c_len = len(PARTS["C"][2])
    assert m["span_precision"] == pytest.approx((0 + len("not exceed ten euros") / c_len) / 2)
    assert m["span_recall"] == 0.5
    assert m["non_verbatim_quotes"] == 0 and m["false_refusals"] == 0 and m["refusal_recall"] == 1.0


def test_a_quote_that_is_not_a_slice_of_its_chunk_fails_the_verbatim_gate(golden, gates):
    class Paraphrasing(ScriptedAssistant):
        def ask(self, question, history=None, backend=None, k=None):
            a = super().ask(question, history, backend, k)
            a.citations = [dataclasses.replace(c, quote=c.quote.replace("ten", "six")) for c in a.citations]
            return a

    run_ = run(golden, gates, Paraphrasing(SCRIPTS, CHUNKS))
    assert run_.metrics["non_verbatim_quotes"] == 1
    assert {g.metric: g.passed for g in run_.gates}["non_verbatim_quotes"] is False
    assert run_.items[1].non_verbatim == ["[1] not the chunk's text at its offsets"]


def test_a_refused_answerable_question_is_a_false_refusal_and_misses_article_and_page(golden, gates):
    scripts = {**SCRIPTS, "What may fees not exceed?": Script(["C"], refuse=True)}
    run_ = run(golden, gates, ScriptedAssistant(scripts, CHUNKS))
    l2 = run_.items[1]
    assert l2.article_hit == 1.0 and l2.page_hit == 0.0 and l2.evidence_hit == 0.0
    assert math.isnan(l2.cited_article_precision) and math.isnan(l2.span_precision)
    assert run_.metrics["false_refusals"] == 1 and not run_.passed


def test_items_that_name_their_document_get_per_document_rows_in_the_report(golden, gates, tmp_path):
    run_ = run(golden, gates, ScriptedAssistant(SCRIPTS, CHUNKS), report_dir=tmp_path / "r")
    row = run_.by_document[SOURCE]
    assert (row["n"], row["answerable"], row["article_hit_at_k"], row["refusal_recall"]) == (3, 2, 0.5, 1.0)
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "By document" in html and "article hit@5" in html and "Article 1(2), p. 1" in html
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert f"| {SOURCE} | 3 (2) |" in md and "| evidence hit | 50% |" in md
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["by_document"][SOURCE]["evidence_hit"] == 0.5


def test_a_golden_set_without_provisions_leaves_the_legal_metrics_undefined_and_out_of_the_report(tmp_path, gates):
    from tests.support.eval_fakes import GOLDEN as PLAIN, write_corpus

    write_corpus(tmp_path)
    golden = write_golden(tmp_path / "plain.jsonl", PLAIN)
    gates.write_text("[citation_recall]\nmin = 0\n", encoding="utf-8")
    run_ = run(golden, gates, ScriptedAssistant(), report_dir=tmp_path / "r")
    assert math.isnan(run_.metrics["article_hit_at_k"]) and math.isnan(run_.metrics["page_accuracy"])
    assert run_.by_document == {}
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "article hit" not in html and "By document" not in html
