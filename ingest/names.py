"""The names a document goes by: its title, the manifest's aliases, and what the text calls itself.

    instrument_names(doc) -> ("Regulation (EU) 2016/679 ...", "General Data Protection Regulation",
                              "Regulation (EU) 2016/679", ...)

From the text (its opening, where instruments name themselves): short titles in parentheses after the
title ("(General Data Protection Regulation)"), "hereinafter referred to as ..." definitions, and official
series numbers ("Regulation (EU) No 604/2013", "CETS No. 186", "A/RES/55/25"). Drafting conventions
only: nothing here knows an instrument.
"""

from __future__ import annotations

import re

from ingest.records import Document

OPENING_CHARS = 4000  # instruments name themselves in their title block and preamble
_SHORT_TITLE = re.compile(r"\(\s*(?:the\s+)?((?:[A-Z][\w'’-]*\s+){1,7}[A-Z][\w'’-]*)\s*\)")
_HEREINAFTER = re.compile(r"\bhereinafter\s+(?:referred\s+to\s+as|called|cited\s+as)\s+(?:the\s+)?[“\"'‘`]{0,2}"
                          r"((?:the\s+)?[A-Z][^”\"'’),;]{2,80}?)[”\"'’]{0,2}\s*[),;]", re.I)
_SERIES = re.compile(
    r"\b(?:(?:Regulation|Directive|Decision)\s+\((?:EU|EC|EEC|Euratom)\)\s+(?:No\s+)?\d{1,4}/\d{2,4}"
    r"|(?:CETS|ETS|UNTS)\s+(?:No\.?\s*)?\d{1,4}"
    r"|A/RES/\d{1,3}/\d{1,4})\b", re.I)
TITLE_BLOCK_CHARS = 600  # series numbers further on are other instruments the text cites
TITLE_HEADING_CHARS = 1000  # the title block ends before this, at the latest
TITLE_HEADING_WORDS = 4  # "Preamble", "Article 1", "CHAPTER I" are not names
TITLE_LINE_WORDS = 40  # longer is prose
_SENTENCE_END = re.compile(r"[.;:!?,]\s*$")


def instrument_names(doc: Document) -> tuple[str, ...]:
    """Title, manifest aliases, then names found in the text's opening; deduplicated, in that order."""
    meta = dict(doc.metadata)
    names = [doc.title] + [a.strip() for a in meta.get("aliases", "").split(";")]
    names += text_names(doc.text[:OPENING_CHARS], doc.title)
    names += title_headings(doc)
    out: list[str] = []
    seen: set[str] = set()
    for n in names:
        n = " ".join(n.split()).strip(" .,;:")
        key = n.lower()
        if len(n) >= 3 and key not in seen:
            seen.add(key)
            out.append(n)
    return tuple(out)


def title_headings(doc: Document) -> list[str]:
    """The title block's headings, in every language the file gives them ("Protocol tegen de smokkel …", then
    "Protocol against the Smuggling …"): names the document goes by, whichever one became its title. The title
    block is what comes before the first line of body text (a sentence, or a line of more than a few dozen
    words). A text file or Word document without headings there gives the lines of its title block instead;
    a PDF does not (its lines are prose wrapped at the page's width)."""
    lines, body, at = [], TITLE_HEADING_CHARS, 0
    for line in doc.text[:TITLE_HEADING_CHARS].splitlines(keepends=True):
        text = " ".join(line.split())
        if text and (len(text.split()) > TITLE_LINE_WORDS or _SENTENCE_END.search(text)):
            body = at
            break
        text = _aside(text)  # "(hereinafter referred to as …)": text_names reads those; not part of the name
        if len(text.split()) >= TITLE_HEADING_WORDS:
            lines.append(text)
        at += len(line)
    heads = [h for h in doc.headings if h.start < body]
    if heads:
        return [t for t in map(_aside, (h.text for h in heads)) if len(t.split()) >= TITLE_HEADING_WORDS]
    return [] if doc.pages else lines


def _aside(line: str) -> str:
    """A title line without what it says in parentheses."""
    return " ".join(re.sub(r"\([^()]*\)", " ", line).split())


def text_names(opening: str, title: str = "") -> list[str]:
    """Names an instrument gives itself in `opening` (its first few thousand characters) and its title."""
    text = " ".join(opening.split())
    found = [m.group(1) for m in _HEREINAFTER.finditer(text)]
    found += [_series_case(m.group(0)) for m in _SERIES.finditer(title + " " + text[:TITLE_BLOCK_CHARS])]
    found += [m.group(1) for m in _SHORT_TITLE.finditer(text[:1500]) if len(m.group(1).split()) >= 2]
    return found


def _series_case(number: str) -> str:
    """"REGULATION (EU) 2016/679" -> "Regulation (EU) 2016/679"."""
    word, _, rest = number.partition(" ")
    return f"{word.capitalize()} {rest}" if word.isupper() and len(word) > 4 else number
