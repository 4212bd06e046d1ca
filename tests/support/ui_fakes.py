"""A deterministic fake assistant for UI handler tests: answers from a fixed set of passages, all at once
(`ask`) or streamed as the real assistant streams (`stream`: stages, an LLM backend's tokens, each sentence
once checked, then the answer)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

from assistant.records import Answer, Citation, Sentence
from assistant.stream import Checked, Done, Stage, Token
from lexcite.errors import NoIndexError

PASSAGE = ("Article 3. States shall adopt measures against trafficking in human organs. "
           "The <b>I-24/7</b> network lets police share alerts & notices rapidly.")


def citation(n: int, quote: str, source_type: str = "primary_law", passage: str = PASSAGE) -> Citation:
    start = passage.find(quote)
    return Citation(n=n, chunk_id=f"chunk-{n}", source="corpus/law.txt", title=f"Law <{n}>", page=n + 1,
                    section="Article 3", quote=quote, start=max(start, 0), end=max(start, 0) + len(quote),
                    source_type=source_type, passage=passage)


@dataclass
class FakeAssistant:
    """Scripted: 'unknown' questions get insufficient_evidence, 'boom' raises, others two cited sentences."""

    backends: Sequence[str] | None = None
    empty: bool = False
    calls: list[dict] = field(default_factory=list)
    delay: float = 0.0  # seconds each streamed stage takes (a browser test types while an answer runs)

    def ask(self, question, history=None, backend=None, k=None, user=None) -> Answer:
        self.calls.append({"question": question, "history": list(history or []), "backend": backend, "user": user})
        if self.empty:
            raise NoIndexError("the index is empty: run `lexcite ingest corpus/` first")
        if "boom" in question:
            raise RuntimeError("internal detail that must not reach the user")
        if "unknown" in question:
            return Answer(question, "insufficient_evidence",
                          "The indexed documents do not contain enough to answer this question.",
                          [], [citation(1, "States shall adopt measures", "secondary")], backend or "extractive")
        c1 = citation(1, "States shall adopt measures against trafficking in human organs.")
        c2 = citation(2, "The <b>I-24/7</b> network lets police share alerts & notices rapidly.", "official_guidance")
        sentences = [Sentence(c1.quote, (1,), True, 0.9), Sentence(c2.quote, (2,), False, 0.2)]
        return Answer(question, "answered", f"{c1.quote} [1] {c2.quote} [2]", sentences, [c1, c2],
                      backend or "extractive", {"retrieve": 1.0, "answer": 1.0, "verify": 1.0, "total": 3.0})

    def stream(self, question, history=None, backend=None, k=None, user=None):
        """The events of `ask`'s answer: an LLM backend (any but extractive) also streams its draft as tokens."""
        answer = self.ask(question, history, backend, k, user)  # raises before the first event, as the real one
        return self._events(answer, backend or "extractive")

    def _events(self, answer: Answer, backend: str):
        yield Stage("retrieving")
        time.sleep(self.delay)
        if answer.status == "answered":
            yield Stage("drafting")
            if backend != "extractive":
                for word in answer.answer.split():
                    yield Token(word + " ")
            time.sleep(self.delay)
            yield Stage("verifying")
            for s in answer.sentences:
                yield Checked(s)
        yield Done(answer)

    def available_backends(self):
        return list(self.backends or ["extractive"])


class PlainAssistant:
    """An assistant without available_backends() (the method is optional)."""

    def __init__(self):
        self.inner = FakeAssistant()

    def ask(self, *a, **kw):
        return self.inner.ask(*a, **kw)
