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


def instrument_names(doc: Document) -> tuple[str, ...]:
    """Title, manifest aliases, then names found in the text's opening; deduplicated, in that order."""
    meta = dict(doc.metadata)
    names = [doc.title] + [a.strip() for a in meta.get("aliases", "").split(";")]
    names += text_names(doc.text[:OPENING_CHARS], doc.title)
    out: list[str] = []
    seen: set[str] = set()
    for n in names:
        n = " ".join(n.split()).strip(" .,;:")
        key = n.lower()
        if len(n) >= 3 and key not in seen:
            seen.add(key)
            out.append(n)
    return tuple(out)


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
