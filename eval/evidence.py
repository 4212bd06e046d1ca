"""Evidence as char spans, and when a passage "contains" it.

Offsets are into a document's extracted text (the same text Chunk.start/end refer to). A quote is
located by loading the named file with the ingest loader (exact match first, then ignoring
differences in whitespace, e.g. PDF line breaks); when the file is not at hand, in the indexed
chunks of that source. A quote found several times resolves to every occurrence.

Definitions (tested in tests/eval/test_evidence.py):
- a passage *matches* an evidence occurrence when they overlap by at least half of the shorter of
  the two (so a passage holding half the quote counts, and so does a short passage lying inside a
  long quote);
- an evidence is *covered* by a set of passages when their union overlaps at least half of its
  chars (one occurrence suffices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from eval.golden import Evidence, GoldenError, GoldenItem
from eval.normalise import find_normalised
from ingest.records import Chunk

MIN_OVERLAP = 0.5


class EvidenceNotFound(GoldenError):
    """An evidence quote or span that is not in the corpus text."""


@dataclass(frozen=True)
class Span:
    source: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)


def overlap(a: Span, b: Span) -> int:
    if a.source != b.source:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def matches(passage: Span, occurrences: Sequence[Span], min_overlap: float = MIN_OVERLAP) -> bool:
    """Does the passage contain the evidence (any occurrence), per the module's definition?"""
    for e in occurrences:
        shorter = min(len(e), len(passage))
        if shorter and overlap(passage, e) >= min_overlap * shorter:
            return True
    return False


def covered_fraction(passages: Iterable[Span], occurrences: Sequence[Span]) -> float:
    """Largest fraction of one evidence occurrence's chars covered by the union of the passages."""
    passages = list(passages)
    best = 0.0
    for e in occurrences:
        if not len(e):
            continue
        parts = sorted((max(p.start, e.start), min(p.end, e.end)) for p in passages if overlap(p, e))
        covered, reach = 0, e.start
        for s, t in parts:
            s = max(s, reach)
            if t > s:
                covered += t - s
                reach = t
        best = max(best, covered / len(e))
    return best


def covers(passages: Iterable[Span], occurrences: Sequence[Span], min_overlap: float = MIN_OVERLAP) -> bool:
    return covered_fraction(passages, occurrences) >= min_overlap


def _squash(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed to one space, and each kept char's original offset."""
    out, pos = [], []
    for m in re.finditer(r"\s+|\S", text):
        out.append(" " if m.group().isspace() else m.group())
        pos.append(m.start())
    return "".join(out), pos


def find_all(text: str, quote: str) -> list[tuple[int, int]]:
    """Every (start, end) of `quote` in `text`: exact matches, else whitespace-insensitive ones."""
    found, i = [], text.find(quote)
    while i >= 0 and quote:
        found.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    if found:
        return found
    q = " ".join(quote.split())
    if not q:
        return []
    squashed, pos = _squash(text)
    j = squashed.find(q)
    while j >= 0:
        last = j + len(q) - 1
        found.append((pos[j], pos[last] + 1))
        j = squashed.find(q, j + 1)
    return found


class DocumentTexts:
    """Extracted document text by source name, loaded once; locates evidence as spans."""

    def __init__(self, corpus_dir: Path, chunks_of: Callable[[str], Iterable[Chunk]] | None = None):
        self.corpus_dir = Path(corpus_dir)
        self.chunks_of = chunks_of
        self._texts: dict[str, str | None] = {}

    def path_of(self, source: str) -> Path | None:
        rel = Path(source)
        candidates = [self.corpus_dir.parent / rel, self.corpus_dir / rel]
        if len(rel.parts) > 1:
            candidates.append(self.corpus_dir.joinpath(*rel.parts[1:]))
        return next((p for p in candidates if p.is_file()), None)

    def text(self, source: str) -> str | None:
        if source not in self._texts:
            from ingest import loaders
            from lexcite.errors import LoaderError

            path = self.path_of(source)
            try:
                self._texts[source] = loaders.load(path, source).text if path else None
            except LoaderError:
                self._texts[source] = None
        return self._texts[source]

    def locate(self, ev: Evidence) -> tuple[Span, ...]:
        """Every occurrence of the evidence as a span; EvidenceNotFound says what to fix."""
        text = self.text(ev.source)
        if not ev.quote:
            if text is not None and ev.end > len(text):
                raise EvidenceNotFound(
                    f"evidence span {ev.start}:{ev.end} is past the end of {ev.source} ({len(text)} chars)")
            return (Span(ev.source, ev.start, ev.end),)
        if text is not None:
            hits = find_all(text, ev.quote)
        elif self.chunks_of is not None:
            hits = self._in_chunks(ev)
            if hits is None:
                raise EvidenceNotFound(
                    f"{ev.source} is neither under {self.corpus_dir} nor in the index; fix the source or ingest it")
        else:
            raise EvidenceNotFound(f"{ev.source} not found under {self.corpus_dir}; fix the evidence source")
        if not hits:
            raise EvidenceNotFound(
                f"quote not found verbatim in {ev.source}: \"{ev.quote[:80]}\"; copy it from the document text")
        return tuple(Span(ev.source, s, e) for s, e in hits)

    def _in_chunks(self, ev: Evidence) -> list[tuple[int, int]] | None:
        chunks = list(self.chunks_of(ev.source))
        if not chunks:
            return None
        hits: set[tuple[int, int]] = set()
        for c in chunks:  # assumes a chunk's text begins at its start offset
            hits.update((c.start + s, c.start + e) for s, e in find_all(c.text, ev.quote))
        return sorted(hits)


def locate_evidence(texts: DocumentTexts, ev: Evidence) -> tuple[Span, ...]:
    """Every occurrence of `ev` as a Span: verbatim (`DocumentTexts.locate`), else verbatim after the
    evaluation normalisation (eval/normalise.py: NFKC, soft hyphens, quotes, whitespace, line-end word
    breaks), in the document's text or, when the file is not at hand, in its indexed chunks.
    EvidenceNotFound (from the verbatim attempt) says what to fix."""
    try:
        return texts.locate(ev)
    except EvidenceNotFound:
        if not ev.quote:
            raise
        text = texts.text(ev.source)
        if text is not None:
            hits = find_normalised(text, ev.quote)
        else:
            chunks = list(texts.chunks_of(ev.source)) if texts.chunks_of is not None else []
            hits = sorted({(c.start + s, c.start + e) for c in chunks for s, e in find_normalised(c.text, ev.quote)})
        if not hits:
            raise
        return tuple(Span(ev.source, s, e) for s, e in hits)


def validate_golden(items: Sequence[GoldenItem], corpus_dir: Path) -> list[str]:
    """Problems found (empty = valid): evidence whose file is missing or whose quote is not in it (verbatim, or
    verbatim after the evaluation normalisation)."""
    texts = DocumentTexts(corpus_dir)
    problems = []
    for item in items:
        for ev in item.evidence:
            try:
                locate_evidence(texts, ev)
            except EvidenceNotFound as exc:
                problems.append(f"{item.id}: {exc}")
    return problems
