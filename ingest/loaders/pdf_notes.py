"""Footnotes at the foot of a PDF page, kept apart from the body.

A footnote block is a run of lines in a smaller font than the body, in the lower half of the page, whose
first line starts with a note marker ("(1)", "1", "[1]", "*", "¹"), with no body line below it in the
same column. Each marker at the block's left edge starts one note. When a page does not look like that,
its text stays where it is: a missed footnote costs less than a lost line of body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.loaders.pdf_layout import Box, Line, join_row

SMALL = 0.9  # a footnote's font is at most 90% of the body font
_MARKER = re.compile(r"\s*(?:\(\s*(\d{1,3}|[a-z]|\*{1,3})\s*\)|\[(\d{1,3})\]|(\d{1,3})(?=[\s.)\]]|[A-Z(“\"'‘])"
                     r"|([*†‡§¶]{1,3})|([¹²³⁴⁵⁶⁷⁸⁹⁰]+))")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


@dataclass(frozen=True)
class Note:
    """One footnote: its label ("Footnote 3") and its text, one printed line per line."""

    label: str
    text: str


def marker(text: str) -> str | None:
    """The footnote marker a line starts with ("3", "a", "*"), or None."""
    m = _MARKER.match(text)
    if not m:
        return None
    return next(g for g in m.groups() if g).translate(_SUPERSCRIPT)


def split_notes(lines: list[Line], box: Box | None, body: float | None) -> tuple[list[Line], list[Note]]:
    """(body lines, footnotes) of one page's lines, in order."""
    if box is None or body is None or not lines:
        return lines, []
    small = [line.placed and line.size <= SMALL * body and line.y <= box.bottom + 0.5 * box.height
             for line in lines]
    blocks: list[range] = []
    i = 0
    while i < len(lines):
        if small[i] and marker(lines[i].text):
            j, last = i + 1, i
            while j < len(lines) and (not lines[j].text.strip() or
                                      small[j] and lines[j].y <= lines[last].y + 0.5 * lines[j].size):
                last = j if lines[j].text.strip() else last
                j += 1
            blocks.append(range(i, last + 1))
            i = last + 1
        else:
            i += 1
    inside = {i for b in blocks for i in b}
    blocks = [b for b in blocks if _below_body(lines, b, inside, box, body)]
    inside = {i for b in blocks for i in b}
    noted = sum(len(lines[i].text.strip()) for i in inside)
    if not blocks or sum(len(line.text.strip()) for line in lines) - noted < 0.25 * noted:
        return lines, []  # mostly small print: a table or an annex, not a body with footnotes
    notes = [n for b in blocks for n in _notes([lines[i] for i in b])]
    return [line for i, line in enumerate(lines) if i not in inside], notes


def _below_body(lines: list[Line], block: range, inside: set[int], box: Box, body: float) -> bool:
    """No body-size line lies below the block's top in the same column."""
    top = max(lines[i].y for i in block if lines[i].placed)
    x0 = min(lines[i].x for i in block if lines[i].placed)
    for i, line in enumerate(lines):
        if i in inside or not line.placed or not line.text.strip() or line.size <= SMALL * body:
            continue
        if line.y < top - 0.3 * line.size and abs(line.x - x0) < 0.3 * box.width:
            return False
    return True


def _notes(block: list[Line]) -> list[Note]:
    """Split a footnote block into notes: pieces sharing a baseline become one line, a marker at the left
    edge starts the next note."""
    block = [line for line in block if line.placed]
    x0 = min(line.x for line in block)
    rows: list[list[Line]] = []
    for line in block:
        if rows and abs(rows[-1][-1].y - line.y) <= max(1.5, 0.33 * line.size):
            rows[-1].append(line)
        else:
            rows.append([line])
    notes: list[tuple[str, list[str]]] = []
    for row in rows:
        current = notes[-1][0] if notes else None
        texts = [(k > 0 or j > 0, text) for k, piece in enumerate(_split_row(row, current))
                 for j, text in enumerate(_split_text(join_row(piece), current))]
        for split, text in texts:
            _add(notes, text, at_edge=split or row[0].x <= x0 + 1.0)
    return [Note(f"Footnote {mark}".strip(), "\n".join(texts)) for mark, texts in notes]


def _add(notes: list[tuple[str, list[str]]], text: str, at_edge: bool) -> None:
    """A marker at the block's edge that continues the numbering starts a note; other text continues one."""
    mark = marker(text)
    if not notes or (mark is not None and at_edge and _follows(notes[-1][0], mark)):
        notes.append((mark or "", [text]))
    elif len(notes[-1][1]) == 1 and not _MARKER.sub("", notes[-1][1][0], count=1).strip():
        notes[-1][1][0] += " " + text.strip()  # a raised marker on its own baseline
    else:
        notes[-1][1].append(text)


def _split_row(row: list[Line], current: str | None) -> list[list[Line]]:
    """Split a row where a piece starts the next numbered note (short notes set side by side)."""
    first = marker(row[0].text)
    current = first or current
    out = [[row[0]]]
    for piece in row[1:]:
        mark = marker(piece.text)
        if mark and current and mark.isdigit() and current.isdigit() and int(mark) == int(current) + 1:
            out.append([piece])
            current = mark
        else:
            out[-1].append(piece)
    return out


_GAP_MARK = re.compile(r"\s{2,}(?=\(\s*(\d{1,3})\s*\)|\[(\d{1,3})\])")


def _split_text(text: str, current: str | None) -> list[str]:
    """Split a line where, after a wide space, the next numbered note starts ("( 3 ) ...  ( 4 ) ...")."""
    current = marker(text) or current
    out, start = [], 0
    for m in _GAP_MARK.finditer(text):
        number = m.group(1) or m.group(2)
        if current and current.isdigit() and int(number) == int(current) + 1:
            out.append(text[start:m.start()])
            start, current = m.end(), number
    return out + [text[start:]]


def _follows(previous: str, mark: str) -> bool:
    """A numbered marker must continue the numbering ("12 May 1926" inside note 3 is not note 12)."""
    if previous.isdigit() and mark.isdigit():
        return int(mark) == int(previous) + 1
    return True
