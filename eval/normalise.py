"""The evaluation normal form of text, shared by the metrics that compare quotes with evidence.

Evidence written by hand from a PDF or a Markdown file is verbatim only after normalisation:
- NFKC (folds ligatures such as "ﬁ"), soft hyphens dropped, typographic quotes and `` mapped to ASCII,
  whitespace runs collapsed to one space (`normalise_with_map`, which also keeps, for every character
  of the normal form, the offset of the raw character it came from);
- a word broken at a line end ("deter- mining" once whitespace is collapsed) is tried joined both
  without and with its hyphen (`find_normalised`, `contains_normalised`).

    find_normalised(text, quote) -> [(start, end), ...]   raw offsets of every occurrence in `text`
    contains_normalised(haystack, needle) -> bool
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"',
           "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'}
_BROKEN_WORD = re.compile(r"(?<=\w)- (?=\w)")


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """The evaluation normal form (NFKC, no soft hyphens, ASCII quotes, `` as ", whitespace collapsed) and,
    for each of its characters, the offset of the raw character it came from."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "`" and text[i + 1:i + 2] == "`":
            out.append('"')
            where.append(i)
            i += 2
            continue
        if ch == "\u00ad":
            i += 1
            continue
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            i += 1
            continue
        for c in unicodedata.normalize("NFKC", _QUOTES.get(ch, ch)):
            out.append(c)
            where.append(i)
        i += 1
    return "".join(out), where


def normalise(text: str) -> str:
    return normalise_with_map(text)[0].strip()


def _joined(norm: str, where: list[int], keep_hyphen: bool) -> tuple[str, list[int]]:
    """`norm` with every line-end word break ("deter- mining") joined, and the offset map kept in step."""
    out: list[str] = []
    pos: list[int] = []
    last = 0
    for m in _BROKEN_WORD.finditer(norm):
        out.append(norm[last:m.start()])
        pos += where[last:m.start()]
        if keep_hyphen:
            out.append("-")
            pos.append(where[m.start()])
        last = m.end()
    out.append(norm[last:])
    pos += where[last:]
    return "".join(out), pos


def _forms(text: str) -> list[tuple[str, list[int]]]:
    norm, where = normalise_with_map(text)
    forms = [(norm, where)]
    if _BROKEN_WORD.search(norm):
        forms += [_joined(norm, where, keep_hyphen=False), _joined(norm, where, keep_hyphen=True)]
    return forms


def find_normalised(text: str, quote: str) -> list[tuple[int, int]]:
    """Raw (start, end) offsets in `text` of every occurrence of `quote`, both compared in the normal form
    (with line-end word breaks joined with and without the hyphen). Empty when it is not there."""
    needle = normalise(quote)
    if not needle:
        return []
    found: set[tuple[int, int]] = set()
    for norm, where in _forms(text):
        k = norm.find(needle)
        while k >= 0:
            found.add((where[k], where[k + len(needle) - 1] + 1))
            k = norm.find(needle, k + 1)
    return sorted(found)


def contains_normalised(haystack: str, needle: str) -> bool:
    """Does `haystack` hold `needle` once both are in the normal form (word breaks joined either way)?"""
    n = normalise(needle)
    return bool(n) and any(n in norm for norm, _ in _forms(haystack))
