"""The provision tree of a document's text: where each citable unit starts and what a lawyer calls it.

    markers = find_markers(doc)   # hard markers start units (Article 6, Annex I, Preamble, a heading);
                                  # soft markers start subdivisions (paragraph 3, point a, Recital 19)

Units: Preamble (with numbered recitals), Part / Title / Chapter / Section, Article N (Arabic or Roman,
line-start or run inline in derived renderings), Schedule and its paragraphs, Annex / Appendix, footnote
regions the loader found, and plain headings where a document has no legal units. Articles must come in
order: a candidate that breaks the sequence is a cross-reference or a table row, not a heading; a sequence
that starts again at 1 is a further instrument in the same file ("Protocol, Article IX"). Paragraphs are
an article's first-level subdivisions in the style the article uses first (1. / (1) / (a) / a) / A.),
again in sequence.

Nothing here knows a topic, an instrument or a country: the patterns are drafting conventions.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from ingest.legal_lines import (ARTICLE, ARTICLE_INLINE, FIRST_INLINE, GROUPS_INLINE, INSTRUMENT_NAME, PARA_INLINE,
                                 PARA_LINE, PREAMBLE, REFERENCE_WORDS, SCHEDULE_PARAGRAPH, SENTENCE_END, article_word,
                                 continues, is_heading_line, legal_label, next_label, number_value, roman_value,
                                 split_lines)
from ingest.records import Document

__all__ = ["Marker", "find_markers", "legal_label", "number_value", "roman_value"]

PREAMBLE_MIN_WORDS = 30
HEADING_SHARE = 0.75  # a plain heading line is shorter than this share of the median prose line


@dataclass(frozen=True)
class Marker:
    """Where a unit starts. Hard markers start a unit the chunker never crosses; `label` is its citable
    name. Soft markers start a subdivision of the unit they fall in; `label` is the subdivision's own
    ("3", "a", "F", or "Recital 19" inside a preamble)."""

    start: int
    end: int  # end of the marker's heading line (or of "Article 33" when it runs inline)
    label: str
    kind: str  # heading | Preamble | Part | Chapter | Title | Section | Article | Paragraph | Schedule | Annex |
    #            footnote | resume (the body after a footnote) | paragraph | recital
    hard: bool


# ---- the tree -------------------------------------------------------------------------------------------

@dataclass
class _Article:
    start: int
    end: int
    word: str
    number: str
    value: int
    instrument: int
    strong: bool


# a signatory's initial and surname in capitals, alone on its line: "A. SHATTER", "M. SCHULZ"
_SIGNATURE = re.compile(r"^[A-Z]\.\s+[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+){0,2}\s*$")


def find_markers(doc: Document) -> list[Marker]:
    return _Tree(doc).markers()


class _Tree:
    def __init__(self, doc: Document):
        self.doc, self.text = doc, doc.text
        self.lines = split_lines(doc.text)
        self.loader_headings = {h.start: h for h in doc.headings}
        self.line_at = {ln.start: i for i, ln in enumerate(self.lines)}
        self.line_ends = [ln.end for ln in self.lines]

    def markers(self) -> list[Marker]:
        articles = self._articles()
        groups = self._groups(articles)
        names = self._instrument_names(articles)
        hard: list[Marker] = []
        for a in articles:
            prefix = names.get(a.instrument, "")
            label = f"{a.word} {a.number}"
            hard.append(Marker(a.start, a.end, f"{prefix}, {label}" if prefix else label, "Article", True))
        hard.extend(groups)
        hard.extend(self._footnotes())
        hard.sort(key=lambda m: m.start)
        hard = self._dedupe(hard)
        first_unit = next((m.start for m in hard if m.kind not in ("heading", "footnote", "resume")), None)
        hard.extend(self._preamble(hard, first_unit))
        hard.extend(self._plain_headings(hard, first_unit))
        hard.sort(key=lambda m: m.start)
        hard = self._dedupe(hard)
        soft = self._subdivisions(hard)
        return sorted(hard + soft, key=lambda m: (m.start, not m.hard))

    # ---- articles ---------------------------------------------------------------------------------------
    def _article_candidates(self) -> list[_Article]:
        out: list[_Article] = []
        for i, ln in enumerate(self.lines):
            line = ln.text
            heading = self.loader_headings.get(ln.start)
            m = ARTICLE.match(line)
            if m and not m.group(3) and legal_label(line) and (heading or not self._wrapped(i)):
                number = " ".join(m.group(2).split())
                value = number_value(number)
                if value is not None:
                    out.append(_Article(ln.start, ln.end, article_word(m.group(1)), number, value, 0, True))
        strong = {a.start for a in out}
        for m in ARTICLE_INLINE.finditer(self.text):
            s = m.start()
            if s in strong or s in self.line_at or not self._inline_heading_context(s):
                continue
            number = m.group(2)
            value = number_value(number)
            if value is not None:
                out.append(_Article(s, m.end(), article_word(m.group(1)), number, value, 0, False))
        out.sort(key=lambda a: a.start)
        return out

    def _inline_heading_context(self, pos: int) -> bool:
        """An article heading run into the text follows a sentence end or a heading, never a word that
        introduces a reference ("referred to in Article 6 ...")."""
        before = self.text[max(0, pos - 40):pos].split()
        return not before or before[-1].lower().strip("(,") not in REFERENCE_WORDS

    def _after_sentence(self, pos: int) -> bool:
        return self.text[max(0, pos - 3):pos].rstrip().endswith((".", ":", ";"))

    def _wrapped(self, i: int) -> bool:
        """True when line i is the wrapped end of a long prose line before it ("... referred to in\\nArticle 4")."""
        if i == 0:
            return False
        prev, ln = self.lines[i - 1], self.lines[i]
        if self.text[prev.end:ln.start].count("\n") >= 2:
            return False
        rest = ln.text.split(None, 2)[2:]
        words = prev.text.split()
        # a long prose line, or one of any length ending in a word that introduces a reference ("… as referred to in")
        reference = bool(words) and words[-1].lower() in REFERENCE_WORDS
        return continues(prev.text) and (len(prev.text) > 60 or reference) and (not rest or rest[0] in (".", ",", ";", ":"))

    def _articles(self) -> list[_Article]:
        """Candidates that keep the sequence: strong (own line) ones may skip a few numbers or restart at 1
        (a further instrument); inline ones must be exactly the next number."""
        last: dict[str, int] = {}
        instrument: dict[str, int] = {}
        accepted: list[_Article] = []
        for a in self._article_candidates():
            family = a.word.lower()
            prev = last.get(family)
            if prev is None:
                ok = a.strong or a.value == 1
            elif a.strong:
                ok = prev < a.value <= prev + 5 or (a.value == prev and a.number[-1:].isalpha()) or \
                    (a.value == 1 and prev >= 2)
            else:  # inline: the next number, or one or two further after a sentence end (a number lost)
                ok = a.value == prev + 1 or (prev + 1 < a.value <= prev + 3 and self._after_sentence(a.start))
            if not ok:
                continue
            if prev is not None and a.value == 1 and prev >= 2:
                instrument[family] = instrument.get(family, 0) + 1
            a.instrument = instrument.get(family, 0)
            last[family] = a.value
            accepted.append(a)
        return accepted

    def _instrument_names(self, articles: list[_Article]) -> dict[int, str]:
        """When a file holds several instruments: what each calls itself ("the present Protocol")."""
        ids = sorted({a.instrument for a in articles})
        if len(ids) < 2:
            return {}
        names: dict[int, str] = {}
        for k in ids:
            own = [a for a in articles if a.instrument == k]
            nxt = [a for a in articles if a.instrument > k]
            span = self.text[own[0].start:(nxt[0].start if nxt else len(self.text))][:40000]
            counts = Counter(m.group(1) for m in INSTRUMENT_NAME.finditer(span))
            names[k] = counts.most_common(1)[0][0] if counts else f"Instrument {k + 1}"
        seen: Counter = Counter()
        for k in ids:
            seen[names[k]] += 1
            if seen[names[k]] > 1:
                names[k] = f"{names[k]} ({seen[names[k]]})"
        return names

    # ---- parts, chapters, schedules, annexes ------------------------------------------------------------
    def _groups(self, articles: list[_Article]) -> list[Marker]:
        out: list[Marker] = []
        article_lines = {a.start for a in articles}
        in_schedule = ""
        last_para = 0
        for i, ln in enumerate(self.lines):
            if ln.start in article_lines:
                in_schedule = ""
                continue
            legal = legal_label(ln.text)
            if legal and legal[0] != "Article" and not self._wrapped(i):
                kind, label = legal
                out.append(Marker(ln.start, self._with_title(i), label, kind, True))
                in_schedule = label if kind == "Schedule" else ""
                last_para = 0
                continue
            if in_schedule and (m := SCHEDULE_PARAGRAPH.match(ln.text)):
                value = int(m.group(1))
                if value == last_para + 1:
                    out.append(Marker(ln.start, ln.end, f"{in_schedule}, paragraph {value}", "Paragraph", True))
                    last_para = value
                continue
            heading = self.loader_headings.get(ln.start)
            if (heading and PREAMBLE.match(heading.text)) or (not self.doc.headings and PREAMBLE.fullmatch(ln.text)):
                out.append(Marker(ln.start, ln.end, "Preamble", "Preamble", True))
        # chapter and section headings run inline with the text (derived renderings)
        seen = {m.start for m in out}
        for m in GROUPS_INLINE.finditer(self.text):
            line_start = self.text.rfind("\n", 0, m.start()) + 1
            if m.start() == line_start or m.start() in seen:
                continue
            if not self.text[max(0, m.start() - 3):m.start()].rstrip().endswith((".", ":", ";")):
                continue
            out.append(Marker(m.start(), m.end(), f"{m.group(1).capitalize()} {m.group(2)}", m.group(1).capitalize(), True))
        return out

    def _with_title(self, i: int) -> int:
        """End of a unit heading and its title line ("CHAPTER II" + "GENERAL PRINCIPLES")."""
        end = self.lines[i].end
        if i + 1 < len(self.lines):
            nxt = self.lines[i + 1]
            if len(nxt.text.split()) <= 14 and not nxt.text.endswith(SENTENCE_END) and not legal_label(nxt.text):
                end = nxt.end
        return end

    def _footnotes(self) -> list[Marker]:
        """Each footnote region, and where the body text resumes after it ("resume": the next page's text goes
        on with the provision the footnote interrupted, not with the footnote). The footnotes come first, so a
        footnote that starts where the one before it ends keeps its own marker."""
        notes = [r for r in self.doc.regions if r.kind == "footnote"]
        return ([Marker(r.start, r.start, r.label or "Footnote", "footnote", True) for r in notes]
                + [Marker(r.end, r.end, "", "resume", True) for r in notes if r.end < len(self.text)])

    def _preamble(self, hard: list[Marker], first_unit: int | None) -> list[Marker]:
        """Text before the first legal unit of a legal text is its preamble (title lines included); when the
        text heads its preamble itself, what comes before it (an introductory note, a final act) is front matter."""
        if first_unit is None or not self.text[:first_unit].strip():
            return []
        if any(m.kind == "Preamble" for m in hard):
            first = min(m.start for m in hard if m.kind == "Preamble")
            if first > 0 and len(self.text[:first].split()) >= PREAMBLE_MIN_WORDS and any(m.kind == "Article" for m in hard):
                return [Marker(0, 0, "Front matter", "heading", True)]
            return []
        if len(self.text[:first_unit].split()) < PREAMBLE_MIN_WORDS:  # a title only: it heads the first unit
            return [Marker(0, first_unit, "", "heading", True)]
        if not any(m.kind in ("Article", "Section") for m in hard):
            return []
        return [Marker(0, 0, "Preamble", "Preamble", True)]

    def _plain_headings(self, hard: list[Marker], first_unit: int | None) -> list[Marker]:
        """Loader headings and heading-like lines, where they are not inside a legal unit: a legal text's
        structure comes from its units, and inside an article a short line is its title or a wrapped line."""
        out: list[Marker] = []
        detect_plain = not self.doc.headings
        has_legal = first_unit is not None
        bounds = {m.start for m in hard}
        for i, ln in enumerate(self.lines):
            if has_legal and ln.start >= first_unit:
                break
            if ln.start in bounds:
                continue
            heading = self.loader_headings.get(ln.start)
            if heading:
                out.append(Marker(ln.start, ln.end, heading.text, "heading", True))
                continue
            if not detect_plain:
                continue
            prev = None if i == 0 or self.text[self.lines[i - 1].end:ln.start].count("\n") >= 2 else self.lines[i - 1].text
            nxt = self.lines[i + 1].text if i + 1 < len(self.lines) else None
            if is_heading_line(ln.text, prev, nxt) and len(ln.text) <= HEADING_SHARE * self.line_width():
                out.append(Marker(ln.start, ln.end, ln.text, "heading", True))
        if has_legal:
            # before the first unit, a heading right at the top is the title, not a section of its own; the
            # loader's headings there are the title block's (a title, its translation), part of the preamble
            out = [m for m in out if m.start > 0 and m.start not in self.loader_headings]
            if any(m.kind == "Preamble" and m.start == 0 for m in hard):
                out = []  # the title block and the preamble are one unit
        return out

    def line_width(self) -> float:
        """The median length of the text's prose lines: a PDF's wrapped line is about this long, a heading shorter."""
        if not hasattr(self, "_width"):
            prose = sorted(len(ln.text) for ln in self.lines if len(ln.text.split()) >= 5)
            self._width = prose[len(prose) // 2] if prose else 120.0
        return self._width

    @staticmethod
    def _dedupe(markers: list[Marker]) -> list[Marker]:
        out: list[Marker] = []
        for m in markers:
            if out and out[-1].start == m.start:
                if out[-1].kind == "heading" and m.kind != "heading":
                    out[-1] = m
                continue
            out.append(m)
        return out

    # ---- paragraphs, points, recitals -------------------------------------------------------------------
    def _subdivisions(self, hard: list[Marker]) -> list[Marker]:
        out: list[Marker] = []
        bounds = [m.start for m in hard] + [len(self.text)]
        # a statute without articles is divided into sections, which then take the articles' place
        article_kind = "Article" if any(m.kind == "Article" for m in hard) else "Section"
        for k, unit in enumerate(hard):
            start, end = unit.start, bounds[k + 1]
            if unit.kind == article_kind:
                out.extend(self._paragraphs(start, end, unit.end))
            elif unit.kind == "Preamble":
                out.extend(self._recitals(start, end))
        return out

    def _candidates(self, start: int, end: int, inline: bool) -> list[tuple[int, int, str, str]]:
        """(pos, line_end, style, label) of paragraph-like markers in [start, end)."""
        found: dict[int, tuple[int, int, str, str]] = {}
        first = bisect.bisect_right(self.line_ends, start)  # the first line ending after `start`
        for ln in self.lines[first:]:
            if ln.start >= end:
                break
            if _SIGNATURE.match(ln.text):
                continue  # "A. SHATTER" under "The President": who signed, not a paragraph A
            for style, pattern in PARA_LINE:
                m = pattern.match(ln.text)
                if m and ln.start >= start:
                    found.setdefault(ln.start, (ln.start, ln.end, style, m.group(1)))
                    break
        if inline:
            patterns = list(PARA_INLINE)
            for style, pattern in patterns:
                for m in pattern.finditer(self.text, start, end):
                    pos = m.start(1)
                    if not self._cross_reference(pos):
                        found.setdefault(pos, (pos, self._line_end(pos), style, m.group(1)))
            m = FIRST_INLINE.search(self.text, start, min(end, start + 200))
            if m and not self._cross_reference(m.start(1)):
                found.setdefault(m.start(1), (m.start(1), self._line_end(m.start(1)), "N.", "1"))
        return sorted(found.values())

    def _line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def _cross_reference(self, pos: int) -> bool:
        """"Article 98. 4. This": the number before the marker belongs to a reference."""
        before = self.text[max(0, pos - 30):pos].split()
        return bool(before) and before[-1].rstrip(".,;:").lower() in ("article", "articles", "paragraph", "no", "point")

    def _paragraphs(self, start: int, end: int, heading_end: int) -> list[Marker]:
        cands = [c for c in self._candidates(heading_end, end, inline=True) if c[0] >= heading_end]
        first = next((c for c in cands if c[3] in ("1", "a", "A")), None)
        if first is None:
            return []
        style = first[2]
        out: list[Marker] = []
        expected = first[3]
        for pos, line_end, st, label in cands:
            if pos < first[0] or st != style or label != expected:
                continue
            out.append(Marker(pos, line_end, label, "paragraph", False))
            expected = next_label(label)
        return out

    def _recitals(self, start: int, end: int) -> list[Marker]:
        cands = [c for c in self._candidates(start, end, inline=True) if c[2] == "(N)"]
        out: list[Marker] = []
        expected = "1"
        for pos, line_end, _style, label in cands:
            if label == expected:
                out.append(Marker(pos, line_end, f"Recital {label}", "recital", False))
                expected = next_label(label)
        return out if len(out) >= 3 else []
