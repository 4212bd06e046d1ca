"""Evidence hit and the normal form it compares in: text extracted from PDFs and Markdown still matches."""

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.evidence_hit import evidence_hit
from eval.normalise import contains_normalised, find_normalised, normalise

pytestmark = pytest.mark.unit


def test_the_normal_form_folds_ligatures_soft_hyphens_quotes_and_whitespace():
    raw = "the \ufb01ne is \u201cdue\u201d\n  within\u00ad two  years"
    assert normalise(raw) == 'the fine is "due" within two years'
    assert normalise("``child'' means") == '"child\'\' means'


def test_a_word_broken_at_a_line_end_matches_with_or_without_its_hyphen():
    assert contains_normalised("for deter-\nmining the Member State", "for determining the")
    assert contains_normalised("a well-\nknown rule", "a well-known rule")
    assert not contains_normalised("for deter-\nmining the Member State", "for deterring")


def test_an_occurrence_is_found_at_its_raw_offsets():
    text = "Intro. The \ufb01ne shall be\n  paid. The fine shall be paid."
    hits = find_normalised(text, "fine shall be paid")
    assert len(hits) == 2
    assert text[hits[0][0]:hits[0][1]] == "\ufb01ne shall be\n  paid"
    assert text[hits[1][0]:hits[1][1]] == "fine shall be paid"
    assert find_normalised(text, "not there") == []


def test_an_item_hits_when_every_evidence_lies_inside_some_quote():
    quotes = ["Member States shall not hold a person in detention for the sole reason that", "Other text."]
    assert evidence_hit(quotes, ["shall not hold a person in\ndetention"]) == 1.0
    assert evidence_hit(quotes, ["shall not hold a person", "Other text"]) == 1.0
    assert evidence_hit(quotes, ["shall not hold a person", "missing"]) == 0.0
    assert evidence_hit([], ["shall not hold"]) == 0.0  # nothing cited, nothing quoted


def test_evidence_split_over_two_quotes_is_not_a_hit():
    assert evidence_hit(["shall not hold a", "person in detention"], ["hold a person"]) == 0.0


@pytest.mark.parametrize("quotes, evidence, message", [
    (None, ["x"], "needs the citation quotes"),
    (["x"], [], "needs the expected evidence"),
    (["x"], ["  "], "non-empty text"),
])
def test_a_missing_input_is_a_clear_error(quotes, evidence, message):
    with pytest.raises(MetricInputError, match=message):
        evidence_hit(quotes, evidence)
