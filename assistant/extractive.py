"""The extractive backend (default, no LLM): answer by quoting the passage sentences that answer.

For every sentence of the retrieved passages: relevance = semantic similarity to the question
(the embedding model, at sentence level) blended with lexical coverage of the question's content
words. The best few are chosen with maximal marginal relevance (a near-duplicate of a chosen
sentence is skipped) and each becomes one answer sentence: a verbatim quote carrying its own `[n]`,
whose Citation span is the exact char span of the quote in the document.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from assistant.answer_type import Wanted, asks_for_quantity, holds
from assistant.backends import Draft, DraftSentence, citation_for
from assistant.backends.terms import content_stems, coverage, has_stem, stem
from assistant.policy import screen
from assistant.records import Passage
from assistant.sentences import SentenceSpan, split_sentences
from ingest.embedder import Embedder

_REFERS_BACK = re.compile(r"^(this|these|that|those|it|its|they|their|such|the system|the tool|the organi[sz]ation)\b", re.I)
BACK_REFERENCE_DISCOUNT = 0.85
CARRIED_WEIGHT = 0.35  # lexical weight of words a follow-up carries from earlier turns
MIN_WORDS = 4  # headings and list stubs are not answers on their own
_ENDED = re.compile(r"[.!?:;][\"'”’)\]]*$")  # a sentence, not a heading
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*•▪‣◦–]|\(?(?:\d{1,3}|[a-zA-Z])[.)])[ \t]+$")


def _is_list_item(text: str, start: int) -> bool:
    """A list item ("- Navigating complex…") answers a question even without a full stop."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_LIST_MARK.match(text[line_start:start]))


# ---- the answer unit: a sentence with the sentences it needs (its list, its antecedent) -----------

LIST_CAP = 8  # list items quoted after the sentence that introduces them
MAX_QUOTES = 14  # answer sentences in all, whatever the groups
ANTECEDENT_MAX_WORDS = 60
ANNOUNCER_MAX_WORDS = 25
LIST_BONUS = 0.05  # "which circumstances …": a sentence introducing a list of circumstances beats others
QUANTITY_BONUS = 0.08  # "how long …": a sentence stating a period beats one that does not
_MARKER = re.compile(r"^[ \t]*([-*•▪‣◦–]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6})[.)])[ \t]*$")
# a marker glued to its item: "a)Sale of …", "(c)Gathering …", "b.Transfer of …"
_GLUED_MARKER = re.compile(r"^(\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})\)(?=[^\s)])|(?:\d{1,3}|[a-z])\.(?=[A-Z]))")
_INTRODUCES = re.compile(r":[\"'”’)\]]*$|\b(?:the following|as follows)\s*\.?$", re.I)
_CATAPHORIC = re.compile(r"\b(?:the following|as follows)\b", re.I)
# "… faces several significant challenges.": announces what the next sentences say
_ANNOUNCES = re.compile(r"\b(?:several|various|numerous|multiple|a\s+(?:number|range|series|variety|set)\s+of|a\s+few|"
                        r"two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w’'-]+\s+){0,2}([\w’'-]+s)\s*\.$", re.I)
_THIS_PERIOD = re.compile(r"\b(?:this|that|such|the said|the same|these|those)\s+(?:\w+\s+)?(?:period|time[\s-]limit|deadline|"
                          r"time|date|term|delay|periods|time[\s-]limits|deadlines)\b", re.I)
_POINTS_BACK = re.compile(r"^(?:this|these|that|those|it|its|they|their|such)\b", re.I)
_LIST_Q = re.compile(r"^\s*(?:what|which)\s+(?:are|were)\b|\b(?:list|enumerate|name\s+(?:the|all|each))\b", re.I)
_WH_NOUN = re.compile(r"\b(?:what|which)\s+(?:(?:kinds?|types?|sorts?|forms?)\s+of\s+)?((?:[\w’'-]+\s+){0,4})", re.I)
_NOT_PLURAL = frozenset("does is was has this its us as his thus always perhaps whereas less unless across yes".split())
_AUX = frozenset("do does did is are was were be been can could may might must shall should will would has have had".split())


@dataclass(frozen=True)
class _Line:
    """A sentence of a passage and its place in the layout."""

    span: SentenceSpan
    marker: str  # its list marker ("a)", "(ii)", "-"); "" when it is not a list item
    opens_line: bool  # it begins a line (a paragraph or an item), rather than following a sentence
    opens_paragraph: bool  # … and not merely a line of prose wrapped at a fixed width (as PDF text is)
    style: str = ""  # the style of its marker: items of one list share it ("a)", "b)"; "(i)", "(ii)")


