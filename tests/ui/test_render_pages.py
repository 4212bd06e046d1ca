"""A citation shows the PDF page and, when the page prints another number, that printed number too; and the
quote's own paragraph, as a lawyer cites it."""

import pytest

from assistant.records import Citation
from ui.web import render

pytestmark = pytest.mark.unit


def cite(page, label, provision=""):
    return Citation(1, "c1", "corpus/oj.pdf", "Regulation", page, "Article 13(1)–(2)", "q", 0, 1, page_label=label,
                    provision=provision)


def test_a_page_that_prints_another_number_shows_both():
    assert render.citation_label(cite(10, "40", "Article 13(2)")) == "[1] Regulation, Article 13(2), p. 10 (printed 40)"


def test_a_page_whose_printed_number_is_its_place_shows_it_once():
    assert render.where_label(cite(10, "10", "Article 13(1)")) == "Article 13(1) · p. 10 · corpus/oj.pdf"
    assert render.where_label(cite(None, "")) == "Article 13(1)–(2) · corpus/oj.pdf"  # no paragraph known: the range


def test_the_source_panel_says_how_to_cite_the_quote():
    html = render.source_panel_html(cite(10, "40", "Article 13(2)"))
    assert "Cite as: Regulation, Article 13(2), p. 10 (printed 40)" in html
    assert '<span class="lx-section">Article 13(2)</span>' in html


def test_a_quote_in_a_later_paragraph_of_a_chunk_is_cited_by_that_paragraph():
    from assistant.backends import citation_for
    from ingest.records import Chunk

    text = "Article 6\nRights\n1. Everyone has the first right.\n2. Everyone has the second right.\n3. And a third."
    chunk = Chunk("c", text, "act.md", "Act", None, "Article 6(1)–(3)", 0, len(text), "primary_law", "h")
    start = text.index("Everyone has the second")
    assert citation_for(1, chunk, start, text.index(".", start) + 1).provision == "Article 6(2)"
    assert citation_for(1, chunk, text.index("Everyone"), text.index("Everyone") + 10).provision == "Article 6(1)"


def test_a_quote_in_one_recital_of_a_chunk_holding_several_is_cited_by_that_recital():
    from assistant.backends import citation_for
    from ingest.records import Chunk

    text = "(19) The protection of persons.\nIt should not apply to those purposes.\n(20) While this applies to courts."
    chunk = Chunk("c", text, "reg.pdf", "Regulation", 4, "Recitals 19–20", 0, len(text), "primary_law", "h")
    at = text.index("It should")
    assert citation_for(1, chunk, at, at + 10).provision == "Recital 19"
    assert citation_for(1, chunk, text.index("While"), len(text)).provision == "Recital 20"
