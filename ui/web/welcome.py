"""The first screen: what the library holds, in one line, and three questions to start with.

The example questions are built from the library itself (a document's name and the heading of one of its
provisions or sections), never from fixed text, so they fit whatever documents a deployment holds. They
are asked through the same path as a typed question; nothing about them is special to the assistant.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Sequence

from ui.web.render import esc, source_type_label

N_EXAMPLES = 3
TYPE_ORDER = ("primary_law", "official_guidance", "secondary")  # binding text first
_SKIP_SECTIONS = re.compile(r"^(front matter|preamble|contents|table of contents|chapter\b|part\b|title\b|annex\b)",
                            re.I)
_UNIT = re.compile(r"^([A-Z][a-z]*\.?\s+[0-9IVXLC]+[a-z]?)\b")  # "Article 22", "Section 32", "Rule 4a"


@dataclass(frozen=True)
class Welcome:
    summary_html: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class _Heading:
    label: str  # the provision's label ("Article 22"), "" for a section known by its heading only
    heading: str  # "Entry into force and application"


def library_line(counts: dict[str, int], chunks: int) -> str:
    """"3 documents (2 primary law, 1 secondary source) · 540 passages"."""
    total = sum(counts.values())
    if not total:
        return ""
    kinds = ", ".join(f"{n} {source_type_label(t).lower()}" for t, n in sorted(counts.items(), key=_type_rank))
    return (f"{total} document{'s' if total != 1 else ''} ({kinds}) · {chunks:,} passage{'s' if chunks != 1 else ''}")


def _type_rank(item) -> int:
    t = item[0]
    return TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER)


def headings(chunks: Sequence) -> list[_Heading]:
    """The headed provisions and sections of one document, in order, each once."""
    out: list[_Heading] = []
    seen: set[str] = set()
    for c in chunks:
        if getattr(c, "kind", "body") != "body" or not c.section or _SKIP_SECTIONS.match(c.section):
            continue
        unit = _UNIT.match(c.section)
        if unit:
            label = unit.group(1)
            heading = _line_after(c.text, label) or _after_label(getattr(c, "context", ""), label)
        else:
            label, heading = "", c.section
        heading = " ".join(heading.split())
        if heading and 2 <= len(heading.split()) <= 10 and heading.lower() not in seen:
            seen.add(heading.lower())
            out.append(_Heading(label, heading))
    return out


def _line_after(text: str, label: str) -> str:
    """The short line after the line that is the label ("Article 22\\n\\nProhibition of ...")."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, ln in enumerate(lines[:-1]):
        if ln == label:
            nxt = lines[i + 1]
            return nxt if len(nxt) <= 90 and not nxt.endswith((".", ";", ":")) else ""
    return ""


def _after_label(context: str, label: str) -> str:
    return context[len(label):].strip(" .–—-:") if context.startswith(label) else ""


def _mid(heading: str) -> str:
    """A heading inside a sentence: its first letter lower-cased unless the word is a name or an acronym."""
    first = heading.split()[0]
    keep = first.isupper() or any(ch.isupper() for ch in first[1:])
    return heading if keep else heading[0].lower() + heading[1:]


def _title_case(heading: str) -> bool:
    long = [w for w in heading.split() if len(w) > 3]
    return len(long) > 1 and sum(w[0].isupper() for w in long) / len(long) > 0.6


def question_for(name: str, h: _Heading, provision_of=None, source: str = "") -> str:
    about = f"“{h.heading}”" if _title_case(h.heading) else _mid(h.heading)  # a Title Case heading is quoted
    if h.label:
        ref = provision_of(source, h.label) if provision_of else f"{h.label} of {name}"
        return f"What does {ref} say about {about}?"
    return f"What does “{name}” say about {about}?"


def example_questions(index, assistant=None, n: int = N_EXAMPLES) -> tuple[str, ...]:
    """`n` questions from the library: documents taken in turn (binding text first), from each a heading
    spread over the document (not its first one, which is usually its object or definitions)."""
    instruments = getattr(assistant, "instruments", None)
    provision_of = getattr(instruments, "provision_of", None)
    short_name = getattr(instruments, "short_name", None)
    docs = sorted(index.documents(), key=lambda d: (_type_rank((d.source_type,)), (d.title or d.source).lower()))
    pools = []
    for d in docs:
        hs = headings(list(index.iter_chunks(d.source)))
        if hs:
            name = (short_name(d.source) if short_name else "") or d.title or d.source
            pools.append((d.source, name, hs))
    out: list[str] = []
    rnd = 0
    while len(out) < n and pools and rnd < n:
        for source, name, hs in pools:
            if len(out) >= n:
                break
            pick = hs[min(len(hs) - 1, (len(hs) * (rnd + 1)) // (n + 1))] if len(hs) > rnd else None
            q = question_for(name, pick, provision_of, source) if pick else ""
            if q and q not in out:
                out.append(q)
        rnd += 1
    return tuple(out)


class WelcomeCache:
    """The first screen, rebuilt only when the library changes (new, changed or removed documents)."""

    def __init__(self, index, assistant=None):
        self.index, self.assistant = index, assistant
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._value = Welcome("", ())

    @property
    def has_examples(self) -> bool:
        return bool(self._value.examples)

    def get(self, counts: dict[str, int], chunks: int) -> Welcome:
        stamp = tuple(sorted((d.source, d.doc_hash) for d in self.index.documents()))
        with self._lock:
            if stamp == self._stamp:
                return self._value
        line = library_line(counts, chunks)
        summary = (f'<div class="lx-welcome"><b>In the library:</b> {esc(line)}. Every answer quotes these '
                   "documents and cites each sentence.</div>") if line else ""
        value = Welcome(summary, example_questions(self.index, self.assistant) if line else ())
        with self._lock:
            self._stamp, self._value = stamp, value
        return value
