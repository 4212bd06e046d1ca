"""Words and stems (no topic knowledge).

Two stemmers, each tuned with the figures of its stage: `stem`, light (plural and verb forms), for
matching a question's words to passages (the extractive backend, the refusal policy, instrument names);
`suffix_stem`, heavier (derivational suffixes, cut to nine letters), for the verifier's word signals.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lexcite.text import stopwords

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-/]*")
STOP = stopwords.QUESTION
QUESTION_WORDS = frozenset("what which who whom whose when where why how whether".split())


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light, deterministic stemmer: enough to match plural/verb forms, not a linguist."""
    w = word.lower().replace("’", "'").strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    for suf, rep in (("mmes", "m"), ("mme", "m"), ("ies", "y"), ("sses", "ss"), ("ing", ""), ("ied", "y"),
                     ("ed", ""), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("zes", "z"), ("s", ""), ("ly", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith("ss" if suf == "s" else "\0"):
            return w[: len(w) - len(suf)] + rep
    return w


def words(text: str) -> list[str]:
    return WORD.findall(text)


def content_stems(text: str) -> list[str]:
    """Stems of the content words of `text`, in order, without repeats. A hyphenated compound also gives
    its long parts ("non-refoulement" -> "non-refoulement", "refoulement"), so it meets the plain word.
    Remembered per text (the same passages' sentences come back question after question); a fresh list."""
    return list(_content_stems(text))


@lru_cache(maxsize=8192)
def _content_stems(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for w in words(text):
        lw = w.lower()
        if lw in STOP or len(lw) < 2:
            continue
        parts = [p for p in lw.split("-") if len(p) >= 4 and p not in STOP] if "-" in lw.strip("-") else []
        for s in [stem(lw)] + [stem(p) for p in parts]:
            if s not in out:
                out.append(s)
    return tuple(out)


def stems_match(a: str, b: str) -> bool:
    """Same stem, or one a prefix of the other of 4+ letters ("link"/"linkage", "improvement"/"improve")."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def has_stem(stem_: str, stems: set[str]) -> bool:
    return stem_ in stems or any(stems_match(stem_, s) for s in stems)


def coverage(query_stems: list[str], text: str, weights: dict[str, float] | None = None) -> float:
    """Weighted share of the query's content stems found in `text` (0 when the query has none)."""
    if not query_stems:
        return 0.0
    have = set(content_stems(text))
    w = weights or {}
    total = sum(w.get(s, 1.0) for s in query_stems)
    return sum(w.get(s, 1.0) for s in query_stems if has_stem(s, have)) / total


_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ingly", "ities", "ity", "ness", "ings",
             "ing", "ies", "ied", "edly", "ed", "ly", "es", "s")


@lru_cache(maxsize=50_000)
def suffix_stem(word: str) -> str:
    """"organisations" -> "organis", "increased" -> "increas": the verifier's stems (assistant/verify/lexical.py)."""
    w = word.lower().replace("'", "")
    if w.endswith("n't"):
        w = w[:-3]
    for suf in _SUFFIXES:
        if len(w) - len(suf) >= 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w[:9]
