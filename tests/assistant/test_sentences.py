"""The sentence splitter: answers, verification and quiz items all rely on its spans."""

from __future__ import annotations

import pytest

from lexcite.text.sentences import SentenceSpan, split_sentences

pytestmark = pytest.mark.unit


def texts(s: str) -> list[str]:
    spans = split_sentences(s)
    for sp in spans:  # spans always point back into the original text
        assert s[sp.start:sp.end] == sp.text
    return [sp.text for sp in spans]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("States must act, e.g. by passing laws. They did so, i.e. in 2004.",
         ["States must act, e.g. by passing laws.", "They did so, i.e. in 2004."]),
        ("See Art. 4 and No. 5 of the Convention. It applies.",
         ["See Art. 4 and No. 5 of the Convention.", "It applies."]),
        ("The U.N. Protocol applies. The U.N. The end.",
         ["The U.N. Protocol applies.", "The U.N.", "The end."]),
        ("The offence is in Section 32(1). It carries 10 years.",
         ["The offence is in Section 32(1).", "It carries 10 years."]),
        ("Penalties (see s. 12 and pp. 3-4) apply. Dr. Smith and J. Doe agreed.",
         ["Penalties (see s. 12 and pp. 3-4) apply.", "Dr. Smith and J. Doe agreed."]),
        ("Rates rose 3.5% in 2020... and then fell. Why? Because.",
         ["Rates rose 3.5% in 2020... and then fell.", "Why?", "Because."]),
        ("Smith v. Jones held this. He said \"stop.\" Then left.",
         ["Smith v. Jones held this.", "He said \"stop.\"", "Then left."]),
    ],
)
def test_abbreviations_numbers_and_quotes_do_not_break_sentences(text, expected):
    assert texts(text) == expected


def test_citation_markers_stay_with_the_sentence_they_follow():
    text = "Trafficking is a crime. [1] INTERPOL issues notices [2]. It helps states. [1, 2][3] Last."
    assert texts(text) == [
        "Trafficking is a crime. [1]",
        "INTERPOL issues notices [2].",
        "It helps states. [1, 2][3]",
        "Last.",
    ]


def test_line_breaks_headings_and_list_items():
    text = (
        "Legal Framework\n"
        "The body starts here and\n"
        "continues on the next line. Second.\n\n"
        "- item one\n"
        "* item two is longer.\n"
        "1. First point.\n"
        "(b) Second point"
    )
    assert texts(text) == [
        "Legal Framework",
        "The body starts here and\ncontinues on the next line.",
        "Second.",
        "item one",
        "item two is longer.",
        "First point.",
        "Second point",
    ]


def test_an_item_whose_marker_is_glued_to_its_first_word_starts_its_own_sentence():
    # a PDF of a treaty database's text: "a)Sale of …" right under the line that introduces the list
    text = ("For the purposes of this Protocol:\n"
            "a)Sale of samples means any act or\n"
            "transaction whereby a sample is transferred;\n"
            "(b)Sample pornography means any representation;\n"
            "c.Transfer of samples for profit.\n"
            "The rate (a)is applied in full.")
    assert texts(text) == [
        "For the purposes of this Protocol:",
        "a)Sale of samples means any act or\ntransaction whereby a sample is transferred;",
        "(b)Sample pornography means any representation;",
        "c.Transfer of samples for profit.",
        "The rate (a)is applied in full.",
    ]


def test_empty_and_whitespace_text_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("  \n\n ") == []


def test_a_text_without_final_punctuation_is_one_sentence():
    assert split_sentences("  no full stop here ") == [SentenceSpan(2, 19, "no full stop here")]
