"""A real assistant's answers recorded once and replayed, unchanged or broken in ways users would notice, so a
gate test can show that broken assistants fail without asking every question again."""

from __future__ import annotations

import dataclasses

from assistant.records import Answer, Citation, Sentence


class CachingRetriever:
    def __init__(self, inner):
        self.inner, self.name, self.seen = inner, getattr(inner, "name", "cached"), {}

    def retrieve(self, query, k, sources=None, source_types=None):
        if (query, k) not in self.seen:
            self.seen[query, k] = self.inner.retrieve(query, k)
        return self.seen[query, k]


class Recording:
    """The real assistant, remembering each answer (and retrieval) so broken variants replay them cheaply."""

    def __init__(self, assistant, retriever=None):
        self.inner, self.index, self.settings = assistant, assistant.index, assistant.settings
        self.retriever = retriever or CachingRetriever(assistant.retriever)
        self.answers: dict[str, Answer] = {}

    def ask(self, question, history=None, backend=None, k=None):
        self.answers[question] = self.inner.ask(question, history=history, backend=backend, k=k)
        return self.answers[question]


class Replaying(Recording):
    """A broken assistant: the recorded answer, changed by `breaks`; retrieval stays the real one."""

    def __init__(self, recording: Recording, breaks):
        super().__init__(recording.inner, recording.retriever)
        self.recorded, self.breaks = recording.answers, breaks

    def ask(self, question, history=None, backend=None, k=None):
        return self.breaks(self.recorded[question], self)


def cites_nothing(a: Answer, _) -> Answer:
    text = a.answer if a.status == "answered" else "Here is what I know about that."
    return dataclasses.replace(a, status="answered", answer=text, citations=[],
                               sentences=[Sentence(text, (), False, 0.0)])


def answers_everything(a: Answer, assistant) -> Answer:
    """Never refuses: when the real assistant would, it quotes the top passage instead (and calls it supported)."""
    if a.status == "answered":
        return a
    c = assistant.retriever.retrieve(a.standalone_question or a.question, assistant.settings.k)[0].chunk
    quote = c.text.split(". ")[0]
    cite = Citation(1, c.id, c.source, c.title, c.page, c.section, quote, c.start, c.start + len(quote), passage=c.text)
    return dataclasses.replace(a, status="answered", answer=f"{quote} [1]", citations=[cite],
                               sentences=[Sentence(quote, (1,), True, 1.0)])


def refuses_everything(a: Answer, _) -> Answer:
    return dataclasses.replace(a, status="insufficient_evidence", answer="I cannot answer.", sentences=[], citations=[])


def paraphrases_quotes(a: Answer, _) -> Answer:
    """Cites the right passages but reworded: each quote loses its first word (offsets unchanged)."""
    cites = [dataclasses.replace(c, quote=c.quote.split(" ", 1)[-1]) for c in a.citations]
    return dataclasses.replace(a, citations=cites)
