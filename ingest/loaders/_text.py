"""Shared text plumbing for loaders: normalisation, binary sniffing, and a builder that keeps offsets.

Every loader assembles `Document.text` through `TextBuilder`, so heading and page offsets are computed
on the final text and can never drift from it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.records import Heading, PageSpan, Region, RemovedLine

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # broken PDF font maps yield these; no store can encode them


def normalize(text: str) -> str:
    """Unify newlines, drop control and invisible characters, replace lone surrogates with U+FFFD,
    collapse spaces, keep line structure.

    Lines are stripped; at most one blank line separates paragraphs.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text.translate(_INVISIBLE)))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def inline(text: str) -> str:
    """One line: all whitespace runs become one space."""
    return " ".join(normalize(text).split())


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not text of any 8-bit encoding."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


@dataclass
class Extracted:
    """What a format reader hands back: text with pages/headings at offsets into that text."""

    text: str
    title: str = ""
    pages: tuple[PageSpan, ...] = ()
    headings: tuple[Heading, ...] = ()
    removed: tuple[RemovedLine, ...] = ()
    regions: tuple[Region, ...] = ()


@dataclass
class TextBuilder:
    """Append blocks (paragraphs, headings, page texts) separated by blank lines, recording offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    headings: list[Heading] = field(default_factory=list)
    pages: list[PageSpan] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)

    def _append(self, text: str) -> int:
        if self.length:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def block(self, text: str) -> int | None:
        text = normalize(text)
        return self._append(text) if text else None

    def heading(self, text: str, level: int) -> None:
        text = inline(text)
        if text:
            self.headings.append(Heading(self._append(text), level, text))

    def page(self, number: int, text: str, label: str = "", ocr: bool = False,
             notes: Sequence[tuple[str, str]] = ()) -> None:
        """A page's body text, then each of its footnotes `(label, text)` as its own block and Region."""
        start = None
        if text := normalize(text):
            start = self._append(text)
        for note_label, note in notes:
            if note := normalize(note):
                at = self._append(note)
                self.regions.append(Region(at, self.length, "footnote", note_label))
                start = at if start is None else start
        self.pages.append(PageSpan(number, self.length if start is None else start, self.length, label, ocr))

    def build(self, title: str = "") -> Extracted:
        return Extracted("".join(self.parts), inline(title), tuple(self.pages), tuple(self.headings),
                         tuple(self.removed), tuple(self.regions))
