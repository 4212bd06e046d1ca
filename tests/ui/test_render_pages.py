"""A citation shows the PDF page and, when the page prints another number, that printed number too."""

import pytest

from assistant.records import Citation
from ui import render

pytestmark = pytest.mark.unit


def cite(page, label):
    return Citation(1, "c1", "corpus/oj.pdf", "Regulation", page, "Article 13(1)", "q", 0, 1, page_label=label)


def test_a_page_that_prints_another_number_shows_both():
    assert render.citation_label(cite(10, "40")) == "[1] Regulation — p. 10 (printed 40), Article 13(1)"


def test_a_page_whose_printed_number_is_its_place_shows_it_once():
    assert render.where_label(cite(10, "10")) == "corpus/oj.pdf · p. 10 · Article 13(1)"
    assert render.where_label(cite(None, "")) == "corpus/oj.pdf · Article 13(1)"
