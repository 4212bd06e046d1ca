"""The Assistant: question (+ history) -> retrieved passages -> cited draft -> verified Answer.

This is the one object the CLI, the UI, the quiz and the eval harness call:
    Assistant.from_settings(settings).ask(question, history=None, backend=None) -> Answer
(First version: minimal extractive answering. Backends, follow-ups, refusal tuning and the audit
log land with the assistant issue; the signature stays.)
"""

from __future__ import annotations

import re
import time
from typing import Sequence

from assistant.records import Answer, Citation, Passage, Sentence
from assistant.retrieval import Retriever, make_retriever
from assistant.verify import Verifier
from ingest.embedder import Embedder, get_embedder
from ingest.index import Index
from lexcite.settings import Settings

_SENT = re.compile(r"[^.!?\n]+[.!?]?")


class Assistant:
    def __init__(self, settings: Settings, index: Index, retriever: Retriever, verifier: Verifier):
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.verifier = verifier

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> "Assistant":
        embedder = embedder or get_embedder(settings.embedding_model)
        index = Index(settings, embedder)
        return cls(settings, index, make_retriever(index), Verifier())

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            backend: str | None = None, k: int | None = None) -> Answer:
        t0 = time.perf_counter()
        self.index.require_nonempty()
        passages = self.retriever.retrieve(question, k or self.settings.k)
        t1 = time.perf_counter()
        sentences, citations = self._extract(question, passages)
        t2 = time.perf_counter()
        checked = []
        for s in sentences:
            cited = [citations[n - 1].passage for n in s.citations]
            v = self.verifier.score(s.text, cited)
            checked.append(Sentence(s.text, s.citations, v.supported, v.score))
        t3 = time.perf_counter()
        status = "answered" if checked else "insufficient_evidence"
        text = " ".join(f"{s.text} [{', '.join(map(str, s.citations))}]" for s in checked) or (
            "The indexed documents do not contain enough to answer this question."
        )
        return Answer(question, status, text, checked, citations, backend or "extractive",
                      {"retrieve": (t1 - t0) * 1e3, "answer": (t2 - t1) * 1e3, "verify": (t3 - t2) * 1e3,
                       "total": (t3 - t0) * 1e3})

    def _extract(self, question: str, passages: list[Passage]) -> tuple[list[Sentence], list[Citation]]:
        qwords = set(re.findall(r"\w+", question.lower()))
        scored = []
        for p in passages[:3]:
            for m in _SENT.finditer(p.chunk.text):
                words = set(re.findall(r"\w+", m.group().lower()))
                scored.append((len(words & qwords) / (len(words) ** 0.5 + 1), p, m))
        scored.sort(key=lambda t: -t[0])
        sentences, citations = [], []
        for score, p, m in scored[:2]:
            if score <= 0:
                continue
            n = len(citations) + 1
            quote = m.group().strip()
            start = p.chunk.start + m.start() + (len(m.group()) - len(m.group().lstrip()))
            citations.append(Citation(n, p.chunk.id, p.chunk.source, p.chunk.title, p.chunk.page, p.chunk.section,
                                      quote, start, start + len(quote), p.chunk.source_type, p.chunk.text))
            sentences.append(Sentence(quote, (n,), True, score))
        return sentences, citations
