"""Where each line of a PDF page sits: pypdf's own text, split into lines, with the position and font
size of each line taken from `extract_text(visitor_text=...)`.

The text is always pypdf's (`page.extract_text()`); positions are attached only where the visitor's
pieces add up to that text, so a line without a position is simply a line we know less about.

    lines, box = read_page(page)      # [Line(text, x, y, size)], the visible page box
    rows(lines)                       # lines that share a baseline, top to bottom
    join_rows(lines)                  # "(1) H" + "as been" on one baseline -> "(1) Has been"
    reading_order(lines)              # a heading pypdf emitted after the body goes first

Character fixes that need no context happen here too (`fold`): ligatures to letters, stray cp1252
control codes to the characters they stand for.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

_LIGATURES = "".join(map(chr, range(0xFB00, 0xFB07)))  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ


def _c1(code: int) -> str | None:
    """The character a cp1252 C1 code (0x80-0x9f) stands for; None (drop it) where cp1252 has none."""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return None


_FOLD = str.maketrans({**{c: unicodedata.normalize("NFKC", c) for c in _LIGATURES},
                       **{chr(code): _c1(code) for code in range(0x80, 0xA0)}})


def fold(text: str) -> str:
    """Ligatures become their letters and stray cp1252 control codes the characters they stand for;
    nothing else changes (no NFKC on the whole text, which would also rewrite ½, ², ™ and the like)."""
    return text.translate(_FOLD)


def letter_spaced(text: str) -> bool:
    """"c o n v e n t i o n": most tokens are single characters."""
    tokens = text.split()
    return len(tokens) >= 5 and sum(len(t) == 1 for t in tokens) >= 0.8 * len(tokens)


@dataclass(frozen=True)
class Box:
    """The visible page area (CropBox), in PDF points, y upwards."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class Line:
    """One line of pypdf's page text; x/y (baseline start) and size (font size in points) are None when
    unknown (OCR'd pages, rotated text, or text pypdf added outside its visitor)."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float | None = None

    @property
    def placed(self) -> bool:
        return self.y is not None and self.size is not None


@dataclass
class PageLines:
    """A page as lines: its 1-based number, its lines in pypdf's order, its box (None if unknown)."""

    number: int
    lines: list[Line] = field(default_factory=list)
    box: Box | None = None
    ocr: bool = False
    drawn: bool = True  # the page draws images or forms (a blank page, which has nothing to OCR, does not)

    @property
    def has_text(self) -> bool:
        return any(line.text.strip() for line in self.lines)


def read_page(page) -> tuple[list[Line], Box | None]:
    """pypdf's text of `page` as lines, with positions where the visitor accounts for the text."""
    pieces: list[tuple[str, float | None, float | None, float | None]] = []
    forms: list[list[float]] = []  # the CTM at each form XObject being drawn, outermost first

    def enter(op, _args, cm, _tm) -> None:
        if op == b"Do":
            forms.append(list(cm))

    def leave(op, _args, _cm, _tm) -> None:
        if op == b"Do" and forms:
            forms.pop()

    def visit(text, cm, tm, _font, size) -> None:
        if not text:
            return
        try:
            m = _mult(tm, cm)
            for outer in reversed(forms):  # text inside a form is placed by the CTM of its Do
                m = _mult(m, outer)
            upright = abs(m[1]) < 1e-3 and abs(m[2]) < 1e-3 and m[0] > 0 and m[3] > 0
            scaled = abs(float(size)) * math.hypot(m[2], m[3])
        except (TypeError, ValueError, IndexError):
            upright, m, scaled = False, None, None
        if upright and scaled:
            pieces.append((text, m[4], m[5], scaled))
        else:
            pieces.append((text, None, None, None))

    text = page.extract_text(visitor_operand_before=enter, visitor_operand_after=leave, visitor_text=visit) or ""
    box = _box(page)
    seen = "".join(p[0] for p in pieces)
    if not text.startswith(seen) or _rotated(page):
        return [Line(fold(t)) for t in text.split("\n")], box
    lines = _lines(pieces)
    tail = text[len(seen):]
    if tail:
        rest = tail.split("\n")
        if lines and not seen.endswith("\n"):  # the tail continues the last line
            last = lines.pop()
            lines.append(Line(last.text + fold(rest[0]), last.x, last.y, last.size))
            rest = rest[1:]
        lines += [Line(fold(t)) for t in rest]
    return lines, box


