"""The assistant as a LangChain `Runnable`: {"question", "history"?} -> cited `Answer`.

    chain = answer_runnable(assistant)            # or assistant_runnable(settings)
    answer = chain.invoke({"question": "What is the penalty?", "history": [("Which act?", "...")]})
    answer.to_dict()                              # the JSON of docs/CONTRACTS.md

It composes like any runnable (`chain | (lambda a: a.answer)`, `chain.batch([...])`); a bare string is
taken as the question. Every answer still goes through the whole pipeline (retrieval, evidence gate,
per-sentence verification, audit log): the runnable is glue, not another way of answering.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.records import Answer
from lexcite.errors import ConfigError


def _question_and_history(value: Any) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(value, str):
        return value, []
    if not isinstance(value, Mapping) or not isinstance(value.get("question"), str):
        raise ConfigError('the chain takes {"question": text, "history": [[user, assistant], ...]} or a string')
    history: Sequence = value.get("history") or []
    return value["question"], [(str(u), str(a)) for u, a in history]


def answer_runnable(assistant, backend: str | None = None, k: int | None = None, user: str | None = None) -> Runnable:
    """`assistant.ask` as a Runnable (input: a question string or {"question", "history"}; output: Answer)."""

    def ask(value: Any) -> Answer:
        question, history = _question_and_history(value)
        return assistant.ask(question, history=history or None, backend=backend, k=k, user=user)

    return RunnableLambda(ask, name="lexcite_answer")
