"""Chunker: Document -> Chunks that fit the embedding window, each with section, page and char span.

Structure first (ingest/structure.py): a chunk never crosses an Article/Section/Chapter/Part/Schedule
or heading boundary. Within a section, paragraphs are packed to ~TARGET_WORDS; a paragraph that is too
long is split at sentences, a sentence that is too long at clause punctuation or words. Every chunk
is an exact slice: `doc.text[chunk.start:chunk.end] == chunk.text` (nothing invented is prepended).
No chunk exceeds MAX_TOKENS word pieces of all-MiniLM-L6-v2, [CLS]/[SEP] included (the model
silently truncates longer input). Counting uses the model's own tokenizer.json (no model load).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ingest.records import Chunk, Document, chunk_id
from ingest.structure import Marker, find_markers
from ingest.tokens import WordPieceCounter, default_counter

CHUNKER_VERSION = "3"  # 3: provision tree (paragraph ranges, recitals, instruments), languages
TARGET_WORDS = 150
MAX_WORDS = 180
MIN_WORDS = 40  # a section's last piece smaller than this joins the one before when it fits
MAX_TOKENS = 256  # all-MiniLM-L6-v2 max_seq_length, special tokens included
_ABBREVIATIONS = {"art", "arts", "no", "nos", "para", "paras", "e.g", "i.e", "etc", "cf", "mr", "mrs", "ms",
                  "dr", "st", "vs", "v", "inc", "ltd", "co", "sec", "ch", "p", "pp", "vol", "ibid", "doc",
                  "res", "op", "cit", "al", "fig", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                  "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u"}
_SENTENCE_GAP = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_CLAUSE_END = (",", ";", ":", "—", "–")


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    para: str = ""  # the first-level subdivision the unit belongs to ("3", "a", "19" for a recital)
    sealed: bool = False  # cut inside a word: its pieces are not additive, so never packed with others
    language: str = ""


@dataclass(frozen=True)
class _Section:
    start: int
    end: int
    label: str
    kind: str
    units: list
    heading: str = ""  # "Article 33 Prohibition of expulsion or return": embedded with chunks that lack it


def group_label(label: str, kind: str, paras: Sequence[str]) -> str:
    """The citable label of a chunk: "Article 6(3)", "Article 6(1)–(3)", "Recital 19", "Recitals 18–20"."""
    paras = [p for p in paras if p]
    if not paras:
        return label
    first, last = paras[0], paras[-1]
    if kind == "Preamble":
        return f"Recital {first}" if first == last else f"Recitals {first}–{last}"
    return f"{label}({first})" if first == last else f"{label}({first})–({last})"


def chunk(doc: Document, counter: WordPieceCounter | None = None, max_tokens: int = MAX_TOKENS,
          target_words: int = TARGET_WORDS, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Chunks in document order. `counter` counts word pieces (default: the shipped model's tokenizer)."""
    return _Chunker(doc, counter or default_counter(), max_tokens, target_words, max_words).run()


