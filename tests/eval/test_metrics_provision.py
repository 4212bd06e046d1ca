"""Provision metrics: a section names the expected article (and paragraph) the way a lawyer reads the label."""

import math

import pytest

from eval.metrics.common import MetricInputError
from eval.metrics.provision import (Labelled, Provision, article_hit_at_k, cited_article_precision, names_provision,
                                   page_hit)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("section, article, paragraph", [
    ("Article 6(3)", "Article 6", "3"),
    ("Article 6(1)–(3)", "Article 6", "2"),  # a paragraph range holding the expected paragraph
    ("article 6(1)-(3)", "ARTICLE 6", "3"),  # case-insensitive, ASCII dash
    ("Article 6(1)(a)", "Article 6", "1"),  # deeper levels do not matter
    ("Protocol, Article IX(2)", "Article IX", "2"),  # an instrument prefix the golden set does not give
    ("Protocol, Article IX(1)–(2)", "Protocol, Article IX", None),
    ("Convention, Article 1(E)–(F)", "Article 1", "F"),
    ("Article 3(a)–(c)", "Article 3", "b"),
    ("Recital 19", "Recital 19", None),
    ("Recitals 18–20", "Recital 19", None),
    ("Schedule, paragraph 5", "Schedule, Paragraph 5", None),
    ("Annex I", "Annex I", None),
    ("Article 16", "Article 16", None),
])
def test_a_section_names_its_provision(section, article, paragraph):
    assert names_provision(section, article, paragraph)


@pytest.mark.parametrize("section, article, paragraph", [
    ("Article 21(1)", "Article 2", None),  # a longer number is another article
    ("Article 6(1)–(3)", "Article 6", "4"),
    ("Article 6", "Article 6", "2"),  # no paragraph label: cannot hold paragraph 2
    ("Article 3(a)–(c)", "Article 3", "1"),  # letters do not hold a number
    ("Article 49, footnote 4", "Article 49", None),  # a footnote is not the article's text
    ("Recitals 18–20", "Recital 21", None),
    ("Recitals 18–20", "Article 19", None),
    ("Schedule, paragraph 15", "Schedule, Paragraph 5", None),
    ("Annex II", "Annex I", None),
    ("Artikel 6(1)", "Article 6", "1"),  # the translation's label is not the one the text numbers
    ("Convention, Article IX", "Protocol, Article IX", None),  # the prefix given must match
    ("", "Article 1", None),
])
def test_a_section_does_not_name_another_provision(section, article, paragraph):
    assert not names_provision(section, article, paragraph)


DOC, OTHER = "docs/reg.pdf", "docs/other.pdf"
WANT = [Provision(DOC, "Article 13", "1", 10)]


def test_article_hit_needs_the_provision_in_the_top_k_of_the_same_document():
    ranked = [Labelled(OTHER, "Article 13(1)"), Labelled(DOC, "Article 12"), Labelled(DOC, "Article 13(1)–(2)")]
    assert article_hit_at_k(ranked, WANT, 3) == 1.0
    assert article_hit_at_k(ranked, WANT, 2) == 0.0  # Article 13 of another document does not count
    assert article_hit_at_k([], WANT, 5) == 0.0
    assert article_hit_at_k([Labelled(DOC, "Article 13(2)")], WANT, 5) == 0.0  # the wrong paragraph


def test_cited_article_precision_counts_citations_naming_the_article_and_is_undefined_without_any():
    cited = [Labelled(DOC, "Article 13(2)", 10), Labelled(DOC, "Recital 30", 4), Labelled(OTHER, "Article 13", 3)]
    assert cited_article_precision(cited, WANT) == pytest.approx(1 / 3)  # paragraph not required
    assert math.isnan(cited_article_precision([], WANT))


def test_page_hit_wants_a_citation_of_the_article_on_its_page():
    assert page_hit([Labelled(DOC, "Article 12", 10), Labelled(DOC, "Article 13(1)", 10)], WANT) == 1.0
    assert page_hit([Labelled(DOC, "Article 13(1)", 11)], WANT) == 0.0  # right article, wrong page
    assert page_hit([Labelled(DOC, "Article 12", 10)], WANT) == 0.0  # right page, wrong article
    assert page_hit([], WANT) == 0.0
    assert math.isnan(page_hit([Labelled(DOC, "Article 13", None)], [Provision(DOC, "Article 13")]))  # no page asked


@pytest.mark.parametrize("call, message", [
    (lambda: article_hit_at_k([], [], 5), "needs the expected provisions"),
    (lambda: article_hit_at_k(None, WANT, 5), "needs the retrieved passages"),
    (lambda: article_hit_at_k(["Article 13"], WANT, 5), "Labelled"),
    (lambda: article_hit_at_k([], WANT, 0), "k must be a positive integer"),
    (lambda: cited_article_precision([], [("Article 13", None, None)]), "Provision"),
    (lambda: page_hit(None, WANT), "needs the citations"),
])
def test_a_missing_input_is_a_clear_error(call, message):
    with pytest.raises(MetricInputError, match=message):
        call()
