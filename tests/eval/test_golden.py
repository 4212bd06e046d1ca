"""Golden sets: the loader names the line and field at fault; validation finds quotes not in the corpus."""

import json
from pathlib import Path

import pytest

from eval.evidence import DocumentTexts, Span, find_all
from eval.evidence import validate_golden
from eval.golden import DEFAULT_GOLDEN, Evidence, GoldenError, load_golden

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
DOC = "The Protocol entered into force in 2003.\nStates shall criminalise trafficking.\nEnd.\n"


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "law.txt").write_text(DOC, encoding="utf-8")
    return root


def write(tmp_path, *rows) -> Path:
    path = tmp_path / "golden.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "q1", "question": "When did it enter into force?", "answerable": True,
        "evidence": [{"source": "corpus/law.txt", "quote": "entered into force in 2003"}], "tags": ["lexical"]}
NO = {"id": "q2", "question": "Who won the cup?", "answerable": False, "evidence": [], "tags": ["unanswerable"],
      "history": [["What is it?", "A protocol."]]}


def test_a_golden_file_loads_into_typed_items(tmp_path):
    items = load_golden(write(tmp_path, GOOD, "", NO))
    assert [i.id for i in items] == ["q1", "q2"]
    assert items[0].evidence == (Evidence("corpus/law.txt", quote="entered into force in 2003"),)
    assert items[1].history == (("What is it?", "A protocol."),) and not items[1].answerable


@pytest.mark.parametrize("row, message", [
    ({k: v for k, v in GOOD.items() if k != "question"}, ":2: missing field 'question'"),
    ({**GOOD, "answerable": "yes"}, ":2: 'answerable' must be true or false"),
    ({**GOOD, "evidence": []}, ":2: answerable question with empty 'evidence'"),
    ({**NO, "evidence": GOOD["evidence"]}, ":2: unanswerable question with evidence"),
    ({**GOOD, "evidence": [{"quote": "x"}]}, ":2: evidence[0]: missing field 'source'"),
    ({**GOOD, "evidence": [{"source": "corpus/law.txt", "start": 9, "end": 3}]}, "integer 'start' < 'end'"),
    ({**GOOD, "history": ["just a string"]}, "'history' must be a list of [question, answer] pairs"),
    ({**GOOD, "id": "q2"}, ":2: id 'q2' already used on line 1"),
    ('{"id": "q9", "question": ', ":2: not valid JSON"),
])
def test_a_bad_line_is_reported_with_its_number_and_what_to_fix(tmp_path, row, message):
    with pytest.raises(GoldenError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_golden(write(tmp_path, NO, row))


def test_a_missing_golden_file_says_which_option_to_use(tmp_path):
    with pytest.raises(GoldenError, match="--golden"):
        load_golden(tmp_path / "nope.jsonl")


def test_validation_accepts_verbatim_quotes_and_reports_the_rest(tmp_path, corpus):
    items = load_golden(write(tmp_path, GOOD, {**GOOD, "id": "q3", "evidence": [
        {"source": "corpus/law.txt", "quote": "entered into force in 2004"}]},
        {**GOOD, "id": "q4", "evidence": [{"source": "corpus/missing.txt", "quote": "x"}]}))
    problems = validate_golden(items, corpus)
    assert len(problems) == 2
    assert problems[0].startswith("q3: quote not found verbatim in corpus/law.txt")
    assert problems[1].startswith("q4: corpus/missing.txt not found")


def test_a_quote_maps_to_the_char_span_of_the_document_text(corpus):
    texts = DocumentTexts(corpus)
    (span,) = texts.locate(Evidence("corpus/law.txt", quote="States shall criminalise"))
    assert DOC[span.start:span.end] == "States shall criminalise"
    assert span == Span("corpus/law.txt", 41, 65)


def test_a_quote_across_a_line_break_is_found_despite_different_whitespace(corpus):
    (span,) = DocumentTexts(corpus).locate(Evidence("corpus/law.txt", quote="in 2003. States shall"))
    assert DOC[span.start:span.end] == "in 2003.\nStates shall"


def test_a_repeated_quote_resolves_to_every_occurrence():
    assert find_all("ab ab ab", "ab") == [(0, 2), (3, 5), (6, 8)]


def test_without_the_file_quotes_are_found_in_the_indexed_chunks(tmp_path):
    from ingest.records import Chunk

    chunk = Chunk("c1", "States shall criminalise trafficking.", "corpus/law.txt", "", None, "", 41, 78, "secondary", "h")
    texts = DocumentTexts(tmp_path / "elsewhere", chunks_of=lambda source: [chunk] if source == chunk.source else [])
    assert texts.locate(Evidence("corpus/law.txt", quote="criminalise")) == (Span("corpus/law.txt", 54, 65),)


def test_every_quote_in_the_shipped_golden_set_is_verbatim_in_the_shipped_corpus():
    items = load_golden(DEFAULT_GOLDEN)
    assert len(items) >= 40 and sum(not i.answerable for i in items) >= 10
    assert validate_golden(items, REPO / "corpus") == []


# ---- provisions: article, paragraph, page -------------------------------------------------------------
LEGAL = {"id": "l1", "question": "When did it enter into force?", "answerable": True, "document": "corpus/law.txt",
         "evidence": [{"source": "corpus/law.txt", "quote": "entered into force in 2003", "article": "Article 9",
                       "paragraph": "2", "page": 3}]}


def test_evidence_can_name_its_article_paragraph_and_page_and_old_files_stay_valid(tmp_path):
    legal, old = load_golden(write(tmp_path, LEGAL, GOOD))
    assert legal.evidence[0] == Evidence("corpus/law.txt", quote="entered into force in 2003", article="Article 9",
                                         paragraph="2", page=3)
    assert legal.document == "corpus/law.txt" and legal.to_dict()["evidence"][0]["page"] == 3
    assert old.evidence[0].article is None and old.document is None and "document" not in old.to_dict()


@pytest.mark.parametrize("change, message", [
    ({"page": 0}, "'page' must be a 1-based page number"),
    ({"page": "3"}, "'page' must be a 1-based page number"),
    ({"article": ""}, "'article' must be the provision as the text numbers it"),
    ({"paragraph": 2}, "'paragraph' must be a subdivision label"),
    ({"article": None}, "'paragraph' and 'page' need an 'article'"),
])
def test_a_bad_provision_is_reported_with_what_to_fix(tmp_path, change, message):
    row = {**LEGAL, "evidence": [{**LEGAL["evidence"][0], **change}]}
    with pytest.raises(GoldenError, match=":1: evidence\\[0\\]: " + message.replace("(", r"\(")):
        load_golden(write(tmp_path, row))


def test_a_quote_verbatim_only_after_normalisation_is_located_and_validated(tmp_path):
    from eval.evidence import locate_evidence

    root = tmp_path / "corpus"
    root.mkdir()
    text = "The Regulation applies to the deter-\nmining of the \ufb01nal \u201cMember State\u201d.\n"
    (root / "reg.txt").write_text(text, encoding="utf-8")
    ev = Evidence("corpus/reg.txt", quote='determining of the final "Member State"')
    (span,) = locate_evidence(DocumentTexts(root), ev)
    assert text[span.start:span.end] == "deter-\nmining of the \ufb01nal \u201cMember State\u201d"
    items = load_golden(write(tmp_path, {**GOOD, "evidence": [{"source": "corpus/reg.txt", "quote": ev.quote}]}))
    assert validate_golden(items, root) == []
