"""Legal texts as quiz material: which documents are legal texts, their provisions, headings and names.

A document is a legal text when the manifest types it `primary_law` or most of its chunks carry a unit
label ("Article 21", "Article 6(1)–(3)", "Section 4"). A statement's provision is its chunk's unit label
narrowed to the numbered paragraph the sentence stands in ("Article 31(1)–(2)" -> "Article 31(2)").
The instrument is cited by its short name from the catalog (assistant/instruments.py), e.g. a series
number, else its title up to the first comma. Drafting conventions only: nothing here knows an instrument.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from ingest.labels import names_provision
from ingest.records import Chunk

_UNIT = re.compile(r"^(?P<pre>(?:[^,()]+, )?)(?P<unit>Article|Section|Rule|Regulation|Clause|Paragraph|Principle)s?\s+"
                   r"(?P<num>[\dIVXLC]+[A-Za-z]?)(?P<rest>.*)$")
_PARA = re.compile(r"(?m)^[ \t]*(\d{1,2})\.[ \t]+\S")
LEGAL_SHARE = 0.5  # share of a document's chunks with a unit label that makes it a legal text


@dataclass(frozen=True)
class Provision:
    label: str  # "Article 31"
    source: str
    heading: str  # "Entry into force" ("" when the text gives none)
    chunks: tuple[Chunk, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(c.text for c in self.chunks)


def unit_label(section: str) -> str:
    """'Article 31(1)–(2)' -> 'Article 31'; '' when the section is not a legal unit."""
    m = _UNIT.match(section or "")
    return f"{m.group('pre')}{m.group('unit')} {m.group('num')}" if m else ""


def provision_of(chunk: Chunk, start: int) -> str:
    """The provision a sentence starting at `start` (offset in the chunk text) stands in."""
    label = unit_label(chunk.section)
    if not label:
        return ""
    rest = _UNIT.match(chunk.section).group("rest")
    if "–" not in rest and "-" not in rest:
        return chunk.section if rest.startswith("(") else label
    paras = [m.group(1) for m in _PARA.finditer(chunk.text[: start + 1])]
    return f"{label}({paras[-1]})" if paras and rest[1:2].isdigit() else label


def _heading(chunk: Chunk, label: str) -> str:
    lines = [l.strip() for l in chunk.text.splitlines() if l.strip()]
    squash = " ".join(label.split()).lower()
    for i, line in enumerate(lines[:-1]):
        if " ".join(line.split()).lower() == squash.split(", ")[-1]:
            nxt = lines[i + 1]
            if len(nxt.split()) <= 14 and not nxt.rstrip().endswith((".", ";", ":")):
                return nxt
            return ""
    ctx = getattr(chunk, "context", "") or ""
    if ctx.lower().startswith(squash.split(", ")[-1]):
        return ctx[len(squash.split(", ")[-1]):].strip(" :-–")
    return ""


class LegalTexts:
    """Provisions of the legal texts among `chunks`, and the names the instruments are cited by."""

    def __init__(self, chunks: Sequence[Chunk], documents: Sequence = (), short_name=None):
        by_source: dict[str, list[Chunk]] = defaultdict(list)
        for c in chunks:
            by_source[c.source].append(c)
        types = {getattr(d, "source", ""): getattr(d, "source_type", "") for d in documents}
        self.legal: set[str] = set()
        self.provisions: dict[str, dict[str, Provision]] = {}
        for source, cs in by_source.items():
            labelled = [c for c in cs if unit_label(c.section)]
            if types.get(source) == "primary_law" or len(labelled) >= LEGAL_SHARE * len(cs) and labelled:
                self.legal.add(source)
            groups: dict[str, list[Chunk]] = defaultdict(list)
            for c in labelled:
                groups[unit_label(c.section)].append(c)
            self.provisions[source] = {
                label: Provision(label, source, next((h for h in (_heading(c, label) for c in g) if h), ""), tuple(g))
                for label, g in groups.items()}
        self.parts: dict[str, dict[str, list[Chunk]]] = {}  # every document: section heading -> chunks
        for source, cs in by_source.items():
            parts: dict[str, list[Chunk]] = defaultdict(list)
            for c in cs:
                if c.section:
                    parts[c.section].append(c)
            self.parts[source] = dict(parts)
        self._short_name = short_name
        self._titles = {c.source: c.title for c in chunks}

    def is_legal(self, source: str) -> bool:
        return source in self.legal

    def instrument(self, source: str) -> str:
        """The name a stem cites the instrument by (a series number, else the title up to its first comma)."""
        name = ""
        if self._short_name is not None:
            try:
                name = self._short_name(source) or ""
            except Exception:  # the catalog names are a nicety: fall back to the title
                name = ""
        if not name:
            name = (self._titles.get(source) or source).split(",")[0].strip()
        name = name.split(",")[0].strip()  # stems put a comma after the name: it must hold none
        return "the " + name[4:] if name.startswith("The ") else name

    def provision(self, source: str, label: str) -> Provision | None:
        return self.provisions.get(source, {}).get(label)

    def others(self, source: str, label: str) -> list[Provision]:
        """The document's other provisions of the same unit kind, in document order."""
        unit = label.rsplit(" ", 1)[0]
        return [p for lab, p in self.provisions.get(source, {}).items()
                if lab != label and lab.rsplit(" ", 1)[0] == unit]

    def chunks_of(self, source: str, label: str) -> list[Chunk]:
        p = self.provision(source, label)
        if p is not None:
            return list(p.chunks)
        if not self.is_legal(source) and label in self.parts.get(source, {}):
            return list(self.parts[source][label])
        return [c for cs in self.provisions.get(source, {}).values() for c in cs.chunks
                if names_provision(c.section, label)]
