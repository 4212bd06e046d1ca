"""The legal metrics of one golden item: provision, page, char-span and evidence-text scores, and
the quotes that are not verbatim. Called by eval/answers.py for every item; each score is NaN where the
item gives no input (no `article`, no `page`, unanswerable), so a golden set without them is unaffected.
"""

from __future__ import annotations

import math
from typing import Sequence

from assistant.records import Answer, Passage
from eval.evidence import DocumentTexts, Span
from eval.golden import Evidence, GoldenItem
from eval.metrics.evidence_hit import evidence_hit
from eval.metrics.provision import Labelled, Provision, article_hit_at_k, cited_article_precision, page_hit
from eval.metrics.spans import span_precision, span_recall
from eval.metrics.verbatim import QuotedCitation, violation


def legal_scores(item: GoldenItem, answer: Answer, passages: Sequence[Passage], evidence: list[tuple[Span, ...]],
                 k: int, refused: bool, texts: DocumentTexts | None) -> dict[str, float]:
    """Provision, page, char-span and evidence-text scores of one item (NaN where the item gives no input)."""
    out = dict.fromkeys(("article_hit", "cited_article_precision", "page_hit", "evidence_hit", "span_precision",
                         "span_recall"), math.nan)
    if not item.answerable:
        return out
    cites = [] if refused else answer.citations
    provisions = [Provision(e.source, e.article, e.paragraph, e.page) for e in item.evidence if e.article]
    if provisions:
        cited = [Labelled(c.source, c.section, c.page) for c in cites]
        out["article_hit"] = article_hit_at_k([Labelled(p.chunk.source, p.chunk.section) for p in passages],
                                              provisions, k)
        out["page_hit"] = page_hit(cited, provisions)
        if not refused:
            out["cited_article_precision"] = cited_article_precision(cited, provisions)
    quoted = [Span(c.source, c.start, c.end) for c in cites]
    out["span_recall"] = span_recall(quoted, evidence)
    if not refused:
        out["span_precision"] = span_precision(quoted, evidence)
    wanted = [_evidence_text(e, occ, texts) for e, occ in zip(item.evidence, evidence)]
    if all(wanted):
        out["evidence_hit"] = evidence_hit([c.quote for c in cites], wanted)
    return out


def _evidence_text(ev: Evidence, occurrences: tuple[Span, ...], texts: DocumentTexts | None) -> str:
    """The evidence as text: its quote, or the document's text at its span ("" when the text is not at hand)."""
    if ev.quote:
        return ev.quote
    text = texts.text(ev.source) if texts is not None else None
    return text[occurrences[0].start:occurrences[0].end] if text else ""


def non_verbatim(answer: Answer, chunks: dict, texts: DocumentTexts | None) -> list[str]:
    """"[n] why" for every citation (answered or listed with a refusal) whose quote is not an exact slice."""
    problems = []
    for c in answer.citations:
        ch = chunks.get(c.chunk_id)
        doc = texts.text(c.source) if texts is not None else None
        if doc is not None and ch is not None and doc[ch.start:ch.end] != ch.text:
            doc = None  # the file changed (or its loader did) since it was indexed: judge by the chunk alone
        why = violation(QuotedCitation(c.quote, c.start, c.end, ch.text if ch else None, ch.start if ch else None,
                                       c.passage, doc))
        if why:
            problems.append(f"[{c.n}] {why}")
    return problems

