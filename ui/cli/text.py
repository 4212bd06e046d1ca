"""Words the CLI prints: counts with their plural forms, snippets cut at word boundaries."""

from __future__ import annotations

from lexcite.errors import ConfigError
from lexcite.text import is_text

IRREGULAR = {"query": "queries", "entry": "entries"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 document", "2 documents", "0 documents" ("1 query", "3 queries")."""
    return f"{n} {word if n == 1 else many or IRREGULAR.get(word) or word + 's'}"


def snippet(text: str, limit: int = 200) -> str:
    """`text` on one line, at most `limit` characters, cut after a whole word and ended with "…" when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in cut:  # the limit falls inside a word: drop that word
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def check_question(question: object, where: str = "the question") -> str:
    """The question as typed, or ConfigError when it is empty or not valid text."""
    if not isinstance(question, str) or not question.strip():
        raise ConfigError(f"{where} must be non-empty text")
    if not is_text(question):
        raise ConfigError(f"{where} is not valid text (invalid UTF-8 bytes or a lone surrogate); retype it as UTF-8")
    return question
