"""Running headers, footers and page numbers, found by where a line sits and how it repeats; and the
page label each page prints.

A line is running when it is one of the outermost rows in the top or bottom tenth of the page box and
  * it is a page number ("14", "Page 14", "14 / 88", "14 15" for two printed pages, "xii") that agrees
    with the page numbers of the other pages, or
  * its digit-masked form ("EN L 180/## Official Journal") repeats at that edge on other pages, a wide
    gap sets it apart from the body, and it carries the page number, is letter-spaced, or repeats on a
    good share of the pages.
A heading such as "Article 5" repeats as "Article #" at the top of pages but runs into the body below
it, so it stays. A line of three or more words that carries the page number and repeats is running even
without a gap (renderings that set the footer as one more line of body text).

Running lines that carry the page number are then also cut where a renderer ran them into a body line
("... Member States. 4.5.2016 L 119/1 EN (1) OJ C ..."): the same words with that page's number.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ingest.loaders.pdf_layout import Line, PageLines, letter_spaced, rows
from ingest.records import RemovedLine

BAND = 0.10  # the top and bottom tenth of the page box
EDGE_ROWS = 3  # at most this many rows at each edge can be running
WIDE_GAP = 2.5  # a gap of 2.5 line pitches sets a line apart from the body

_ROMAN = re.compile(r"(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.IGNORECASE)
_PAGE_WORD = re.compile(r"(?:page|p\.|pg\.?|seite|pagina|página|blz\.?)\s*(\d{1,5})"
                        r"(?:\s*(?:of|/|von|de|di)\s*\d{1,5})?", re.IGNORECASE)
_BARE = re.compile(r"[-–—(\[]?\s*(\d{1,5})\s*[-–—)\]]?")
_OF = re.compile(r"(\d{1,5})\s*(?:/|of|von|de|di)\s*(\d{1,5})", re.IGNORECASE)
_TWO = re.compile(r"(\d{1,5})\s+(\d{1,5})")
_INT = re.compile(r"(?<!\d)\d{1,5}(?!\d)")


@dataclass(frozen=True)
class Cut:
    """Characters [start, end) of line `line` of a page are running text."""

    line: int
    start: int
    end: int
    reason: str  # header | footer | page-number


@dataclass
class Running:
    """What `find_running` found: cuts per page number and the printed label of each page that has one."""

    cuts: dict[int, list[Cut]] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Slot:
    page: int
    line: int
    zone: str  # header | footer
    depth: int  # 0 = the outermost row
    gap: bool  # a wide gap lies between this row and the body
    placed: bool
    text: str
    size: float | None

    @property
    def key(self) -> str:
        return mask(self.text)


def mask(text: str) -> str:
    """Digits become #, case and spacing are ignored (so a letter-spaced header matches itself)."""
    return re.sub(r"\s+", "", re.sub(r"\d", "#", text.lower()))


def page_number(text: str) -> str | None:
    """The printed page number if the whole line is one ("14", "- 14 -", "Page 14 of 88", "14 / 88",
    "14 15" for two printed pages, "xii"), else None."""
    text = " ".join(text.split())
    if m := _BARE.fullmatch(text):
        return m.group(1)
    if m := _PAGE_WORD.fullmatch(text):
        return m.group(1)
    if (m := _OF.fullmatch(text)) and int(m.group(1)) <= int(m.group(2)):
        return m.group(1)
    if (m := _TWO.fullmatch(text)) and int(m.group(2)) == int(m.group(1)) + 1:
        return f"{m.group(1)}-{m.group(2)}"
    if len(text) <= 6 and _ROMAN.match(text) and text == text.strip() and (text.islower() or text.isupper()):
        return text
    return None


def _ints(text: str) -> set[int]:
    return {int(n) for n in _INT.findall(text)}


