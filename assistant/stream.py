"""Events of a streamed answer: `Assistant.stream(question, ...)` yields them as the pipeline runs.

    Stage("retrieving") -> Stage("drafting") -> Token(...)* (LLM backends) -> Stage("verifying")
    -> Checked(sentence)* (one per draft sentence, in order, as soon as it is verified) -> Done(answer)

`Done` is always last and holds the same Answer that `Assistant.ask` returns (a refusal skips the
drafting and verifying stages). A consumer that stops early (a cancelled request) simply stops
iterating: nothing is audited for an answer that was never finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from assistant.records import Answer, Sentence

STAGES = ("retrieving", "drafting", "verifying")


@dataclass(frozen=True)
class Stage:
    name: str  # one of STAGES


@dataclass(frozen=True)
class Token:
    text: str  # a piece of an LLM draft, as the model writes it


@dataclass(frozen=True)
class Checked:
    sentence: Sentence  # one draft sentence once verified (its supported flag and score set)
    kept: bool = True  # False when the verify policy drops it (strict mode, unsupported)


@dataclass(frozen=True)
class Done:
    answer: Answer


Event = Union[Stage, Token, Checked, Done]
