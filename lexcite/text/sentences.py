"""Split text into sentences with character spans (the answer, the verifier and the quiz use it).

`split_sentences(text)` returns `SentenceSpan(start, end, text)` with `text == original[start:end]`.
It is rule-based and deterministic, tuned for legal and technical prose:

- abbreviations do not end a sentence: "e.g.", "i.e.", "cf.", "Mr.", "Art. 4", "No. 5", "s. 32",
  "pp. 3-4", initials "J. Smith", dotted acronyms "U.N." (unless a sentence starter follows);
- "Section 32(1)." does end one; decimals ("3.5") and ellipses inside a sentence do not split;
- citation markers after the end ("… offence. [1]", "… offence. [1, 2][3]") stay with the
  sentence they follow;
- line breaks: a blank line always splits; a single line break splits unless the next line starts
  in lower case or the line ends mid-phrase ("of", ",", "-") or, in prose wrapped at a fixed width
  (PDF text), the line is a full-width one without final punctuation ("… other Member\nState to …");
  list markers ("-", "*", "•", "1.", "(a)") at a line start are left out of the span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lexcite.text import markers

__all__ = ["SentenceSpan", "split_sentences"]


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int
    text: str


# Never end a sentence (compared lower-cased, without the final dot).
_ALWAYS_ABBREV = frozenset(
    """e.g i.e cf vs viz mr mrs ms dr prof st jr sr inc ltd co corp dept govt gen hon rev
    v approx ca incl esp fig figs eq eqs ref refs vol vols ed eds ibid op cit resp est dist
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Do not end a sentence when a number (or roman numeral / parenthesised number) follows.
_NUMBER_ABBREV = frozenset(
    """no nos nr art arts sec secs sect s ss para paras p pp ch chap cl reg regs r rr sch
    pt sub subs n nn""".split()
)
# May end a sentence; they do when a typical sentence opener follows.
_MAY_END = frozenset("etc al".split())
_OPENERS = frozenset(
    """the this these that those it its in on at a an they he she we i there however moreover
    furthermore thus therefore but and or if when while although as for to by under such our
    their his her one each all some many most no not after before during since""".split()
)
_DANGLING = frozenset("of the a an and or to in on for by with from at as that which nor".split())

_END = re.compile(r"(?:\.{3}|…|[.!?]+)[\"'”’)\]]*")
_MARKERS = markers.RUN
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]*([^\s]+)")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*•▪‣◦–]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcdm]{1,5})[.)])[ \t]+")
# a marker glued to its item's first word: "a)Sale of …", "(c)Gathering …", "b.Transfer …" (text from databases that
# drop the space) before a capital or a quote; such a line starts an item, and keeps its marker as the answer
# units read it ("(a)is applied" wrapped to a line's start is prose)
_GLUED_MARKER = re.compile(r"^[ \t]*(?:\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})\)|(?:\d{1,3}|[a-z])\.)(?=[A-Z\"'`“‘(])")
_CLOSED = re.compile(r"[.!?;:…][\"'”’)\]]*$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def split_sentences(text: str) -> list[SentenceSpan]:
    """Sentences of `text`, in order, with char spans into `text` (whitespace trimmed)."""
    spans: list[SentenceSpan] = []
    for b_start, b_end in _blocks(text):
        for s, e in _split_block(text, b_start, b_end):
            s, e = _trim(text, s, e)
            if e > s:
                spans.append(SentenceSpan(s, e, text[s:e]))
    return spans


# ---- line structure ---------------------------------------------------------------------------

def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of lines that may hold one flowing paragraph; list markers excluded from the start."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lines.append((pos, pos + len(body)))
        pos += len(line)
    blocks: list[list[int]] = []
    prev_body = None
    wrap = _wrap_width([e - s for s, e in lines])
    for s, e in lines:
        body = text[s:e]
        if not body.strip():
            prev_body = None
            continue
        m = _LIST_MARKER.match(body)
        is_item = bool(m) and not _looks_like_sentence_number(body, m)
        glued = not is_item and bool(_GLUED_MARKER.match(body))
        content_start = s + (m.end() if is_item else len(body) - len(body.lstrip()))
        if prev_body is not None and not (is_item or glued) and _continues(prev_body, text[content_start:e], wrap):
            blocks[-1][1] = e
        else:
            blocks.append([content_start, e])
        prev_body = body
    return [(s, e) for s, e in blocks]


def _looks_like_sentence_number(body: str, m: re.Match) -> bool:
    # "5. The court …" is a list item; "I. " roman numeral too; but "A. Smith said" is an initial.
    marker = m.group(0).strip()
    return len(marker) == 2 and marker[0].isupper() and marker[1] == "." and marker[0] not in "IVX"


def _wrap_width(lengths: list[int]) -> int:
    """The width prose is wrapped at (PDF text: most lines nearly as long as the longest, none very
    long), or 0 when lines are paragraphs of their own."""
    full = [n for n in lengths if n]
    width = max(full, default=0)
    if len(full) < 4 or width > 160 or sum(n >= 0.7 * width for n in full) < 0.6 * len(full):
        return 0
    return width


def _continues(prev_line: str, next_line: str, wrap: int = 0) -> bool:
    prev = prev_line.rstrip()
    nxt = next_line.lstrip()
    if not prev or not nxt:
        return False
    if nxt[0].islower():
        return True
    if prev[-1] in ",;:-–(":
        return True
    if wrap and len(prev) >= 0.7 * wrap and not _CLOSED.search(prev):
        return True  # a full-width line that does not end its sentence: the sentence wraps on
    last = prev.split()[-1].lower()
    return last in _DANGLING


# ---- sentence ends within a block -------------------------------------------------------------

def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    cur = start
    block = text[start:end]
    for m in _END.finditer(block):
        stop = m.end()
        mk = _MARKERS.match(block, stop)
        if mk:
            stop = mk.end()
        # a sentence end must be followed by whitespace or the end of the block
        if stop < len(block) and not block[stop].isspace():
            continue
        if not _is_boundary(block, m.start(), m.group(0), stop):
            continue
        out.append((cur, start + stop))
        cur = start + stop
    if cur < end:
        out.append((cur, end))
    return out


def _is_boundary(block: str, at: int, punct: str, stop: int) -> bool:
    rest = block[stop:]
    nxt_m = _NEXT_WORD.match(rest)
    nxt = nxt_m.group(1) if nxt_m else ""
    if not nxt:
        return True
    if punct[0] in "!?" or punct.startswith("...") or punct.startswith("…"):
        return not nxt[0].islower()
    tok_m = _TOKEN_BEFORE.search(block[:at])
    tok = tok_m.group(1).lstrip("\"'“‘([") if tok_m else ""
    low = tok.lower()
    if nxt[0].islower() and nxt.lower() not in ("e.g.", "i.e."):
        return False  # "… Art. 4 as amended" / "approx. five"
    if low in _ALWAYS_ABBREV:
        return False
    if low in _NUMBER_ABBREV and re.match(r"[(\d]|[ivxlcdmIVXLCDM]+\b", nxt):
        return False
    if low in _MAY_END:
        return nxt.lower().strip(",") in _OPENERS
    if _DOTTED.match(tok):
        if tok.islower() or len(tok) <= 3 and tok[0].islower():
            return False
        return nxt.lower().strip(",") in _OPENERS
    if len(tok) == 1 and tok.isupper() and nxt[:1].isupper():
        return False  # an initial: "J. Smith"
    return True


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
