"""A statement made ready for an item, and what every item form shares (quiz/items.py, quiz/locate.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from quiz.facts import Statement
from quiz.records import QuizCitation
from quiz.stems import Standalone

N_DISTRACTORS = 3
MAX_RULE_WORDS = 32  # a rule offered as an option must read at a glance
RULE = re.compile(r"\b(?:shall|must|may not|may only|is prohibited|are prohibited|is entitled|applies|means|"
                   r"refers to|covers)\b", re.I)


@dataclass(frozen=True)
class Prepared:
    """A statement made ready for an item: the stand-alone claim, its terms, where it stands."""

    st: Statement  # text = the claim, terms relocated into it
    source: Statement
    sa: Standalone
    provision: str  # "" outside legal texts
    instrument: str
    citation: QuizCitation

    @property
    def legal(self) -> bool:
        return bool(self.provision)


def claim_text(p: Prepared) -> str:
    return p.st.text if p.sa.changed else ""


def window(text: str, key: str, width: int = 12) -> str:
    """The source's words around `key` (the whole sentence when it is short)."""
    words = text.split()
    if len(words) <= 2 * width:
        return text.strip().rstrip(".")
    i = text.find(key) if key else 0
    at = len(text[: max(0, i)].split())
    lo, hi = max(0, at - width), min(len(words), at + width)
    return ("… " if lo else "") + " ".join(words[lo:hi]).rstrip(".") + (" …" if hi < len(words) else "")
