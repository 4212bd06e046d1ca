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
