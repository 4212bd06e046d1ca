"""A PDF whose text layer holds a run of a line twice (the copy right after the original, often starting
mid-word) is read as the document reads: once. Legitimate repetition stays."""

from __future__ import annotations

from pathlib import Path

from ingest import loaders
from ingest.loaders.pdf_repeats import drop_repeats
from tests.support.docs import make_pdf

CLEAN = ("This Regulation should not apply to processing activities for those purposes. However, personal data "
         "processed by public authorities under this Regulation should be governed by a more specific act.")
# what pypdf reads from such a page: from "g activities" to "under this R" twice, the copy after a space
DRAWN_TWICE = CLEAN.replace("under this Regulation",
                            "under this R g activities for those purposes. However, personal data processed by "
                            "public authorities under this Regulation")


def test_a_run_drawn_twice_is_read_once_even_when_the_copy_starts_mid_word():
    text, dropped = drop_repeats(DRAWN_TWICE)
    assert (text, dropped) == (CLEAN, 1)


def test_copies_that_break_their_lines_differently_are_still_one_copy():
    original = "ensure compliance with\nthe obligations under this Regulation and to prevent or mitigate the consequences o"
    copy = "compliance with the\nobligations under this Regulation and to prevent or mitigate the consequences o"
    text, dropped = drop_repeats(f"the measures taken to {original} {copy}f the infringement.")
    assert dropped == 1
    assert text == ("the measures taken to ensure compliance with\nthe obligations under this Regulation and to prevent "
                    "or mitigate the consequences of the infringement.")


def test_short_or_distant_repetition_is_the_document_and_stays():
    for text in ("Yes Yes No No", "The Parties shall meet. The Parties shall meet.",  # short: a drafting echo
                 "........ ........ ........ ........ ........ ........",
                 "Each Party shall designate an authority. " + "Other text in between. " * 3
                 + "Each Party shall designate an authority."):
        assert drop_repeats(text) == (text, 0)


def test_an_ingested_pdf_quotes_the_sentence_once(tmp_path: Path):
    pdf = make_pdf(tmp_path / "regulation.pdf", [["Article 2", "Material scope", DRAWN_TWICE]])
    text = loaders.load(pdf, "regulation.pdf").text
    assert "under this R g" not in text
    assert text.count("processed by public authorities") == 1
    assert " ".join(text.split()).endswith(" ".join(CLEAN.split()))
