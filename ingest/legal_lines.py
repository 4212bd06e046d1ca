"""Lines of legal text: what opens a unit ("Article 4", "CHAPTER II", "Schedule", "Paragraph 5"), what opens a
subdivision ("1.", "(a)", "A."), heading-like lines, and the numbers units carry (Arabic or Roman).

The patterns are drafting conventions of statutes, treaties and regulations, in the languages their
translations commonly come in; nothing here knows a topic or an instrument. `ingest/structure.py` builds
the provision tree from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARTICLE_WORDS = r"ARTICLE|Article|Art\.|ARTIKEL|Artikel|ARTÍCULO|Artículo|Articolo|ARTICOLO|Artigo|ARTIGO"
_NUM = r"(\d{1,4}[a-z]?(?:\s+(?:bis|ter|quater))?|[IVXLC]{1,7})"
ARTICLE = re.compile(rf"({ARTICLE_WORDS})\s*{_NUM}\b((?:\(\w{{1,4}}\))*)")
ARTICLE_INLINE = re.compile(rf"(?<![\w(\[/])({ARTICLE_WORDS})\s+{_NUM}(?=\s+[A-Z][a-zﬁﬂﬀ])")
GROUPS = [
    ("Part", re.compile(r"(?:PART|Part)\s+([IVXLC]+|\d+[A-Z]?|[A-Z]|ONE|TWO|THREE|FOUR|FIVE|SIX)\b")),
    ("Title", re.compile(r"TITLE\s+([IVXLC]+|\d+)\b")),
    ("Chapter", re.compile(r"(?:CHAPTER|Chapter|HOOFDSTUK|Hoofdstuk|CHAPITRE|Chapitre|KAPITEL|Kapitel)\s+"
                           r"([IVXLC]+|\d+[A-Z]?)\b")),
    ("Section", re.compile(r"(?:SECTION|Section|Sect?\.|§|AFDELING|Afdeling)\s*([IVXLC]+|\d+[A-Z]*)((?:\(\w{1,4}\))*)")),
    ("Schedule", re.compile(r"(?:SCHEDULE|Schedule|schedule)(?:\s+(\d+[A-Z]?|[IVXLC]+))?\b")),
    ("Annex", re.compile(r"(?:ANNEX|Annex|annex|APPENDIX|Appendix|appendix|BIJLAGE|Bijlage)(?:\s+([IVXLC]+|\d+|[A-Z]))?\b")),
]
GROUPS_INLINE = re.compile(r"(?<![\w(])(CHAPTER|SECTION|TITLE|PART) ([IVXLC]+|\d+)(?= [A-Z])")
PREAMBLE = re.compile(r"(?:preamble|preambule|préambule|präambel|preámbulo|preambolo)\W*$", re.IGNORECASE)
SCHEDULE_PARAGRAPH = re.compile(r"(?:PARAGRAPH|Paragraph)\s+(\d{1,3})\s*$")
PARA_LINE = [  # (style, pattern at line start); group 1 = the label
    ("N.", re.compile(r"(\d{1,3})\.(?!\d)\s*(?=\S)")),
    ("(N)", re.compile(r"\((\d{1,3})\)\s*(?=\S)")),
    ("N)", re.compile(r"(\d{1,3})\)\s+(?=\S)")),
    ("(a)", re.compile(r"\(([a-z])\)\s*(?=\S)")),
    ("a)", re.compile(r"([a-z])\)\s*(?=\S)")),
    ("a.", re.compile(r"([a-z])\.(?![a-z]\.)\s*(?=[A-Za-z(“\"`‘'])")),
    ("A.", re.compile(r"([A-Z])\.(?:\s+|(?=\())(?=\S)")),
    ("(i)", re.compile(r"\(([ivx]{1,5})\)\s*(?=\S)")),
]
PARA_INLINE = [  # run into the text (derived renderings): after a sentence end, or an article's title
    ("N.", re.compile(r"(?<=[.:;]\s)(\d{1,3})\.\s+(?=[A-Z(])")),
    ("(N)", re.compile(r"(?<=[.:;]\s)\((\d{1,3})\)\s+(?=[A-Z])")),
    ("(a)", re.compile(r"(?<=[:;,.]\s)\(([a-z])\)\s+(?=\S)")),
]
FIRST_INLINE = re.compile(r"(?<=\s)(1)\.\s+(?=[A-Z(])")  # "Article 2 Material scope 1. This Regulation ..."
REFERENCE_WORDS = frozenset("in of to under with and or see pursuant referred accordance by from than that "
                             "paragraph paragraphs article articles point points".split())
_ITEM = re.compile(r"(?:\(([a-z]{1,2}|[ivx]{1,5})\)|[-•*–]|[a-z]\))\s+\S")
SENTENCE_END = (".", "!", "?", ";", ":", ",", "…")
_FUNCTION_WORDS = frozenset("a an and as at by for from in into of on or the to with that which whose "
                            "de het een van en in op met voor la le les des du et à el los las del y".split())
INSTRUMENT_NAME = re.compile(r"\b(?:[Tt]he present|[Tt]his) ([A-Z][a-z]{3,})\b")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


# ---- numbers --------------------------------------------------------------------------------------------

def roman_value(s: str) -> int | None:
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN[a]
        total += -v if b in _ROMAN and _ROMAN[b] > v else v
    return total


def number_value(number: str) -> int | None:
    m = re.match(r"\d+", number)
    if m:
        return int(m.group(0))
    return roman_value(number.split()[0])


def next_label(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else chr(ord(label[-1]) + 1)


# ---- legal lines ----------------------------------------------------------------------------------------

def legal_label(line: str) -> tuple[str, str] | None:
    """("Article", "Article 4") when `line` opens a legal unit, else None. A line that merely starts with a
    cross-reference ("Article 3 of the ...", "Article 26(1).", a table row "Article 16 | Article 18") is not."""
    m = ARTICLE.match(line)
    if m:
        rest = line[m.end():].strip()
        if (m.group(3) and rest) or not heading_rest(rest, line):
            return None  # "Article 26(1)." and "Article 16(1)(a) Article 18(1)(a)" are references
        word = article_word(m.group(1))
        return "Article", f"{word} {' '.join(m.group(2).split())}{m.group(3)}"
    for kind, pattern in GROUPS:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end():].strip()
        suffix = m.group(2) if kind == "Section" else ""
        if (suffix and rest) or not heading_rest(rest, line):
            return None
        number = (m.group(1) + (suffix or "")) if m.group(1) else None
        if kind in ("Schedule", "Annex") and not number and rest:
            return None  # "Schedule" / "Annex" alone on its line, or with a number
        word = "Appendix" if kind == "Annex" and line[:8].lower().startswith("appendix") else kind
        return kind, f"{word} {number}" if number else word
    return None


def heading_rest(rest: str, line: str) -> bool:
    """The rest of a heading line is empty, a separator, or a title (not prose, not another reference)."""
    if not rest:
        return True
    if rest[0] in ",;)(" or rest[0].islower() or len(line) > 120:
        return False
    if ARTICLE.match(rest.lstrip("|–—-: ")):
        return False  # a correlation table row
    return not (line.endswith((".", ";", ",")) and len(rest) > 2)


def article_word(word: str) -> str:
    w = word.rstrip(".").capitalize()
    return "Article" if w == "Art" else w


def split_lines(text: str) -> list[Line]:
    return [Line(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]


# ---- plain headings -------------------------------------------------------------------------------------

def is_heading_line(line: str, prev: str | None, nxt: str | None) -> bool:
    """A plain-text heading: short, no closing punctuation, starts upper-case, stands alone (the line
    before ends a sentence or is blank), does not end on a function word, and a longer paragraph follows."""
    words = line.split()
    if not (1 <= len(words) <= 14) or len(line) > 120 or line.endswith(SENTENCE_END):
        return False
    if not (line[0].isupper() or line[0].isdigit()) or _ITEM.match(line) or any(p.match(line) for _, p in PARA_LINE[:3]):
        return False
    if sum(c.isalpha() for c in line) < 3 or words[-1].lower() in _FUNCTION_WORDS:
        return False
    if continues(prev) or _listed(prev, nxt):
        return False
    return nxt is not None and (len(nxt.split()) > len(words) or legal_label(nxt) is not None)


LIST_LINE_WORDS = 6  # a line of a list of names ("Turkey", "United States of America") is this short


def _listed(prev: str | None, nxt: str | None) -> bool:
    """Between two short lines that end no sentence, a short line is an entry of a list (the States at a
    conference, the members of a committee), not a heading."""
    return all(ln and len(ln.split()) <= LIST_LINE_WORDS and not ln.endswith((".", ":", ";")) and legal_label(ln) is None
               for ln in (prev, nxt))


def continues(prev: str | None) -> bool:
    """True when `prev` is a wrapped line whose sentence runs on into the next line."""
    return bool(prev) and not prev.endswith(SENTENCE_END + ("”", '"', ")")) and not _ITEM.match(prev)