def find_running(pages: list[PageLines]) -> Running:
    """Cuts and labels for every page."""
    slots = [s for page in pages for s in _edge_slots(page)]
    text_pages = sum(page.has_text for page in pages) or 1
    reps: dict[tuple[str, str], set[int]] = defaultdict(set)
    for s in slots:
        reps[(s.zone, s.key)].add(s.page)
    k = _offset(slots, reps)
    many = max(2, math.ceil(0.3 * text_pages))
    # where no page has positions (all OCR'd), a line repeated at the same edge of most pages is running
    most = max(3, math.ceil(0.6 * text_pages)) if not any(s.placed for s in slots) else math.inf
    out = Running()
    accepted: list[tuple[_Slot, str]] = []
    placed_keys: set[tuple[str, str]] = set()
    for s in sorted(slots, key=lambda s: not s.placed):  # placed slots first: unplaced ones match their keys
        reason = _judge(s, len(reps[(s.zone, s.key)]), k, many, most, placed_keys)
        if reason:
            accepted.append((s, reason))
            if s.placed and reason != "page-number":
                placed_keys.add((s.zone, s.key))
    by_number = {p.number: p for p in pages}
    for s, reason in accepted:
        out.cuts.setdefault(s.page, []).append(Cut(s.line, 0, len(by_number[s.page].lines[s.line].text), reason))
    out.labels = _labels(accepted, k)
    if k is not None:
        _inline(pages, accepted, k, out)
    return out