def draws_images(page) -> bool:
    """Whether the page may hold a scan or outlined text: it uses an image or form XObject, an inline
    image, or a content stream longer than a few marks. A blank page does none of these."""
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects and len(xobjects.get_object()):
            return True
        contents = page.get_contents()
        if contents is None:
            return False
        raw = getattr(contents, "_data", b"") or b""  # the stream as stored: never inflate it just to look
        if len(raw) > 4096:
            return True
        data = contents.get_data()
        return b"BI" in data or len(data) > 4096
    except Exception:
        return False  # a page whose content cannot be read is not sent to OCR


def _lines(pieces) -> list[Line]:
    out: list[Line] = []
    current: list[tuple[str, float | None, float | None, float | None]] = []

    def close() -> None:
        text = fold("".join(p[0] for p in current))
        placed = [p for p in current if p[2] is not None and p[0].strip()]
        if placed and len(placed) == len([p for p in current if p[0].strip()]):
            main = max(placed, key=lambda p: len(p[0].strip()))
            out.append(Line(text, min(p[1] for p in placed), main[2], round(main[3], 2)))
        else:
            out.append(Line(text))
        current.clear()

    for text, x, y, size in pieces:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                close()
            if part:
                current.append((part, x, y, size))
    close()
    return out


def _mult(m, n) -> list[float]:
    m = [float(v) for v in m]
    n = [float(v) for v in n]
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _box(page) -> Box | None:
    try:
        crop = page.cropbox
        box = Box(float(crop.left), float(crop.bottom), float(crop.right), float(crop.top))
    except Exception:
        return None
    return box if box.width > 0 and box.height > 0 else None


def _rotated(page) -> bool:
    try:
        return int(page.get("/Rotate", 0) or 0) % 360 != 0
    except (TypeError, ValueError):
        return True


def rows(lines: list[Line], indices: list[int] | None = None) -> list[list[int]]:
    """Indices of placed lines grouped by baseline (within a third of the font size), top row first."""
    order = sorted((i for i in (indices if indices is not None else range(len(lines))) if lines[i].placed),
                   key=lambda i: -lines[i].y)
    out: list[list[int]] = []
    for i in order:
        if out and abs(lines[out[-1][0]].y - lines[i].y) <= max(1.5, 0.33 * lines[i].size):
            out[-1].append(i)
        else:
            out.append([i])
    return out


def body_size(pages: list[PageLines]) -> float | None:
    """The font size most of the document's characters are set in (to the half point)."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if line.placed:
                sizes[round(line.size * 2) / 2] += len(line.text.strip())
    return sizes.most_common(1)[0][0] if sizes else None


def reading_order(lines: list[Line]) -> list[Line]:
    """Lines pypdf emitted last but that sit above the page's first line (a page title or chapter heading
    drawn after the body) go first."""
    if len(lines) < 3 or not lines[0].placed:
        return lines
    first = lines[0]
    k = len(lines)
    while k > 1 and lines[k - 1].placed and lines[k - 1].y > first.y + 0.5 * first.size:
        k -= 1
    return lines[k:] + lines[:k] if k < len(lines) else lines


_SPACE = re.compile(r"\s")


def join_row(lines: list[Line]) -> str:
    """Pieces of one visual line (same baseline) that pypdf emitted as separate lines, joined as printed:
    directly where the piece boundary falls inside a word ("(1) H" + "as been", "Sta" + "tes"), with a
    space where a short piece is followed by a clear gap."""
    text = lines[0].text
    for prev, cur in zip(lines, lines[1:]):
        if (text and _SPACE.match(text[-1])) or (cur.text and _SPACE.match(cur.text[0])):
            text += cur.text
            continue
        width = len(prev.text.strip())
        gap = cur.x - (prev.x + 0.5 * prev.size * width) if width <= 12 else 0.0
        text += (" " if gap > 0.5 * cur.size else "") + cur.text
    return text


def join_rows(lines: list[Line]) -> list[Line]:
    """Consecutive lines on one baseline, each to the right of the last, become one line: pypdf breaks a
    line where the font or baseline shifts a little (a drop cap, small capitals), never between table
    cells or columns on the same baseline (those it joins with spaces itself)."""
    out: list[list[Line]] = []
    for line in lines:
        prev = out[-1][-1] if out else None
        if (prev is not None and prev.placed and line.placed and line.x > prev.x
                and abs(prev.y - line.y) <= max(1.5, 0.33 * line.size)):
            out[-1].append(line)
        else:
            out.append([line])
    return [group[0] if len(group) == 1 else Line(join_row(group), group[0].x, group[0].y, group[0].size)
            for group in out]
