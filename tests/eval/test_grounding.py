"""`lexcite eval grounding`: the verifier on given (context, answer) pairs, JSON lines in and out."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.verify import Verifier
from eval.grounding import GroundingInputError, check, load_pairs, parse_pair, report
from ui.cli.main import main

CONTEXT = ("The penalty for organ trafficking is imprisonment of up to 12 years. Donors must not receive "
           "payment for an organ. INTERPOL assists national police with joint investigations.")

ROWS = [
    {"id": "ok", "context": CONTEXT,
     "answer": "The penalty is imprisonment of up to 12 years [1]. Donors must not receive payment for an organ.",
     "label": "supported"},
    {"id": "number", "context": [CONTEXT, "Another passage about extradition."],
     "answer": "The penalty for organ trafficking is imprisonment of up to 20 years.", "label": "unsupported"},
    {"id": "negation", "context": CONTEXT, "answer": "Donors must receive payment for an organ.",
     "label": "unsupported"},
    {"id": "mixed", "context": CONTEXT,
     "answer": "INTERPOL assists national police with joint investigations. Europol funds every hospital in Spain.",
     "label": "unsupported"},
]


def write(tmp_path, rows, name="pairs.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.unit
def test_sentence_offsets_point_into_the_answer(tmp_path, hash_embedder):
    pairs = load_pairs(write(tmp_path, ROWS))
    results = check(pairs, Verifier(embedder=hash_embedder))
    assert [r.id for r in results] == ["ok", "number", "negation", "mixed"]
    for pair, res in zip(pairs, results):
        assert res.sentences, pair.id
        for s in res.sentences:
            assert pair.answer[s.start:s.end] == s.text
        assert res.score == min(s.score for s in res.sentences)
        assert res.grounded == all(s.supported for s in res.sentences)
    assert len(results[0].sentences) == 2 and len(results[3].sentences) == 2


@pytest.mark.unit
def test_an_empty_answer_is_not_grounded(hash_embedder):
    res = check([parse_pair({"id": "e", "context": CONTEXT, "answer": "  "}, "x")], Verifier(embedder=hash_embedder))
    assert res[0].grounded is False and res[0].sentences == ()


@pytest.mark.unit
@pytest.mark.parametrize(
    "line, message",
    [
        ({"id": "a", "answer": "x"}, "missing field"),
        ({"id": "a", "context": 3, "answer": "x"}, "string or a list of strings"),
        ({"id": "a", "context": "c", "answer": "x", "label": "yes"}, "'supported' or 'unsupported'"),
    ],
)
def test_malformed_lines_say_how_to_fix_them(tmp_path, line, message):
    with pytest.raises(GroundingInputError, match=message):
        load_pairs(write(tmp_path, [line]))


@pytest.mark.unit
def test_the_cli_names_a_missing_input_file(tmp_path):
    result = CliRunner().invoke(main, ["eval", "grounding", "--input", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "not found" in result.output


@pytest.mark.unit
def test_labelled_pairs_give_per_class_figures(hash_embedder):
    pairs = [parse_pair(r, str(i)) for i, r in enumerate(ROWS)]
    rep = report(pairs, check(pairs, Verifier(embedder=hash_embedder)))
    assert {c.label for c in rep.classes} == {"supported", "unsupported"}
    assert rep.by_label("supported").support == 1 and rep.by_label("unsupported").support == 3


@pytest.mark.integration
def test_eval_grounding_cli_contract(tmp_path, real_embedder):
    inp = write(tmp_path, ROWS)
    out = tmp_path / "out" / "verdicts.jsonl"
    metrics = tmp_path / "metrics.json"
    result = CliRunner().invoke(main, ["eval", "grounding", "--input", str(inp), "--output", str(out),
                                       "--metrics", str(metrics)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["id"] for x in lines] == [r["id"] for r in ROWS]
    for row, x in zip(ROWS, lines):
        assert set(x) == {"id", "grounded", "score", "sentences"}
        for s in x["sentences"]:
            assert set(s) == {"text", "start", "end", "supported", "score"}
            assert row["answer"][s["start"]:s["end"]] == s["text"]
    verdict = {x["id"]: x["grounded"] for x in lines}
    assert verdict == {"ok": True, "number": False, "negation": False, "mixed": False}
    assert [s["supported"] for s in lines[3]["sentences"]] == [True, False]
    assert "precision" in result.stderr and "unsupported" in result.stderr
    figures = json.loads(metrics.read_text())
    assert figures["macro_f1"] == pytest.approx(1.0)


@pytest.mark.integration
def test_eval_grounding_writes_json_lines_to_stdout_without_labels(tmp_path, real_embedder):
    rows = [{k: v for k, v in r.items() if k != "label"} for r in ROWS[:2]]
    result = CliRunner().invoke(main, ["eval", "grounding", "--input", str(write(tmp_path, rows))])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["ok", "number"]
    assert "precision" not in result.stderr
