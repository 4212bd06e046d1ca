"""Checks on text that comes from outside (command line, JSONL files, the app's API)."""

from __future__ import annotations


def is_text(value: object) -> bool:
    """A string that can be stored, printed and sent as JSON: no lone surrogates (what invalid UTF-8
    bytes on the command line, or a `\\ud800` escape in JSON, turn into)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
