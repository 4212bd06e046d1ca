"""Answer units: a sentence of a passage with the sentences it needs to stand alone — the list it introduces,
the items of the list it announces, the sentence introducing the item it is, the antecedent of a sentence that
points back, the neighbour that holds the figure "this period" refers to.

`layout(text)` reads a chunk's sentences as lines (list markers and their style, paragraph starts);
`group(lines, j, list_q, want)` gives the lines that answer together with line j. Drafting and writing
conventions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer_type import Wanted, holds
from lexcite.text.terms import content_stems, has_stem, stem
from lexcite.text.sentences import SentenceSpan, split_sentences

ENDED = re.compile(r"[.!?:;][\"'”’)\]]*$")  # a sentence, not a heading

# ---- the answer unit: a sentence with the sentences it needs (its list, its antecedent) -----------

LIST_CAP = 8  # list items quoted after the sentence that introduces them
ANTECEDENT_MAX_WORDS = 60
ANNOUNCER_MAX_WORDS = 25
_MARKER = re.compile(r"^[ \t]*([-*•▪‣◦–]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,6})[.)])[ \t]*$")
# a marker glued to its item: "a)Sale of …", "(c)Gathering …", "b.Transfer of …"
_GLUED_MARKER = re.compile(r"^(\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})\)(?=[^\s)])|(?:\d{1,3}|[a-z])\.(?=[A-Z]))")
_INTRODUCES = re.compile(r":[\"'”’)\]]*$|\b(?:the following|as follows)\s*\.?$", re.I)
_CATAPHORIC = re.compile(r"\b(?:the following|as follows)\b", re.I)
# "… faces several significant challenges.": announces what the next sentences say
_ANNOUNCES = re.compile(r"(?<!\bwithin )(?<!\bfor )(?<!\bafter )(?<!\bof )(?<!\bthan )(?<!\bto )(?<!\bby )"
                        r"\b(?:several|various|numerous|multiple|a\s+(?:number|range|series|variety|set)\s+of|a\s+few|"
                        r"two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w’'-]+\s+){0,2}([\w’'-]+s)\s*\.$", re.I)
# (a number after "within", "for", "of" … measures something, "within three months.", and announces nothing)
_THIS_PERIOD = re.compile(r"\b(?:this|that|such|the said|the same|these|those)\s+(?:\w+\s+)?(?:period|time[\s-]limit|deadline|"
                          r"time|date|term|delay|periods|time[\s-]limits|deadlines)\b", re.I)
_POINTS_BACK = re.compile(r"^(?:this|these|that|those|it|its|they|their|such)\b", re.I)
_LIST_Q = re.compile(r"^\s*(?:what|which)\s+(?:are|were)\b|\b(?:list|enumerate|name\s+(?:the|all|each))\b", re.I)
_WH_NOUN = re.compile(r"\b(?:what|which)\s+(?:(?:kinds?|types?|sorts?|forms?)\s+of\s+)?((?:[\w’'-]+\s+){0,4})", re.I)
_NOT_PLURAL = frozenset("does is was has this its us as his thus always perhaps whereas less unless across yes".split())
_AUX = frozenset("do does did is are was were be been can could may might must shall should will would has have had".split())


@dataclass(frozen=True)
class Line:
    """A sentence of a passage and its place in the layout."""

    span: SentenceSpan
    marker: str  # its list marker ("a)", "(ii)", "-"); "" when it is not a list item
    opens_line: bool  # it begins a line (a paragraph or an item), rather than following a sentence
    opens_paragraph: bool  # … and not merely a line of prose wrapped at a fixed width (as PDF text is)
    style: str = ""  # the style of its marker: items of one list share it ("a)", "b)"; "(i)", "(ii)")


def layout(text: str) -> list[Line]:
    lengths = [n for n in (len(line.rstrip()) for line in text.splitlines()) if n]
    width = max(lengths, default=0)
    # prose wrapped at a fixed width (PDF text): most lines nearly as long as the longest, none very long
    wraps = len(lengths) >= 4 and width <= 160 and sum(n >= 0.7 * width for n in lengths) >= 0.6 * len(lengths)
    out: list[Line] = []
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
        out.append(Line(sp, marker, opens, opens and not wrapped, style))
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


def introduces(lines: list[Line], j: int) -> bool:
    """The sentence ends with ":" or "the following", or names "the following" just before a list item."""
    text = lines[j].span.text.rstrip()
    if _INTRODUCES.search(text):
        return True
    return bool(_CATAPHORIC.search(text)) and j + 1 < len(lines) and bool(lines[j + 1].marker)


def list_items(lines: list[Line], j: int, cap: int = LIST_CAP) -> list[int]:
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
        if not ENDED.search(text) or lines[k].marker:
            break
        out.append(k)
        if not re.search(r"(?:[;,]|\b(?:and|or))$", text):
            break
    return out


def _announced(lines: list[Line], j: int, noun: str) -> list[int]:
    """What "… faces several challenges." announces: a later list introduced with the same noun
    ("Key challenges include:") in the passage, or else the sentences that follow in its paragraph."""
    key = stem(noun.lower())
    for k in range(j + 1, len(lines)):
        if introduces(lines, k) and has_stem(key, set(content_stems(lines[k].span.text))):
            items = list_items(lines, k)
            if items and lines[items[0]].marker:
                return [k] + items
    out = []
    for k in range(j + 1, min(len(lines), j + 4)):
        if (out and lines[k].opens_paragraph) or not ENDED.search(lines[k].span.text) or introduces(lines, k):
            break
        out.append(k)
    return out


def _introducer_of(lines: list[Line], j: int) -> int | None:
    """The sentence that introduces the list item at `j` ("… circumstances:" for "a) That endanger …"):
    the nearest introducer before it whose first item has the style of `j` (not one of a nested list)."""
    style = lines[j].style
    for k in range(j - 1, max(-1, j - 3 * LIST_CAP), -1):
        ln = lines[k]
        if introduces(lines, k):
            first = next((x for x in lines[k + 1: j + 1] if x.marker), None)
            if first is not None and first.style == style:
                return k
        if not ln.marker and ln.opens_line:
            return None
    return None


def _antecedent(lines: list[Line], j: int) -> int | None:
    """The sentence a back-reference ("This time limit …", "Such reply …") points to, when it is short."""
    if lines[j].marker:
        return _introducer_of(lines, j)
    if j == 0 or lines[j].opens_paragraph:
        return None
    prev = lines[j - 1].span.text
    if ENDED.search(prev) and len(prev.split()) <= ANTECEDENT_MAX_WORDS and not introduces(lines, j - 1):
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


def group(lines: list[Line], j: int, list_q: bool, want: Wanted) -> list[int]:
    """The lines that answer together with line `j`; empty when `j` only announces and nothing follows."""
    text = lines[j].span.text
    if introduces(lines, j):
        pulled = list_items(lines, j)
        return [j] + pulled if pulled else []
    m = _ANNOUNCES.search(text)
    if m and len(text.split()) <= ANNOUNCER_MAX_WORDS:
        pulled = _announced(lines, j, m.group(1))
        return [j] + pulled if pulled else []
    if lines[j].marker:  # a list item comes with the sentence introducing it; for a list question, its list
        k = _introducer_of(lines, j)
        if k is not None:
            return [k, j] + (list_items(lines, k) if list_q else [])
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
