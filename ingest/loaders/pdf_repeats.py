"""Text drawn twice. Some PDFs hold a run of a page's text twice, the copy right after the original with
a space or a line break between (an overprinted layer, a text box pasted over itself, fake bold), and
pypdf reads both, often cutting a word where the copy starts:

    "... processed by public authorities under this R g activities for those purposes. However,
     personal data processed by public authorities under this Regulation should ..."

    text, dropped = drop_repeats(page_text)

The copy is cut and the original kept (it has the document's line breaks); comparison ignores how
whitespace falls, since the two copies often break their lines differently. A run counts only when it
is at least MIN_CHARS long and holds MIN_WORDS words: prose never repeats a clause of that length
back to back, while "Yes Yes" or a row of dots is left alone. (A form printing the same box twice in a row
is read with the box once.)
"""

from __future__ import annotations

import re

MIN_CHARS = 30
MIN_WORDS = 5
_PROBE = 16  # characters after a separator looked up in the text before it
_WINDOW = 1500  # how far back a copy's original may start (characters, whitespace collapsed)
_WS = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def drop_repeats(text: str) -> tuple[str, int]:
    """`text` without runs that repeat the text just before them, and how many were dropped."""
    flat, at = _collapse(text)
    cuts: list[tuple[int, int]] = []  # spans of `flat` to drop: the separator and the copy
    p = flat.find(" ")
    while p != -1:
        length = _copy_before(flat, p)
        if length:
            cuts.append((p, p + 1 + length))
            p = flat.find(" ", p + 1 + length)
        else:
            p = flat.find(" ", p + 1)
    if not cuts:
        return text, 0
    out, last = [], 0
    for start, end in cuts:
        out.append(text[last:at[start]])
        last = at[end] if end < len(at) else len(text)
    out.append(text[last:])
    return "".join(out), len(cuts)


def _collapse(text: str) -> tuple[str, list[int]]:
    """`text` with every whitespace run as one space, and where each of its characters is in `text`."""
    flat: list[str] = []
    at: list[int] = []
    last = 0
    for m in _WS.finditer(text):
        flat.append(text[last:m.start()])
        at.extend(range(last, m.start()))
        flat.append(" ")
        at.append(m.start())
        last = m.end()
    flat.append(text[last:])
    at.extend(range(last, len(text)))
    return "".join(flat), at


def _copy_before(flat: str, p: int) -> int:
    """The length L when the L characters after the space at `p` repeat the L just before it, else 0."""
    probe = flat[p + 1:p + 1 + _PROBE]
    if len(probe) < _PROBE:
        return 0
    lo = max(0, p - _WINDOW)
    q = flat.rfind(probe, lo, p)
    while q != -1:
        length = p - q
        if (length >= MIN_CHARS and flat[q:p] == flat[p + 1:p + 1 + length]
                and len(_WORD.findall(flat[q:p])) >= MIN_WORDS):
            return length
        q = flat.rfind(probe, lo, q + _PROBE - 1)
    return 0
