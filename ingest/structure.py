"""Find the structure of a document's text: legal units (Part, Chapter, Article, Section, Schedule),
headings (from the loader, or plain-text heading lines) and numbered paragraphs.

Nothing here knows a topic: the patterns are the drafting conventions of statutes, treaties and reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import Document

_LEGAL = [
    # (kind, pattern at line start); group 1 = the number, optional group 2 = a (1)(a) suffix
    ("Part", re.compile(r"(?:PART|Part)\s+([IVXLC]+|\d+[A-Z]?|[A-Z])\b")),
    ("Chapter", re.compile(r"(?:CHAPTER|Chapter)\s+([IVXLC]+|\d+[A-Z]?)\b")),
    ("Title", re.compile(r"(?:TITLE)\s+([IVXLC]+|\d+)\b")),
    ("Schedule", re.compile(r"(?:SCHEDULE|Schedule)\s+(\d+[A-Z]?|[IVXLC]+)\b")),
    ("Annex", re.compile(r"(?:ANNEX|Annex|APPENDIX|Appendix)\s+([IVXLC]+|\d+|[A-Z])\b")),
    ("Article", re.compile(r"(?:ARTICLE|Article|Art\.)\s*(\d+[a-z]?(?:\s+(?:bis|ter|quater))?|[IVXLC]+)\b((?:\(\w{1,4}\))*)")),
    ("Section", re.compile(r"(?:SECTION|Section|Sect?\.|§)\s*(\d+[A-Z]*)((?:\(\w{1,4}\))*)")),
]
_NUMBERED = re.compile(r"(?:(\d{1,3})\.|\((\d{1,3}[A-Z]?)\))\s+\S")  # "1. ..." or "(1) ..."
_ITEM = re.compile(r"(?:\(([a-z]{1,2}|[ivx]{1,5})\)|[-•*–]|[a-z]\))\s+\S")  # "(a) ...", "- ...", "a) ..."
_SENTENCE_END = (".", "!", "?", ";", ":", ",", "…")


@dataclass(frozen=True)
class Marker:
    """A place where a structural unit starts. `hard` markers start a new section the chunker does not
    cross; soft ones (numbered paragraphs, list items) are preferred split points and may refine the label."""

    start: int
    end: int  # end of the marker's line
    label: str
    kind: str  # heading | Part | Chapter | Article | Section | ... | paragraph | item
    hard: bool


def legal_label(line: str) -> tuple[str, str] | None:
    """("Article", "Article 4") when `line` opens a legal unit, else None. Prose that merely starts with
    "Article 3 of the ..." is not a marker: the rest of a marker line is empty, a separator or a title."""
    for kind, pattern in _LEGAL:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end():].strip()
        if rest and (rest[0].islower() or len(line) > 120 or (line.endswith((".", ";", ",")) and len(rest) > 2)):
            return None
        number = " ".join(m.group(1).split())
        suffix = m.group(2) if m.lastindex and m.lastindex >= 2 and m.group(2) else ""
        return kind, f"{kind} {number}{suffix}"
    return None


def _lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _is_heading_line(line: str, prev: str | None, nxt: str | None) -> bool:
    """A plain-text heading: short, no closing punctuation, starts upper-case, stands alone (the line
    before ends a sentence or is blank) and is followed by a longer paragraph."""
    words = line.split()
    if not (1 <= len(words) <= 14) or len(line) > 120 or line.endswith(_SENTENCE_END):
        return False
    if not (line[0].isupper() or line[0].isdigit()) or _ITEM.match(line) or _NUMBERED.match(line):
        return False
    if _continues(prev):
        return False
    return nxt is not None and (len(nxt.split()) > len(words) or legal_label(nxt) is not None)


def find_markers(doc: Document) -> list[Marker]:
    text = doc.text
    lines = _lines(text)
    loader_headings = {h.start: h for h in doc.headings}
    detect_plain = not doc.headings  # PDFs and plain text: find heading lines ourselves
    markers: list[Marker] = []
    prev_line: str | None = None
    prev_end = -2
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        blank_before = text[prev_end:s].count("\n") >= 2 if prev_end >= 0 else True
        prev = None if blank_before else prev_line
        nxt = text[lines[i + 1][0]:lines[i + 1][1]] if i + 1 < len(lines) else None
        legal = legal_label(line)
        after_marker = bool(markers) and markers[-1].hard and markers[-1].end == prev_end
        after_legal = after_marker and markers[-1].kind != "heading"
        if s in loader_headings:
            h = loader_headings[s]
            markers.append(Marker(s, e, legal[1] if legal else h.text, legal[0] if legal else "heading", True))
        elif legal and (after_marker or not _wrapped_into(prev, line)):
            markers.append(Marker(s, e, legal[1], legal[0], True))
        elif m := _NUMBERED.match(line):
            markers.append(Marker(s, e, f"({m.group(1) or m.group(2)})", "paragraph", False))
        elif _ITEM.match(line):
            markers.append(Marker(s, e, "", "item", False))
        elif detect_plain and not after_marker and _is_heading_line(line, prev, nxt):
            markers.append(Marker(s, e, line, "heading", True))
        elif after_legal and detect_plain and len(line.split()) <= 14 and not line.endswith(_SENTENCE_END):
            # the title line under "Article 4": part of that marker, not a new heading
            last = markers.pop()
            markers.append(Marker(last.start, e, last.label, last.kind, True))
        prev_line, prev_end = line, e
    return markers


def _wrapped_into(prev: str | None, line: str) -> bool:
    """True when `line` ("Article 4." / "Article 4") is the wrapped end of a long prose line before it."""
    rest = line.split(None, 2)[2:] if not line.startswith("§") else line.split(None, 1)[1:]
    return _continues(prev) and len(prev or "") > 60 and (not rest or rest[0] in (".", ",", ";", ":"))


def _continues(prev: str | None) -> bool:
    """True when `prev` is a wrapped line whose sentence runs on into the next line."""
    return bool(prev) and not prev.endswith(_SENTENCE_END + ("”", '"', ")")) and not _ITEM.match(prev)
