"""Feedback on answers, appended (never rewritten) to settings.feedback_path beside the audit log."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.records import Answer
from lexcite.text.jsonl import append_jsonl

RATINGS = {
    "helpful": "Helpful",
    "not_helpful": "Not helpful",
    "citation_wrong": "A citation is wrong",
}
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Feedback:
    """One line of feedback.jsonl."""

    rating: str
    question: str
    answer: str
    status: str
    backend: str
    citations: list[dict] = field(default_factory=list)
    citation_n: int | None = None
    comment: str = ""
    user: str = ""
    ts: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def make_feedback(answer: Answer, rating: str, comment: str = "", citation_n: int | None = None,
                  user: str = "") -> Feedback:
    if rating not in RATINGS:
        raise ValueError(f"rating {rating!r} is not one of {', '.join(RATINGS)}")
    if citation_n is not None and citation_n not in {c.n for c in answer.citations}:
        citation_n = None
    return Feedback(
        rating=rating,
        question=answer.question,
        answer=answer.answer,
        status=answer.status,
        backend=answer.backend,
        citations=[{"n": c.n, "chunk_id": c.chunk_id, "source": c.source, "page": c.page,
                    "section": c.section, "quote": c.quote} for c in answer.citations],
        citation_n=citation_n if rating == "citation_wrong" else None,
        comment=(comment or "").strip()[:MAX_COMMENT],
        user=user or "",
        ts=time.time(),
    )


def record_feedback(path: Path, feedback: Feedback) -> None:
    append_jsonl(path, feedback.to_dict())
