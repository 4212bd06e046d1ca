"""Typed records at the assistant boundary (the JSON contract of docs/CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from ingest.records import Chunk

Status = Literal["answered", "insufficient_evidence"]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its retrieval score (higher is better) and rank signals."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    source: str
    title: str
    page: int | None
    section: str
    quote: str
    start: int
    end: int
    source_type: str = "secondary"
    passage: str = ""  # the whole chunk text, so a UI can show the quote in context
    page_label: str = ""  # the page number printed on `page`, when the page prints one
    provision: str = ""  # the quote's own provision path ("Article 6(2)" in a chunk labelled "Article 6(1)–(3)")

    def page_ref(self) -> str:
        """"p. 3", or "p. 3 (printed 33)" when the page prints another number than its place in the PDF."""
        if not self.page:
            return ""
        label = self.page_label
        return f"p. {self.page}" + (f" (printed {label})" if label and label != str(self.page) else "")

    def reference(self) -> str:
        """The citation as a lawyer writes it: "Title, Article 6(2), p. 13 (printed 31)"."""
        return ", ".join(x for x in (self.title or self.source, self.provision or self.section, self.page_ref()) if x)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Sentence:
    text: str
    citations: tuple[int, ...]
    supported: bool
    score: float

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported,
                "score": round(float(self.score), 4)}


@dataclass
class Answer:
    question: str
    status: Status
    answer: str
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    backend: str = "extractive"
    timings_ms: dict[str, float] = field(
        default_factory=lambda: {"retrieve": 0.0, "answer": 0.0, "verify": 0.0, "total": 0.0}
    )
    standalone_question: str = ""
    model: str = ""
    # the passages searched for this answer, best first (an LLM is shown the top k; a refusal lists the first few):
    # what an eval scores as retrieval. Not part of the JSON contract (citations carry what users see).
    passages: list[Passage] = field(default_factory=list, repr=False, compare=False)
    # why an insufficient_evidence answer refused (a key of assistant.policy.REASON_TEXT: "no_passages",
    # "answer_type", "unsupported" …); "" for an answer
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "sentences": [s.to_dict() for s in self.sentences],
            "citations": [c.to_dict() for c in self.citations],
            "backend": self.backend,
            "timings_ms": {k: round(float(v), 2) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question or self.question,
            "model": self.model,
            "reason": self.reason,
        }
