"""The labelled pair every training and evaluation module of the verifier passes around."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledPair:
    set_name: str
    premise: str
    hypothesis: str
    supported: bool
    group: str  # the unit kept whole within one split (a contract, a claim, a premise)
