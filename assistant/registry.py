"""How each answer backend and verifier of the core's tables (lexcite/registry.py) is built here, and
when it can run. Importing this module attaches them; `assistant.service` does.

- a backend `extractive` is built from the Assistant's sentence scorer; an LLM backend (`openai`,
  `ollama`, `local`) from the settings, as the LangChain chat model that drafts (and condenses
  follow-ups);
- a verifier is built from the settings and the embedder.
"""

from __future__ import annotations

from lexcite.errors import ConfigError
from lexcite.registry import BACKENDS, VERIFIERS
from lexcite.settings import Settings

__all__ = ["BACKENDS", "VERIFIERS"]


def _extractive(scorer):
    from assistant.extractive import ExtractiveBackend

    return ExtractiveBackend(scorer)


def _chat_model(name: str):
    def build(settings: Settings):
        from assistant.llm import make_chat_model

        return make_chat_model(settings, name)

    return build


def _local_available(settings: Settings) -> bool:
    if settings.llm_model.endswith(".gguf"):
        return True
    try:
        from assistant.backends.local import default_gguf

        return bool(default_gguf())
    except (ConfigError, ImportError):
        return False


BACKENDS.provide("extractive", _extractive)
BACKENDS.provide("openai", _chat_model("openai"), lambda s: bool(s.llm_base_url and s.llm_model))
BACKENDS.provide("ollama", _chat_model("ollama"), lambda s: bool(s.llm_model))
BACKENDS.provide("local", _chat_model("local"), _local_available)


def _verifier(kind: str):
    def build(settings: Settings | None = None, embedder=None):
        from assistant.verify import make_verifier

        return make_verifier(settings, embedder, kind=kind)

    return build


def _model_available(settings: Settings) -> bool:
    from assistant.grounding.model import GroundingModel

    return GroundingModel.available()


VERIFIERS.provide("auto", _verifier("auto"))
VERIFIERS.provide("model", _verifier("model"), _model_available)
VERIFIERS.provide("heuristics", _verifier("heuristics"))