class _Chunker:
    def __init__(self, doc: Document, counter: WordPieceCounter, max_tokens: int, target: int, max_words: int):
        self.doc, self.text = doc, doc.text
        self.max_tokens, self.target, self.max_words = max_tokens, target, max_words
        self.base_budget = self.budget = max_tokens - counter.specials
        self.count_tokens = lambda text: sum(counter.count_words(text.split()))
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", self.text)]
        self.word_starts = [s for s, _ in spans]
        self.word_ends = [e for _, e in spans]
        counts = counter.count_words([self.text[s:e] for s, e in spans])
        self.prefix = [0]
        for c in counts:
            self.prefix.append(self.prefix[-1] + c)
        self.word_tokens = counts

    # ---- measuring spans ---------------------------------------------------------------------------
    def _words(self, start: int, end: int) -> tuple[int, int]:
        return bisect.bisect_left(self.word_starts, start), bisect.bisect_left(self.word_starts, end)

    def tokens(self, start: int, end: int) -> int:
        i, j = self._words(start, end)
        return self.prefix[j] - self.prefix[i]

    def nwords(self, start: int, end: int) -> int:
        i, j = self._words(start, end)
        return j - i

    def fits(self, start: int, end: int) -> bool:
        return self.tokens(start, end) <= self.budget and self.nwords(start, end) <= self.max_words

    # ---- structure -> sections -> units ------------------------------------------------------------
    def run(self) -> list[Chunk]:
        out: list[Chunk] = []
        seen: dict[str, int] = {}
        for section in self._sections():
            for group in self._pack(section.units):
                start, end = self._trim(group[0].start, group[-1].end)
                if start >= end:
                    continue
                label = group_label(section.label, section.kind, [u.para for u in group])
                text = self.text[start:end]
                context = section.heading if section.heading and start > section.start + 2 else ""
                n = seen.get(context + text, 0)
                seen[context + text] = n + 1
                span = self.doc.span_at(start)
                out.append(Chunk(chunk_id(self.doc.source, f"{context}\n{text}" if context else text, n), text,
                                 self.doc.source, self.doc.title,
                                 span.page if span else None, label, start, end, self.doc.source_type,
                                 self.doc.doc_hash, page_label=span.label if span else "",
                                 language=group[0].language or self.doc.language,
                                 ocr=bool(span and span.ocr), kind="footnote" if section.kind == "footnote" else "body",
                                 page_breaks=self.doc.page_breaks(start, end), context=context))
        return out

    def _sections(self):
        """One _Section per hard marker; a section with nothing but its heading ("Chapter II" and its
        title) joins the one that follows. Footnotes are labelled after the provision they follow."""
        markers = find_markers(self.doc)
        hard = [m for m in markers if m.hard]
        soft = [m for m in markers if not m.hard]  # in document order (find_markers sorts by start)
        soft_starts = [m.start for m in soft]
        if not hard or hard[0].start > 0:
            hard.insert(0, Marker(0, 0, "", "", True))
        pending: int | None = None
        last_label, last_kind, last_heading = "", "", ""  # the provision a footnote interrupts
        for k, m in enumerate(hard):
            start = m.start
            end = hard[k + 1].start if k + 1 < len(hard) else len(self.text)
            if pending is not None:
                start, pending = pending, None
            if start >= end or not self.text[start:end].strip():
                continue
            if m.kind not in ("footnote", "resume") and not self.text[m.end:end].strip() and k + 1 < len(hard) \
                    and hard[k + 1].kind not in ("footnote",):
                pending = start  # "Chapter II" + its title only: glue to the unit that follows
                continue
            label, kind = m.label, m.kind
            if kind == "resume":  # the body after a footnote: the provision it interrupted goes on
                label, kind, heading = last_label, last_kind, last_heading
            elif kind == "footnote":
                label = f"{last_label}, {m.label.lower()}" if last_label else m.label
                heading = ""
            else:
                heading = self._heading(m, label, end)
                last_label, last_kind, last_heading = label, kind, heading
            self.budget = self.base_budget - (self.count_tokens(heading) + 1 if heading else 0)
            units = self._units(start, end, soft[bisect.bisect_left(soft_starts, start):bisect.bisect_left(soft_starts, end)])
            yield from self._split_translation(_Section(start, end, label, kind, units, heading))

    def _heading(self, m: Marker, label: str, end: int) -> str:
        """A provision's label and title ("Article 33 Prohibition of expulsion or return"), short."""
        if m.kind not in ("Article", "Section", "Paragraph", "Annex", "Schedule") or not label:
            return ""
        after = self.text[m.end:end].lstrip("\n ")
        title = after.split("\n", 1)[0].strip()
        if len(title.split()) > 14 or title.endswith((".", ";", ":", ",")) or not title[:1].isalpha():
            title = ""
        return " ".join(f"{label} {title}".split()[:24])

    def _split_translation(self, section: _Section):
        """A section whose text switches language for good (a translation that follows the last article)
        ends there: the rest is not part of that provision. It is labelled by its own first line."""
        units = section.units
        if section.kind == "Preamble":
            return (yield section)  # a title block may open in another language; it still heads the preamble
        for k in range(2, len(units)):
            if units[k].language and all(u.language == units[k].language for u in units[k:]) \
                    and units[k - 1].language != units[k].language and units[0].language != units[k].language:
                head = self.text[units[k].start:units[k].end]
                label = " ".join(head.split("\n", 1)[0].split()[:25])
                yield replace(section, end=units[k].start, units=units[:k])
                yield _Section(units[k].start, section.end, label, "heading", [replace(u, para="") for u in units[k:]])
                return
        yield section

    def _units(self, start: int, end: int, soft: Sequence[Marker]) -> list[_Unit]:
        """Paragraph-level blocks of a section, each with the subdivision it belongs to; too-long blocks
        split further at sentences, then clauses."""
        cuts = {start, end}
        for m in re.finditer(r"\n\s*\n", self.text[start:end]):
            cuts.add(start + m.end())
        for m in re.finditer(r"(?<=[.!?:;”\")])\n", self.text[start:end]):
            cuts.add(start + m.end())
        cuts.update(m.start for m in soft)
        labels = {m.start: m.label.removeprefix("Recital ") for m in soft}
        units: list[_Unit] = []
        current = ""
        points = sorted(cuts)
        for a, b in zip(points, points[1:]):
            if a in labels:
                current = labels[a]
            a, b = self._trim(a, b)
            if a < b:
                units.extend(_Unit(s, e, current, sealed) for s, e, sealed in self._split_long(a, b))
        return self._languages(units)

    def _languages(self, units: list[_Unit]) -> list[_Unit]:
        """Each unit's language (ingest/language.py when it is installed; else the document's)."""
        try:
            from ingest.language import detect_blocks
        except ImportError:
            return units
        langs = detect_blocks([self.text[u.start:u.end] for u in units], self.doc.language)
        return [replace(u, language=lang) for u, lang in zip(units, langs)]

    def _split_long(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        if self.fits(start, end):
            return [(start, end, False)]
        pieces: list[tuple[int, int, bool]] = []
        for s, e in self._sentences(start, end):
            pieces.extend([(s, e, False)] if self.fits(s, e) else self._windows(s, e))
        return pieces

    def _sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        out, s = [], start
        for m in _SENTENCE_GAP.finditer(self.text, start, end):
            before = self.text[s:m.start()].rsplit(None, 1)
            last = before[-1].rstrip(".!?\"”’)]").lower() if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
            out.append((s, m.start()))
            s = m.end()
        out.append((s, end))
        return [(a, b) for a, b in (self._trim(a, b) for a, b in out) if a < b]

    def _windows(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Cut an over-long sentence into word windows, preferring a cut after , ; : — near the end."""
        i, j = self._words(start, end)
        out: list[tuple[int, int, bool]] = []
        while i < j:
            k, tokens = i, 0
            while k < j and tokens + self.word_tokens[k] <= self.budget and k - i < self.max_words:
                tokens += self.word_tokens[k]
                k += 1
            if k == i:  # a single "word" over budget (e.g. a huge URL): take it alone, cut by chars
                out.extend(self._char_windows(self.word_starts[i], self.word_ends[i]))
                i += 1
                continue
            if k < j:
                floor = i + max(1, (k - i) * 2 // 3)
                for c in range(k - 1, floor - 1, -1):
                    if self.text[self.word_ends[c] - 1] in _CLAUSE_END:
                        k = c + 1
                        break
            out.append((self.word_starts[i], self.word_ends[k - 1], False))
            i = k
        return out

    def _char_windows(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        step = max(1, self.budget)  # a word piece spans at least one char
        return [(s, min(s + step, end), True) for s in range(start, end, step)]

    # ---- packing ------------------------------------------------------------------------------------
    def _pack(self, units: list[_Unit]) -> list[list[_Unit]]:
        """Consecutive units packed into balanced chunks that fit the window; a chunk holds one language."""
        if not units:
            return []
        start, end = units[0].start, units[-1].end
        pieces = max(math.ceil(self.nwords(start, end) / self.max_words), math.ceil(self.tokens(start, end) / self.budget))
        target = self.nwords(start, end) / max(1, pieces)  # balanced: no tiny leftover piece
        groups: list[list[_Unit]] = []
        for u in units:
            if groups and not u.sealed and not groups[-1][-1].sealed and groups[-1][-1].language == u.language:
                g = groups[-1]
                words = self.nwords(g[0].start, g[-1].end)
                lone_heading = words < 8  # a heading line never stands as a chunk of its own
                if self.fits(g[0].start, u.end) and (lone_heading or words + self.nwords(u.start, u.end) / 2 <= target * 1.1):
                    g.append(u)
                    continue
            groups.append([u])
        if len(groups) > 1 and not groups[-1][0].sealed and not groups[-2][-1].sealed \
                and groups[-1][0].language == groups[-2][-1].language \
                and self.nwords(groups[-1][0].start, groups[-1][-1].end) < MIN_WORDS \
                and self.fits(groups[-2][0].start, groups[-1][-1].end):
            groups[-2].extend(groups.pop())
        return groups

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end


def max_tokens_of(chunks: Sequence[Chunk], count: Callable[[str], int]) -> int:
    """The largest word-piece count among `chunks` (for tests and diagnostics)."""
    return max((count(c.text) for c in chunks), default=0)
