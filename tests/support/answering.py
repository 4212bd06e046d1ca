"""Deterministic edges for the answering tests: a scripted chat model and a tiny ingested corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

STATUTE = """Maritime Safety Act 2031

Section 4. Inspections
A harbour master may inspect any vessel moored in a port of the Republic. An inspection must be \
completed within 48 hours of the vessel's arrival. The harbour master shall record every inspection \
in the port register.

Section 5. Penalties
A captain who refuses an inspection commits an offence. The offence is punishable by a fine of up \
to 20,000 euros. A second refusal within five years doubles the maximum fine.

Section 6. Lighthouses
The Coastal Authority maintains every lighthouse on the national coast. Lighthouse keepers report \
to the Coastal Authority each month.
"""


class ScriptedChatModel(BaseChatModel):
    """Replies from a queue, in order; records every prompt it was given (no network, no model)."""

    replies: list[str]
    calls: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def model_name(self) -> str:
        return "scripted-1"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.calls.append(list(messages))
        if not self.replies:
            raise AssertionError("the scripted chat model ran out of replies")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.replies.pop(0)))])


def scripted(*replies: str) -> ScriptedChatModel:
    return ScriptedChatModel(replies=list(replies), calls=[])


def ingest_texts(settings, embedder, files: dict[str, str]) -> None:
    from ingest.pipeline import Ingestor

    root = Path(settings.corpus_dir)
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    report = Ingestor(settings, embedder).run([root])
    assert not report.failed, report.failed


def assistant_over(settings, embedder, files: dict[str, str], chat_models: dict | None = None, **overrides):
    from assistant.service import Assistant

    settings = settings.with_overrides(**overrides) if overrides else settings
    ingest_texts(settings, embedder, files)
    a = Assistant.from_settings(settings, embedder)
    for name, model in (chat_models or {}).items():
        a.use_chat_model(name, model)
    return a
