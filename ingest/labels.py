"""The section labels the chunker writes, read back: does "Article 6(1)–(3)" hold Article 6 paragraph 2, does
"Protocol, Article IX(2)" name Article IX, do "Recitals 18–20" hold Recital 19?

`names_provision(section, article, paragraph)`: the section names the article (case-insensitive, after any
instrument prefix the expected article does not give), and when a paragraph is given, the section's
paragraph range holds it (deeper levels, "Article 6(1)(a)", are ignored). A numbered range of the plural
word holds its members. Used by retrieval (a provision cited by number is fetched by its label) and by the
evaluation metrics alike.
"""

from __future__ import annotations

import re

from ingest.legal_lines import roman_value

_TAIL = re.compile(r"(?P<head>[^(]*?)\s*(?P<p1>\(\w+\))?(?:\s*[–-]\s*(?P<p2>\(\w+\)))?(?:\(\w+\))*$")
_RANGE = re.compile(r"(?P<word>\w+)s (?P<lo>\w+)\s*[–-]\s*(?P<hi>\w+)$")


def _squash(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split()).lower()


def _number(label: str) -> int | None:
    """12 -> 12, "XIV" or "xiv" -> 14; None for anything else."""
    return int(label) if label.isdigit() else roman_value(label.upper())


def _head_names(head: str, article: str) -> bool:
    if head == article or head.endswith(", " + article):
        return True
    m = _RANGE.search(head)  # "recitals 18–20" names "recital 19"
    if not m or (m.start() and head[:m.start()].rstrip()[-1:] != ","):
        return False
    word, _, number = article.rpartition(" ")
    prefix, _, word = word.rpartition(", ")
    if word != m.group("word") or (prefix and not head.startswith(prefix + ", ")):
        return False
    n, lo, hi = _number(number), _number(m.group("lo")), _number(m.group("hi"))
    return None not in (n, lo, hi) and lo <= n <= hi


def _in_range(paragraph: str, lo: str, hi: str) -> bool:
    p, lo, hi = paragraph.lower(), lo.lower(), hi.lower()
    if p.isdigit() and lo.isdigit() and hi.isdigit():
        return int(lo) <= int(p) <= int(hi)
    if p.isdigit() or lo.isdigit() or hi.isdigit():
        return False
    return len(lo) == len(p) == len(hi) and lo <= p <= hi


def names_provision(section: str, article: str, paragraph: str | None = None) -> bool:
    """Does the chunk's `section` name `article` (and, when given, a paragraph range holding `paragraph`)?"""
    if not section or not article:
        return False
    m = _TAIL.match(_squash(section))
    if not m or not _head_names(m.group("head").strip(), _squash(article)):
        return False
    if not paragraph:
        return True
    p1 = m.group("p1")
    if p1 is None:
        return False
    p2 = m.group("p2") or p1
    return _in_range(_squash(paragraph).strip("()"), p1[1:-1], p2[1:-1])


_PARA_MARK = re.compile(r"(?m)^[ \t]*(?:\((?P<a>\w{1,4})\)|(?P<b>\w{1,4})[.)])[ \t]*")


def quote_provision(section: str, text: str, offset: int) -> str:
    """The provision path of a quote at `offset` in a chunk's `text` labelled `section`: "Article 6(1)–(3)" and
    a quote in its second paragraph give "Article 6(2)" (the last paragraph marker at a line start before the
    quote, within the chunk's range); any other label is returned as it is."""
    plural = _RANGE.search(section or "")
    if plural and plural.group("lo").isdigit() and plural.group("hi").isdigit():
        return _member_of_range(section, plural, text, offset)
    m = _TAIL.match(section or "")
    if not m or not m.group("p2"):
        return section
    lo, hi = m.group("p1")[1:-1], m.group("p2")[1:-1]
    label = lo
    for mark in _PARA_MARK.finditer(text, 0, min(len(text), offset + 8)):
        if mark.start() > offset:
            break
        got = mark.group("a") or mark.group("b")
        if _in_range(got, lo, hi):
            label = got
    return f"{m.group('head').strip()}({label})"


_NUMBERED = re.compile(r"(?m)^[ \t]*\((?P<n>\d{1,4})\)")


def _member_of_range(section: str, plural: re.Match, text: str, offset: int) -> str:
    """"Recitals 19–20" and a quote in the recital numbered (20) give "Recital 20"; the range when unsure."""
    lo, hi = int(plural.group("lo")), int(plural.group("hi"))
    got = None
    for mark in _NUMBERED.finditer(text, 0, min(len(text), offset + 8)):
        if mark.start() > offset:
            break
        if lo <= int(mark.group("n")) <= hi:
            got = mark.group("n")
    if got is None:
        return section
    return f"{section[:plural.start()]}{plural.group('word').capitalize()} {got}"
