"""Provision-level metrics: does retrieval find, and do citations name, the expected article and page?

A chunk's `section` labels the provision it holds as the text numbers it, with the paragraphs it spans:
"Article 6(3)", "Article 6(1)–(3)", "Protocol, Article IX(2)" (a file holding several instruments),
"Recital 19", "Recitals 18–20", "Annex I", "Schedule, paragraph 5". The expected provision is given the
same way ("Article 21", "Article IX", "Recital 19", "Schedule, Paragraph 5") with the label of its
first-level subdivision ("2", "a", "F") or None.

`names_provision(section, article, paragraph)`: the section names the article (case-insensitive, after
any instrument prefix the expected article does not give), and when a paragraph is expected, the
section's paragraph range holds it ("Article 6(1)–(3)" holds 2; deeper levels, "Article 6(1)(a)", are
ignored). A numbered range of the plural word holds its members ("Recitals 18–20" names Recital 19).

Per item, inputs are explicit and a metric is NaN when it is undefined. Article numbers repeat across
documents, so a passage or citation names an expected provision only when it comes from the same source.
- article_hit_at_k(retrieved, provisions, k): 1.0 when one of the top-k retrieved passages names one of
  the expected provisions (article and paragraph), else 0.0;
- cited_article_precision(cited, provisions): the share of citations naming an expected article
  (paragraph not required); NaN when nothing is cited;
- page_hit(cited, provisions): 1.0 when a citation naming an expected article (paragraph not required)
  is on that provision's page, else 0.0; NaN when no expected provision gives a page.
Expected provisions are `Provision(source, article, paragraph, page)`, passages and citations
`Labelled(source, section, page)`; an item without expected provisions is an input error, not a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from eval.metrics.common import MetricInputError
from ingest.labels import names_provision  # noqa: F401  (re-exported: the metrics' matching rule)

@dataclass(frozen=True)
class Provision:
    """Where an expected evidence stands: its document, provision, first-level subdivision and page."""

    source: str
    article: str
    paragraph: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Labelled:
    """A retrieved passage or a citation: its document, `section` label and (for a citation) page."""

    source: str
    section: str
    page: int | None = None


def _names(p: Labelled, want: Provision, paragraph: bool) -> bool:
    return p.source == want.source and names_provision(p.section, want.article, want.paragraph if paragraph else None)


def _need(provisions: Sequence[Provision], passages: Sequence[Labelled] | None, metric: str, what: str) -> None:
    if not provisions:
        raise MetricInputError(f"{metric} needs the expected provisions (evidence with an `article`); "
                               "this item has none, so callers should skip it")
    if any(not isinstance(p, Provision) or not p.article for p in provisions):
        raise MetricInputError(f"{metric}: give each expected provision as "
                               "Provision(source, article, paragraph, page)")
    if passages is None or any(not isinstance(p, Labelled) for p in passages):
        raise MetricInputError(f"{metric} needs {what} as Labelled(source, section, page) (an empty list for none)")


def article_hit_at_k(retrieved: Sequence[Labelled], provisions: Sequence[Provision], k: int) -> float:
    """1.0 when one of the top-k retrieved passages names an expected provision (article and paragraph) of
    the expected document."""
    _need(provisions, retrieved, "article hit@k", "the retrieved passages, best first,")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise MetricInputError(f"article hit@k: k must be a positive integer (got {k!r})")
    return float(any(_names(p, want, paragraph=True) for p in list(retrieved)[:k] for want in provisions))


def cited_article_precision(cited: Sequence[Labelled], provisions: Sequence[Provision]) -> float:
    """The share of citations naming an expected article of the expected document; NaN when nothing is cited."""
    _need(provisions, cited, "cited-article precision", "the citations")
    if not cited:
        return math.nan
    return sum(1 for c in cited if any(_names(c, want, paragraph=False) for want in provisions)) / len(cited)


def page_hit(cited: Sequence[Labelled], provisions: Sequence[Provision]) -> float:
    """1.0 when a citation naming an expected article is on that provision's page (a citation's page is the
    page of its quote's first character); NaN when no expected provision gives a page."""
    _need(provisions, cited, "page accuracy", "the citations")
    paged = [want for want in provisions if want.page is not None]
    if not paged:
        return math.nan
    return float(any(c.page == want.page and _names(c, want, paragraph=False) for want in paged for c in cited))
