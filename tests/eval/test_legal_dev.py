"""A legal-dev folder (docs/ + questions.jsonl) becomes a golden set, and `lexcite eval answers --legal-dev DIR`
ingests its documents into an index of their own and reports per document."""

import json

import pytest
from click.testing import CliRunner

from eval.golden import GoldenError, load_golden
from eval.legal_dev import LEGAL_GATES, convert, write_golden

pytestmark = pytest.mark.unit

TREATY = """# Convention on Harbour Fees

### Article 1
1. Each Party shall publish its harbour fees every year.
2. Fees shall not exceed the cost of the services rendered.

### Article 2
Disputes shall be settled by negotiation between the Parties.
"""
QUESTIONS = [
    {"id": "H1", "question": "How often must a Party publish its harbour fees?", "type": "answerable",
     "doc": "harbour-convention.md", "article": "Article 1", "paragraph": "1",
     "evidence": "shall publish its harbour fees every year", "page": None},
    {"id": "H2", "question": "Which Parties have ratified the convention?", "type": "unanswerable",
     "doc": "harbour-convention.md", "article": None, "paragraph": None, "evidence": None, "page": None},
]


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "legal-dev"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "harbour-convention.md").write_text(TREATY, encoding="utf-8")
    (root / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    return root


def test_each_question_becomes_a_golden_item_with_its_provision_and_document(folder, tmp_path):
    items = load_golden(write_golden(folder, tmp_path / "out" / "golden.jsonl"))
    h1, h2 = items
    assert h1.answerable and h1.document == "docs/harbour-convention.md"
    (ev,) = h1.evidence
    assert (ev.source, ev.quote, ev.article, ev.paragraph, ev.page) == (
        "docs/harbour-convention.md", "shall publish its harbour fees every year", "Article 1", "1", None)
    assert not h2.answerable and h2.evidence == () and h2.tags == ("unanswerable",)
    assert h2.document == "docs/harbour-convention.md"  # the document it seems to be about


@pytest.mark.parametrize("change, message", [
    ({"type": "maybe"}, "'type' must be answerable or unanswerable"),
    ({"doc": "missing.pdf"}, "document 'missing.pdf' is not in"),
    ({"evidence": None}, "needs its 'evidence' text"),
    ({"page": 0}, "'page' must be a 1-based page number"),
])
def test_a_bad_question_is_reported_with_its_line(folder, change, message):
    rows = [QUESTIONS[1], {**QUESTIONS[0], **change}]
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in rows), encoding="utf-8")
    with pytest.raises(GoldenError, match=r"questions.jsonl:2: .*" + message.replace("(", r"\(")):
        convert(folder)


def test_a_folder_that_is_not_a_legal_dev_folder_says_what_it_needs(tmp_path):
    with pytest.raises(GoldenError, match="needs questions.jsonl and docs/"):
        convert(tmp_path)


def test_the_legal_gates_file_names_real_metrics_and_covers_the_targets():
    from eval.results import METRICS
    from eval.gates import load_gates

    gated = {(g.metric, g.op) for g in load_gates(LEGAL_GATES, known=METRICS)}
    assert {("article_hit_at_k", "min"), ("evidence_hit", "min"), ("refusal_recall", "min"),
            ("false_refusals", "max"), ("non_verbatim_quotes", "max")} <= gated


def test_the_cli_ingests_the_folder_apart_from_the_users_index_and_reports_per_document(folder, tmp_path, monkeypatch,
                                                                                     hash_embedder):
    from ui.cli.main import main
    from ui.services import Runtime

    monkeypatch.setattr(Runtime, "embedder", property(lambda self: hash_embedder))
    data = tmp_path / "data"
    monkeypatch.setenv("LEXCITE_DATA_DIR", str(data))
    gates = tmp_path / "gates.toml"
    gates.write_text("[non_verbatim_quotes]\nmax = 0\n", encoding="utf-8")
    runner = CliRunner()
    args = ["eval", "answers", "--legal-dev", str(folder), "--gates", str(gates), "--report", str(tmp_path / "r")]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "article hit@6" in first.output and "docs/harbour-convention.md" in first.output
    assert (data / "eval-legal-dev").is_dir() and not (data / "chroma").exists()  # the user's index is untouched
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["by_document"]["docs/harbour-convention.md"]["n"] == 2
    assert (tmp_path / "r" / "golden-legal-dev.jsonl").is_file() and (tmp_path / "r" / "report.md").is_file()
    both = runner.invoke(main, ["eval", "answers", "--legal-dev", str(folder), "--golden", str(gates)])
    assert both.exit_code != 0 and "not both" in both.output