def _layout(text: str) -> list[_Line]:
    lengths = [n for n in (len(line.rstrip()) for line in text.splitlines()) if n]
    width = max(lengths, default=0)
    # prose wrapped at a fixed width (PDF text): most lines nearly as long as the longest, none very long
    wraps = len(lengths) >= 4 and width <= 160 and sum(n >= 0.7 * width for n in lengths) >= 0.6 * len(lengths)
    out: list[_Line] = []
    last: dict[str, str] = {}  # the last style seen for each way of writing a marker ("(x)", "x)", "x.")
    for sp in split_sentences(text):
        line_start = text.rfind("\n", 0, sp.start) + 1
        prefix = text[line_start: sp.start]
        m = _MARKER.match(prefix) if prefix.strip() else _GLUED_MARKER.match(sp.text)
        opens = not prefix.strip() or bool(m)
        before = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1: max(0, line_start - 1)].rstrip()
        wrapped = wraps and not m and len(before) >= 0.7 * width
        marker = m.group(1) if m else ""
        style = _style(marker, last) if marker else ""
        out.append(_Line(sp, marker, opens, opens and not wrapped, style))
    return out


_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$", re.I)


def _style(marker: str, last: dict[str, str]) -> str:
    """"a)" and "b)" share a style, "(i)" and "(ii)" share one, "(a)" and "(i)" do not, "1." and "a)" do not;
    "(i)" after "(h)" is a letter and "(v)" after "(iv)" a numeral (`last`: what was last seen per wrapping)."""
    m = marker.strip()
    if not (m[0].isalnum() or m[0] == "("):
        return "bullet"
    core = m.strip("().")
    wrap = ("(" if m.startswith("(") else "") + m[-1]
    case = "upper" if core.isupper() else "lower"
    if core.isdigit():
        kind = "digit"
    elif _ROMAN.match(core) and (len(core) > 1 or (core.lower() in "vx" and last.get(wrap, "").startswith("roman"))
                                 or (core.lower() == "i" and last.get(wrap, "") != "letter h")):
        kind = "roman-" + case
    else:
        kind = "letter-" + case
    last[wrap] = "letter " + core.lower() if kind.startswith("letter") else kind
    return kind + wrap


def _introduces(lines: list[_Line], j: int) -> bool:
    """The sentence ends with ":" or "the following", or names "the following" just before a list item."""
    text = lines[j].span.text.rstrip()
    if _INTRODUCES.search(text):
        return True
    return bool(_CATAPHORIC.search(text)) and j + 1 < len(lines) and bool(lines[j + 1].marker)


def _items(lines: list[_Line], j: int, cap: int = LIST_CAP) -> list[int]:
    """The lines a list introducer at `j` introduces, up to `cap`: its items (with their sub-items and further
    sentences); unmarked "…;" items; or else the one sentence that follows."""
    own = lines[j].style or None
    out: list[int] = []
    for k in range(j + 1, len(lines)):
        ln = lines[k]
        if ln.marker:
            if ln.style == own:
                break  # a sibling of the introducer: its own list is over
            out.append(k)
        elif out and not ln.opens_line:
            out.append(k)
        else:
            break
        if len(out) >= cap:
            break
    if out:
        return out
    for k in range(j + 1, min(len(lines), j + 1 + cap)):
        text = lines[k].span.text.rstrip()
        if not _ENDED.search(text) or lines[k].marker:
            break
        out.append(k)
        if not re.search(r"(?:[;,]|\b(?:and|or))$", text):
            break
    return out


def _announced(lines: list[_Line], j: int, noun: str) -> list[int]:
    """What "… faces several challenges." announces: a later list introduced with the same noun
    ("Key challenges include:") in the passage, or else the sentences that follow in its paragraph."""
    key = stem(noun.lower())
    for k in range(j + 1, len(lines)):
        if _introduces(lines, k) and has_stem(key, set(content_stems(lines[k].span.text))):
            items = _items(lines, k)
            if items and lines[items[0]].marker:
                return [k] + items
    out = []
    for k in range(j + 1, min(len(lines), j + 4)):
        if (out and lines[k].opens_paragraph) or not _ENDED.search(lines[k].span.text) or _introduces(lines, k):
            break
        out.append(k)
    return out


