"""Citation markers: the `[n]`, `[1, 2]`, `[3–5]` that number the context passages in an answer.

One pattern for every layer: the sentence splitter keeps markers with the sentence they follow, the
condenser and the verifier strip them, the LLM backend reads the passage numbers back out of them.
"""

from __future__ import annotations

import re

PATTERN = r"\[\d+(?:\s*[,;–-]\s*\d+)*\]"
"""One marker: `[1]`, `[1, 2]`, `[1; 3]`, `[3–5]`."""

MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
"""One marker, its numbers in group 1."""

SPACED = re.compile(r"\s*" + PATTERN)
"""One marker with the blanks before it (what stripping removes)."""

RUN = re.compile(r"(?:\s*" + PATTERN + r")+")
"""Markers one after another ("… offence. [1, 2][3]")."""


def strip_markers(text: str) -> str:
    """Drop citation markers like "[1]" or "[1, 2]"."""
    return SPACED.sub("", text).strip()


DOCUMENT = re.compile(r"[ \t]*\[\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\](?=[\s.,;:!?)]|$)")
"""A marker a document carries itself (a footnote reference, or a planted one): one to three digits, a word
boundary after it, so "[2013]" and "[1]y" stay."""

LIST_NUMBER = re.compile(r"(?m)^[ \t]*\[\d{1,2}\]\.?[ \t]+(?=\S)")
"""A marker numbering a list item at a line start in model output ("[1]. First point"), not a citation."""


def strip_document_markers(text: str) -> str:
    """`text` without the bracketed numbers a document carries ("… cases [1]." -> "… cases."): they must never
    read as Lexcite's citations, which come only from its citation records."""
    return DOCUMENT.sub("", text)
