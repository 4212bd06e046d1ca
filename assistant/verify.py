"""The verifier: does each answer sentence follow from the passages it cites?

(First version: content-word coverage. Semantic, number, name and negation checks land with the
assistant issue.) Interface: `Verifier.score(sentence, passages) -> Support`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/]*")
_STOP = frozenset("a an the of to in on for and or is are was were be by with as at that this it its from".split())


@dataclass(frozen=True)
class Support:
    supported: bool
    score: float
    best: int  # index of the passage that supports best (-1 if none)


class Verifier:
    def __init__(self, threshold: float = 0.6):
        self.threshold = threshold

    def score(self, sentence: str, passages: Sequence[str]) -> Support:
        words = {w.lower() for w in _WORD.findall(sentence)} - _STOP
        if not words or not passages:
            return Support(False, 0.0, -1)
        best, best_i = 0.0, -1
        for i, p in enumerate(passages):
            pw = {w.lower() for w in _WORD.findall(p)}
            s = len(words & pw) / len(words)
            if s > best:
                best, best_i = s, i
        return Support(best >= self.threshold, best, best_i)