def _introducer_of(lines: list[_Line], j: int) -> int | None:
    """The sentence that introduces the list item at `j` ("… circumstances:" for "a) That endanger …"):
    the nearest introducer before it whose first item has the style of `j` (not one of a nested list)."""
    style = lines[j].style
    for k in range(j - 1, max(-1, j - 3 * LIST_CAP), -1):
        ln = lines[k]
        if _introduces(lines, k):
            first = next((x for x in lines[k + 1: j + 1] if x.marker), None)
            if first is not None and first.style == style:
                return k
        if not ln.marker and ln.opens_line:
            return None
    return None


def _antecedent(lines: list[_Line], j: int) -> int | None:
    """The sentence a back-reference ("This time limit …", "Such reply …") points to, when it is short."""
    if lines[j].marker:
        return _introducer_of(lines, j)
    if j == 0 or lines[j].opens_paragraph:
        return None
    prev = lines[j - 1].span.text
    if _ENDED.search(prev) and len(prev.split()) <= ANTECEDENT_MAX_WORDS and not _introduces(lines, j - 1):
        return j - 1
    return None


def _plural(word: str) -> bool:
    low = word.lower().strip("’'")
    return (len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s", "’s"))
            and low not in _NOT_PLURAL and low not in _AUX)


def list_head(question: str) -> str | None:
    """The plural noun a question asking for several things names ("which key challenges does …" ->
    "challenges"; "what circumstances must …" -> "circumstances"); "" when it asks for a list without one
    ("list …"); None when it asks for one thing. The head is the word before the verb or, with no verb,
    the first word after "which/what"."""
    for m in _WH_NOUN.finditer(question):
        ws = m.group(1).split()
        if ws and _plural(ws[0]):
            return ws[0].lower()
        for k, w in enumerate(ws):
            if w.lower() in _AUX:
                if k > 0 and _plural(ws[k - 1]):
                    return ws[k - 1].lower()
                break
    m = _LIST_Q.search(question)
    if not m:
        return None
    return next((w.lower() for w in question[m.end():].split()[:4] if _plural(w)), "")


def asks_for_a_list(question: str) -> bool:
    return list_head(question) is not None


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into the passage's chunk text."""

    passage: int  # index into the passages list
    start: int
    end: int
    text: str
    semantic: float
    lexical: float
    relevance: float
    introduces_list: bool = False  # it ends with ":" (or "the following") and list items follow it


class SentenceScorer:
    """Scores passage sentences against a question. Sentence vectors are cached by text."""

    def __init__(self, embedder: Embedder, semantic_weight: float = 0.65, cache_size: int = 20000):
        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = self.embedder.embed(missing)
            with self._lock:
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.embedder.dim))

    def candidates(self, question: str, passages: Sequence[Passage], focus: str = "") -> list[Candidate]:
        """Every answer-like sentence of `passages`, scored. `focus` (the words the user typed in a
        follow-up) weighs more than the words carried over from earlier turns. A sentence that opens
        with a reference back ("This system is…") is also read together with the sentence before it, and
        one that introduces a list ("Key challenges include:") together with its items."""
        spans: list[tuple[int, int, int, str, str, bool]] = []
        for i, p in enumerate(passages):
            text = p.chunk.text
            lines = _layout(text)
            for j, ln in enumerate(lines):
                s = ln.span
                items = _items(lines, j) if _introduces(lines, j) else []
                listed = bool(items) and bool(lines[items[0]].marker)
                if ((len(s.text.split()) >= MIN_WORDS or listed)
                        and (_ENDED.search(s.text) or _is_list_item(text, s.start))
                        and not screen(s.text)):  # a sentence addressing the assistant is never an answer
                    context = ""
                    if listed:
                        context = " ".join(lines[k].span.text for k in items)
                    elif j and _REFERS_BACK.match(s.text):
                        context = lines[j - 1].span.text
                    spans.append((i, s.start, s.end, s.text, context, listed))
        if not spans:
            return []
        queries = [question] + ([focus] if focus else [])
        qvecs = self.embedder.embed(queries)
        svecs = self.vectors([sp[3] for sp in spans])
        sims = svecs @ qvecs.T
        sims = sims.mean(axis=1) if focus else sims[:, 0]
        qstems = content_stems(question)
        own = set(content_stems(focus)) if focus else set(qstems)
        idf = _local_idf(qstems, [sp[3] for sp in spans])
        weights = {s: idf[s] * (1.0 if s in own else CARRIED_WEIGHT) for s in qstems}
        w = self.semantic_weight
        out = []
        for (i, s, e, t, context, listed), sim in zip(spans, sims):
            lex = coverage(qstems, t, weights)
            if context:
                lex = max(lex, BACK_REFERENCE_DISCOUNT * coverage(qstems, context + " " + t, weights))
            out.append(Candidate(i, s, e, t, float(sim), lex, w * float(sim) + (1 - w) * lex, listed))
        return out


