"""Typed records of the quiz: `QuizItem` and its `QuizCitation` (the quiz JSON contract of docs/CONTRACTS.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lexcite.errors import LexciteError

ITEM_TYPES: tuple[str, ...] = ("mcq", "true_false", "short_answer")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
BLANK = "_____"


class QuizError(LexciteError):
    """The quiz could not be built as asked (bad option, nothing to ask about)."""


@dataclass(frozen=True)
class QuizCitation:
    """The passage that proves the answer. `quote` is verbatim text of the cited chunk."""

    chunk_id: str
    source: str
    page: int | None
    section: str
    quote: str
    title: str = ""
    start: int = 0  # char offsets of the quote in the document's extracted text
    end: int = 0

    def to_dict(self) -> dict:
        return {"chunk_id": self.chunk_id, "source": self.source, "page": self.page, "section": self.section,
                "quote": self.quote, "title": self.title, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict) -> "QuizCitation":
        return cls(chunk_id=d["chunk_id"], source=d["source"], page=d.get("page"), section=d.get("section", ""),
                   quote=d["quote"], title=d.get("title", ""), start=int(d.get("start", 0)), end=int(d.get("end", 0)))


@dataclass(frozen=True)
class QuizItem:
    """One question with its answer key and the citation that proves it.

    `answer` is the correct option's text (mcq), "true"/"false" (true_false) or the expected short
    answer. `statement` is the true statement the item tests (verbatim from the quote); `fact`
    names the fact so two items never test the same one.
    """

    id: str
    type: str
    stem: str
    answer: str
    explanation: str
    citation: QuizCitation
    difficulty: str
    topic: str
    options: tuple[str, ...] = ()
    statement: str = ""
    fact: str = ""
    kind: str = ""  # what the answer is: name, acronym, number, year, defined, actor, provision, rule, ...
    form: str = ""  # how it asks: cloze | question | which_provision | provision_rule | claim
    claim: str = ""  # the stand-alone statement the key asserts (pronouns resolved); "" = `statement`
    provision: str = ""  # legal texts: the provision the statement stands in ("Article 31(2)")
    difficulty_basis: tuple[tuple[str, float], ...] = ()  # the measured features behind `difficulty`
    feedback: tuple[tuple[str, str], ...] = ()  # (option, why it is right / wrong), per option

    def __post_init__(self) -> None:
        if self.type not in ITEM_TYPES:
            raise QuizError(f"item type {self.type!r} is not one of {', '.join(ITEM_TYPES)}")
        if self.difficulty not in DIFFICULTIES:
            raise QuizError(f"difficulty {self.difficulty!r} is not one of {', '.join(DIFFICULTIES)}")

    def to_dict(self) -> dict:
        d: dict = {"id": self.id, "type": self.type, "stem": self.stem}
        if self.type == "mcq":
            d["options"] = list(self.options)
        d.update({
            "answer": self.answer, "explanation": self.explanation, "citation": self.citation.to_dict(),
            "difficulty": self.difficulty, "topic": self.topic, "statement": self.statement, "kind": self.kind,
            "form": self.form, "claim": self.keyed_claim, "provision": self.provision,
            "difficulty_basis": dict(self.difficulty_basis), "difficulty_reason": self.difficulty_reason,
            "feedback": dict(self.feedback),
        })
        return d

    @property
    def keyed_claim(self) -> str:
        """What the key asserts, standing alone (the verbatim statement when nothing had to be resolved)."""
        return self.claim or self.statement

    @property
    def difficulty_reason(self) -> str:
        """The difficulty label and the measured features it comes from, in words."""
        b = dict(self.difficulty_basis)
        if not b:
            return self.difficulty
        parts = []
        if "distractor_closeness" in b and self.type == "true_false":
            parts.append(f"the changed statement {_closeness(b['distractor_closeness'])} to the source "
                         f"(similarity {b['distractor_closeness']:.2f})")
        elif "distractor_closeness" in b:
            parts.append(f"distractors {_closeness(b['distractor_closeness'])} to the key "
                         f"(similarity {b['distractor_closeness']:.2f})")
        if "evidence_words" in b:
            parts.append(f"{int(b['evidence_words'])}-word evidence")
        if b.get("sentences", 1) > 1:
            parts.append(f"{int(b['sentences'])} sentences to combine")
        return f"{self.difficulty}: " + ", ".join(parts)

    def option_feedback(self, option: str) -> str:
        return dict(self.feedback).get(option, "")

    @classmethod
    def from_dict(cls, d: dict) -> "QuizItem":
        return cls(
            id=d["id"], type=d["type"], stem=d["stem"], answer=d["answer"], explanation=d.get("explanation", ""),
            citation=QuizCitation.from_dict(d["citation"]), difficulty=d.get("difficulty", "medium"),
            topic=d.get("topic", ""), options=tuple(d.get("options") or ()), statement=d.get("statement", ""),
            fact=d.get("fact", "") or d.get("statement", ""), kind=d.get("kind", ""), form=d.get("form", ""),
            claim=d.get("claim", "") if d.get("claim", "") != d.get("statement", "") else "",
            provision=d.get("provision", ""),
            difficulty_basis=tuple((k, float(v)) for k, v in (d.get("difficulty_basis") or {}).items()),
            feedback=tuple((k, str(v)) for k, v in (d.get("feedback") or {}).items()),
        )


def _closeness(sim: float) -> str:
    return "close" if sim >= 0.6 else "fairly close" if sim >= 0.4 else "far"


def item_id(*parts: str) -> str:
    """Content hash: the same question from the same passage always gets the same id."""
    h = hashlib.sha256("\x00".join(parts).encode("utf-8"))
    return h.hexdigest()[:16]
