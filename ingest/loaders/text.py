"""Plain text (any common encoding) and Markdown (headings kept as `Heading` records, markup removed)."""

from __future__ import annotations

import codecs
import re

from ingest.loaders._text import Extracted, TextBuilder, looks_binary, normalize
from ingest.records import RemovedLine
from lexcite.errors import LoaderError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, source: str) -> str:
    """Bytes -> str: BOMs first, then strict UTF-8, then charset-normalizer's best guess (cp1252, ...)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, source)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, source)
    if looks_binary(data):
        raise LoaderError(source, "contains NUL or control bytes, so it is binary data, not text; "
                                  "export it as a UTF-8 text file (or as PDF/DOCX) and ingest that")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        raise LoaderError(source, "is not text in any encoding recognised here; re-save it as UTF-8 text")
    return _strict(data, best.encoding, source)


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise LoaderError(source, f"looks like {encoding} text but does not decode as it; re-save it as UTF-8") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def read_text(data: bytes, source: str) -> Extracted:
    return Extracted(normalize(decode(data, source)))


# ---- Markdown ---------------------------------------------------------------------------------------

# "## Title", and "##Title" as converters from treaty databases write it (two or more #, no space)
_ATX = re.compile(r"^(?:(#{1,6})\s+|(#{2,6})(?=[^#\s]))(.*?)(?:\s+#+)?\s*$")
# A lead-in glued to the text it heads: "*Preamble*The member States ...", "PreambuleThe States Parties ..."
_LEAD_EMPHASIS = re.compile(r"^[*_]{1,2}([A-Z][\w ]{1,40}?)[*_]{1,2}(?=\S)")
_LEAD_PREAMBLE = re.compile(r"^(preamble|preambule|préambule|präambel|preámbulo|preambolo)(?=[A-Z])", re.IGNORECASE)
REPEATED_NOTE_MIN = 5  # a short line repeated this often right under headings is an annotation, not text
_FENCE = re.compile(r"^(```|~~~)")
_RULE = re.compile(r"(?:[-*_=]\s*){2,}")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
)


def _plain(line: str) -> str:
    for pattern, repl in _INLINE:
        line = pattern.sub(repl, line)
    return line


def _heading(line: str, nxt: str, para: list[str]) -> tuple[int, str] | None:
    m = _ATX.match(line)
    if m:
        return len(m.group(1) or m.group(2)), m.group(3)
    if line and not para and re.fullmatch(r"=+|-{2,}", nxt) and not line.startswith(("-", "*")):
        return (1 if nxt.startswith("=") else 2), line
    return None


def _lead_in(line: str) -> tuple[str, str] | None:
    """("Preamble", "The member States ...") for a line that starts with a lead-in glued to its text."""
    m = _LEAD_EMPHASIS.match(line) or _LEAD_PREAMBLE.match(line)
    if not m:
        return None
    return (m.group(1) if m.re is _LEAD_EMPHASIS else m.group(0)).strip(), line[m.end():]


def _repeated_notes(lines: list[str]) -> set[str]:
    """Short lines that recur many times, nearly always as the first paragraph under a heading: status
    annotations of the database the file came from (e.g. a note on entry into force), not the text."""
    after_heading: dict[str, int] = {}
    total: dict[str, int] = {}
    last_nonblank = ""
    for i, line in enumerate(lines):
        if not line:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _heading(line, nxt, []) is None and len(line.split()) <= 15:
            key = line.strip()
            total[key] = total.get(key, 0) + 1
            if last_nonblank and _heading(last_nonblank, line, []) is not None:
                after_heading[key] = after_heading.get(key, 0) + 1
        last_nonblank = line
    return {k for k, n in total.items() if n >= REPEATED_NOTE_MIN and after_heading.get(k, 0) >= 0.8 * n}


def read_markdown(data: bytes, source: str) -> Extracted:
    lines = normalize(decode(data, source)).split("\n")
    if lines and lines[0] == "---" and "---" in lines[1:]:  # YAML front matter
        lines = lines[lines.index("---", 1) + 1:]
    notes = _repeated_notes(lines)
    removed = tuple(RemovedLine(None, n, "repeated-note") for n in sorted(notes))
    b = TextBuilder()
    para: list[str] = []
    title = ""
    in_code = False

    def flush() -> None:
        if para:
            b.block("\n".join(para))
            para.clear()

    for i, line in enumerate(lines):
        if _FENCE.match(line):
            flush()
            in_code = not in_code
            continue
        if in_code:
            para.append(line)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        heading = _heading(line, nxt, para)
        if heading:
            flush()
            level, text = heading
            b.heading(_plain(text), level)
            title = title or (_plain(text) if level == 1 else "")
        elif _RULE.fullmatch(line):
            flush()  # setext underline (already consumed) or a horizontal rule
        elif not line:
            flush()
        elif line.strip() in notes:
            flush()
        elif (lead := _lead_in(line)) and not para:
            b.heading(_plain(lead[0]), 6)
            para.append(_plain(lead[1]))
        elif not _TABLE_RULE.match(line):
            para.append(_plain(line))
    flush()
    out = b.build(title)
    out.removed = removed
    return out