_PART_SPLIT = re.compile(r",?\s+(?:and|but|also)\s+(?=(?:what|which|who|whom|whose|when|where|why|how)\b)", re.I)


def question_parts(question: str) -> list[str]:
    """A question asking two things ("Which network …, and what else …?") split into its parts."""
    parts = [p.strip(" ,?") for p in _PART_SPLIT.split(question)]
    return [p + "?" for p in parts if len(p.split()) >= 3]


def _local_idf(qstems: list[str], sentences: Sequence[str]) -> dict[str, float]:
    """IDF of each question stem over the candidate sentences: words every passage repeats (the
    corpus' own topic) count less than the words that single out an answer."""
    sets = [set(content_stems(t)) for t in sentences]
    n = len(sets)
    return {q: math.log((n + 1) / (sum(1 for st in sets if has_stem(q, st)) + 0.5)) + 0.5 for q in qstems}


class ExtractiveBackend:
    """`draft(question, passages)`: the `max_sentences` most relevant sentences, each quoted with what it
    needs to answer: the list items it introduces, the sentences it announces, the sentence it refers back to."""

    name = "extractive"

    def __init__(self, scorer: SentenceScorer, max_sentences: int = 3, keep_within: float = 0.12,
                 mmr_lambda: float = 0.7, duplicate_sim: float = 0.9):
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self.scorer = scorer
        self.model = ""
        self.max_sentences = max_sentences
        self.keep_within = keep_within
        self.mmr_lambda = mmr_lambda
        self.duplicate_sim = duplicate_sim

    def draft(self, question: str, passages: Sequence[Passage], focus: str = "") -> Draft:
        cands = self.scorer.candidates(question, passages, focus)
        asked = focus or question
        want = asks_for_quantity(asked)
        head = list_head(asked)
        ranked = _prefer_lists(_prefer_quantities(cands, want), head)
        order = self.select(ranked, limit=4 * self.max_sentences)
        parts = question_parts(asked)
        if len(parts) > 1:  # "Which X …, and what Y …?": the best sentence for each part first
            by_key = {(c.passage, c.start): c for c in ranked}
            firsts: list[Candidate] = []
            for part in parts:
                scored = sorted(self.scorer.candidates(part, passages), key=lambda c: -c.relevance)
                top = next((c for c in scored if (c.passage, c.start) not in {(f.passage, f.start) for f in firsts}), None)
                if top is not None:
                    firsts.append(by_key[(top.passage, top.start)])
            seen = {(c.passage, c.start) for c in firsts}
            order = firsts + [c for c in order if (c.passage, c.start) not in seen]
        rest = sorted((c for c in ranked if c not in order), key=lambda c: -c.relevance)
        quotes = self.quotes(order, rest, passages, head, want)
        citations, sentences = [], []
        for n, (i, span) in enumerate(quotes, 1):
            citations.append(citation_for(n, passages[i].chunk, span.start, span.end))
            sentences.append(DraftSentence(span.text, (n,)))
        best = max((c.relevance for c in cands), default=0.0)
        return Draft(sentences, citations, evidence=best)

    def quotes(self, order: list[Candidate], rest: list[Candidate], passages: Sequence[Passage],
               head: str | None, want: Wanted) -> list[tuple[int, SentenceSpan]]:
        """The answer sentences: for each chosen candidate (in `order`; `rest` only while none stood) the group
        it needs, until `max_sentences` groups. A group overlapping an earlier one joins it, so each quote
        appears once and a passage's sentences stay in document order; for a list question (`head` not
        None) a group listing the `head` things comes first."""
        layouts: dict[int, list[_Line]] = {}
        groups: list[tuple[int, set[int]]] = []  # (passage, line indices)
        chosen = 0
        for c in order + rest:
            if chosen == self.max_sentences or (chosen and c not in order):
                break
            lines = layouts.setdefault(c.passage, _layout(passages[c.passage].chunk.text))
            at = next((k for k, ln in enumerate(lines) if ln.span.start == c.start), None)
            if at is None or any(i == c.passage and at in g for i, g in groups):
                continue
            picked = {k for k in _group(lines, at, head is not None, want) if not screen(lines[k].span.text)}
            if not picked:
                continue
            joins = next((g for i, g in groups if i == c.passage and g & picked), None)
            size = sum(len(g) for _, g in groups) + len(picked - (joins or set()))
            if groups and size > MAX_QUOTES:
                continue
            if joins is not None:  # more of a unit already quoted: not a further sentence chosen
                joins |= picked
            else:
                groups.append((c.passage, picked))
                chosen += 1

        def lists_head(i: int, g: set[int]) -> bool:
            lines = layouts[i]
            return bool(head) and any(_introduces(lines, k) and k + 1 < len(lines) and bool(lines[k + 1].marker)
                                      and has_stem(stem(head), set(content_stems(lines[k].span.text))) for k in g)

        ranked = sorted(groups, key=lambda ig: not lists_head(*ig))  # stable: otherwise most relevant first
        return [(i, layouts[i][k].span) for i, g in ranked for k in sorted(g)]

    def select(self, cands: list[Candidate], limit: int | None = None) -> list[Candidate]:
        """Maximal marginal relevance over sentence vectors, within `keep_within` of the best: up to `limit`
        (default `max_sentences`) candidates, in the order chosen."""
        if not cands:
            return []
        limit = limit or self.max_sentences
        ranked = sorted(cands, key=lambda c: -c.relevance)
        floor = ranked[0].relevance - self.keep_within
        pool = [c for c in ranked if c.relevance >= floor][: 4 * self.max_sentences]
        vecs = dict(zip((c.text for c in pool), self.scorer.vectors([c.text for c in pool])))
        chosen: list[Candidate] = []
        while pool and len(chosen) < limit:
            def mmr(c: Candidate) -> float:
                red = max((float(vecs[c.text] @ vecs[o.text]) for o in chosen), default=0.0)
                return self.mmr_lambda * c.relevance - (1 - self.mmr_lambda) * red

            best = max(pool, key=mmr)
            pool.remove(best)
            if any(float(vecs[best.text] @ vecs[o.text]) >= self.duplicate_sim for o in chosen):
                continue
            chosen.append(best)
        return chosen