def _edge_slots(page: PageLines) -> list[_Slot]:
    """The lines of the outermost rows at the top and bottom of the page that could be running."""
    nonblank = [i for i, line in enumerate(page.lines) if line.text.strip()]
    if page.box is None or not any(page.lines[i].placed for i in nonblank):
        return _ranked_slots(page, nonblank)
    lines, box = page.lines, page.box
    rs = rows(lines, nonblank)
    ys = [lines[r[0]].y for r in rs]
    steps = [a - b for a, b in zip(ys, ys[1:]) if a - b > 0.5]
    pitch = sorted(steps)[len(steps) // 4] if steps else 12.0  # line spacing inside paragraphs
    top = _take(rs, lambda r: lines[r[0]].y >= box.top - BAND * box.height)
    bottom = [r for r in _take(rs[::-1], lambda r: lines[r[0]].y <= box.bottom + BAND * box.height)
              if r not in top]
    out = []
    for zone, edge, ordered in (("header", top, ys), ("footer", bottom, ys[::-1])):
        for depth, r in enumerate(edge):
            inward = ordered[depth:len(edge) + 1]  # this row to the first row of the body
            gap = any(abs(a - b) >= WIDE_GAP * pitch for a, b in zip(inward, inward[1:]))
            gap = gap or len(edge) == len(rs)  # the page holds nothing else
            out += [_Slot(page.number, i, zone, depth, gap, True, lines[i].text, lines[i].size) for i in r]
    return out


def _take(rs: list[list[int]], inside) -> list[list[int]]:
    out = []
    for r in rs[:EDGE_ROWS]:
        if not inside(r):
            break
        out.append(r)
    return out


def _ranked_slots(page: PageLines, nonblank: list[int]) -> list[_Slot]:
    """Without positions (OCR'd text): the first and last two lines."""
    head, tail = nonblank[:2], [i for i in nonblank[-2:][::-1] if i not in nonblank[:2]]
    return ([_Slot(page.number, i, "header", d, False, False, page.lines[i].text, None) for d, i in enumerate(head)]
            + [_Slot(page.number, i, "footer", d, False, False, page.lines[i].text, None) for d, i in enumerate(tail)])


def _offset(slots: list[_Slot], reps) -> int | None:
    """The printed-minus-PDF page number that edge lines repeating across pages agree on: an offset
    counts for a group of lines with the same masked text when it holds on every page of the group.
    Short lines that run into the body ("Article 5" at the top of page 5) have no say."""
    groups: dict[tuple[str, str], dict[int, set[int]]] = defaultdict(dict)
    for s in slots:
        if len(reps[(s.zone, s.key)]) >= 2 and (s.gap or len(s.text.split()) >= 3 or page_number(s.text)):
            found = groups[(s.zone, s.key)].setdefault(s.page, set())
            found |= {n - s.page for n in _ints(s.text)}
    votes: Counter[int] = Counter()
    for by_page in groups.values():
        for k in set.intersection(*by_page.values()):
            votes[k] += len(by_page)
    if not votes:
        return None
    k, n = votes.most_common(1)[0]
    return k if n >= 2 else None


def _judge(s: _Slot, reps: int, k: int | None, many: int, most: float, placed_keys: set) -> str | None:
    if not s.text.strip():
        return None
    label = page_number(s.text)
    if label is not None:  # agrees with the other pages' numbers, or stands alone at the very edge
        if label.isdigit() and k is not None and int(label) == s.page + k:
            return "page-number"
        return "page-number" if s.depth == 0 and (s.gap or k is None or not label.isdigit()) else None
    if not s.placed:
        return s.zone if (s.zone, s.key) in placed_keys or reps >= most else None
    tracking = k is not None and (s.page + k) in _ints(s.text)
    if reps >= 2 and s.gap and (tracking or letter_spaced(s.text) or reps >= many):
        return s.zone
    if reps >= 2 and tracking and len(s.text.split()) >= 3:  # a page-numbered line with no gap (GDPR-style)
        return s.zone
    return None


def _labels(accepted: list[tuple[_Slot, str]], k: int | None) -> dict[int, str]:
    numbers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for s, reason in accepted:
        if reason == "page-number":
            numbers[s.page].append((s.depth, page_number(s.text) or ""))
        elif k is not None and s.page + k in _ints(s.text):
            numbers[s.page].append((s.depth + 10, str(s.page + k)))
    out = {}
    for page, found in numbers.items():
        found.sort()
        labels = [lab for _, lab in found if lab]
        digits = sorted({int(lab) for lab in labels if lab.isdigit()})
        if len(digits) == 2 and digits[1] == digits[0] + 1:
            out[page] = f"{digits[0]}-{digits[1]}"
        elif labels:
            out[page] = labels[0]
    return out


def _inline(pages: list[PageLines], accepted: list[tuple[_Slot, str]], k: int, out: Running) -> None:
    """Cut running lines that carry the page number wherever the same words recur inside a line."""
    templates: dict[str, str] = {}
    for s, reason in accepted:
        if reason != "page-number" and s.placed and (s.page + k) in _ints(s.text):
            tokens = s.text.split()
            if len(tokens) < 3:
                continue
            n = str(s.page + k)
            parts = [re.escape(t) for t in tokens]
            for j in range(len(tokens) - 1, -1, -1):
                if re.search(rf"(?<!\d){n}(?!\d)", tokens[j]):
                    pre, _, post = tokens[j].rpartition(n) if tokens[j].endswith(n) else tokens[j].partition(n)
                    parts[j] = re.escape(pre) + r"(\d{1,5})" + re.escape(post)
                    break
            templates[r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"] = s.zone
    compiled = [(re.compile(p), zone) for p, zone in templates.items()]
    for page in pages:
        starts, at = [], 0
        for line in page.lines:
            starts.append(at)
            at += len(line.text) + 1
        text = "\n".join(line.text for line in page.lines)
        for pattern, zone in compiled:
            for m in pattern.finditer(text):
                if int(m.group(1)) != page.number + k:
                    continue
                out.labels.setdefault(page.number, m.group(1))
                for i, begin in enumerate(starts):
                    end = begin + len(page.lines[i].text)
                    if begin < m.end() and m.start() < end:
                        out.cuts.setdefault(page.number, []).append(
                            Cut(i, max(m.start(), begin) - begin, min(m.end(), end) - begin, zone))


def apply_cuts(page: PageLines, cuts: list[Cut]) -> tuple[list[Line], list[RemovedLine]]:
    """The page's lines without the cut text, and a RemovedLine for every piece cut."""
    by_line: dict[int, list[Cut]] = defaultdict(list)
    for c in cuts:
        by_line[c.line].append(c)
    lines: list[Line] = []
    removed: list[RemovedLine] = []
    for i, line in enumerate(page.lines):
        if i not in by_line:
            lines.append(line)
            continue
        text, pieces = line.text, []
        for c in reversed(_merged(by_line[i])):
            if piece := " ".join(text[c.start:c.end].split()):
                pieces.append(RemovedLine(page.number, piece, c.reason))
            text = text[:c.start].rstrip() + (" " if c.start and text[c.end:].strip() else "") + text[c.end:].lstrip()
        removed += pieces[::-1]
        if text.strip():
            lines.append(Line(text, line.x, line.y, line.size))
    return lines, removed


def _merged(cuts: list[Cut]) -> list[Cut]:
    """Overlapping cuts of one line as one cut each, in order."""
    out: list[Cut] = []
    for c in sorted(cuts, key=lambda c: (c.start, -c.end)):
        if out and c.start <= out[-1].end:
            last = out[-1]
            out[-1] = Cut(last.line, last.start, max(last.end, c.end), last.reason)
        else:
            out.append(c)
    return out