def _prefer_quantities(cands: list[Candidate], want: Wanted) -> list[Candidate]:
    """For "how long / how many / by when …" questions, rank up the sentences that state a period, a number
    or a date of the kind asked for (provision numbers do not count)."""
    if not want.kind:
        return cands
    return [replace(c, relevance=c.relevance + QUANTITY_BONUS) if holds(want, c.text, strict=True) else c for c in cands]


def _prefer_lists(cands: list[Candidate], head: str | None) -> list[Candidate]:
    """For "which circumstances …" questions, rank up the sentences introducing a list of those things
    ("… circumstances:")."""
    if not head:
        return cands
    key = stem(head)
    return [replace(c, relevance=c.relevance + LIST_BONUS)
            if c.introduces_list and has_stem(key, set(content_stems(c.text))) else c for c in cands]


def _group(lines: list[_Line], j: int, list_q: bool, want: Wanted) -> list[int]:
    """The lines that answer together with line `j`; empty when `j` only announces and nothing follows."""
    text = lines[j].span.text
    if _introduces(lines, j):
        pulled = _items(lines, j)
        return [j] + pulled if pulled else []
    m = _ANNOUNCES.search(text)
    if m and len(text.split()) <= ANNOUNCER_MAX_WORDS:
        pulled = _announced(lines, j, m.group(1))
        return [j] + pulled if pulled else []
    if lines[j].marker:  # a list item comes with the sentence introducing it; for a list question, its list
        k = _introducer_of(lines, j)
        if k is not None:
            return [k, j] + (_items(lines, k) if list_q else [])
    group = [j]
    lacking = bool(want.kind) and not holds(want, text) and bool(_THIS_PERIOD.search(text))
    if _POINTS_BACK.match(text) or lacking:
        k = _antecedent(lines, j)
        if k is not None:
            group.insert(0, k)
        if lacking and (k is None or not holds(want, lines[k].span.text)) and j + 1 < len(lines) \
                and not lines[j + 1].opens_paragraph and holds(want, lines[j + 1].span.text):
            group.append(j + 1)
    return group
