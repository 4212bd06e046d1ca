"""The one place that wires Lexcite together for the interfaces.

`Runtime(settings)` builds the embedder, index, verifier, assistant and ingestor from the settings, each
on first use and then shared: the CLI's context is a Runtime (each command takes what it needs), and
`services_from_settings` turns one into the `Services` the web app is built from (tests inject a fake
assistant there). What the interfaces use of those objects is declared here as Protocols.

Quiz and Evaluate tools are present only when their modules import and expose the expected
functions; otherwise the app hides those tabs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence, runtime_checkable

from assistant.records import Answer
from ingest.records import IngestReport
from lexcite.settings import Settings
from ui.auth import Accounts

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
IngestFn = Callable[[Sequence[Path], Optional[ProgressFn]], IngestReport]


class AssistantLike(Protocol):
    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            backend: str | None = None, k: int | None = None, user: str | None = None) -> Answer: ...


@runtime_checkable
class Streams(Protocol):
    """An assistant that streams its answer as it makes it (assistant/stream.py events; the app shows them)."""

    def stream(self, question: str, history: Sequence[tuple[str, str]] | None = None,
               backend: str | None = None, k: int | None = None, user: str | None = None) -> Iterator[Any]: ...


@runtime_checkable
class OffersBackends(Protocol):
    """An assistant that says which answer backends it can run (the app's picker shows them)."""

    def available_backends(self) -> list[str]: ...


@runtime_checkable
class Verifying(Protocol):
    """An assistant whose verifier the quiz reuses (it checks every item against its passage)."""

    verifier: Any


@runtime_checkable
class Warmable(Protocol):
    """A part that can build its shared state before the first request (index, assistant, verifier)."""

    def warm_up(self) -> None: ...


def verifier_of(assistant: object) -> Any | None:
    return assistant.verifier if isinstance(assistant, Verifying) else None


class IndexLike(Protocol):
    def documents(self) -> list: ...

    def remove_document(self, source: str) -> int: ...

    def status(self) -> Any: ...


@dataclass(frozen=True)
class QuizTools:
    generate: Callable[..., list]
    export: Callable[[list, str], bytes]
    formats: tuple[str, ...] = ("moodle", "json", "gift", "aiken", "csv", "md", "qti")  # quiz.export.FORMATS


@dataclass(frozen=True)
class EvalTools:
    run_answer_eval: Callable[..., Any]
    default_golden: Path | None = None


@dataclass
class Services:
    settings: Settings
    assistant: AssistantLike
    index: IndexLike
    ingest: IngestFn
    supported_suffixes: tuple[str, ...]
    quiz: QuizTools | None = None
    evaluate: EvalTools | None = None
    accounts: Accounts = Accounts()  # who may sign in and with which role (ui/auth.py); empty = no login

    def is_admin(self, user: str | None) -> bool:
        return self.accounts.is_admin(user)


def quiz_tools() -> QuizTools:
    from quiz.export import export_items
    from quiz.generator import generate_quiz

    return QuizTools(generate_quiz, export_items)


def eval_tools() -> EvalTools | None:
    """The answer eval, or None (tab hidden) when its gates file is missing: every run would fail."""
    from eval.answers import run_answer_eval
    from eval.gates import DEFAULT_GATES
    from eval.golden import DEFAULT_GOLDEN

    if not Path(DEFAULT_GATES).is_file():
        log.info("evaluate tab hidden: %s is missing", DEFAULT_GATES)
        return None
    return EvalTools(run_answer_eval, DEFAULT_GOLDEN)


class Runtime:
    """The objects one process builds from its settings, each on first use and then shared: the embedder,
    the index, the verifier, the assistant (on that index and verifier) and the ingestor. The one place
    that wires Lexcite together: each CLI command takes what it needs (`lexcite ingest` never loads the
    verifier), the app takes them all (`services_from_settings`)."""

    def __init__(self, settings: Settings, embedder=None):
        self.settings = settings
        self._embedder = embedder

    def with_settings(self, settings: Settings) -> "Runtime":
        """Another runtime for overridden settings (a command's --backend, --k), sharing the embedding model
        when the model setting is unchanged."""
        same = (settings.embedding_model, settings.encoder_backend) == (self.settings.embedding_model,
                                                                       self.settings.encoder_backend)
        return Runtime(settings, self._embedder if same and self._embedder is not None else None)

    @property
    def embedder(self):
        if self._embedder is None:
            from ingest.embedder import embedder_for

            self._embedder = embedder_for(self.settings)
        return self._embedder

    @cached_property
    def index(self):
        from ingest.index import Index

        return Index(self.settings, self.embedder)

    @cached_property
    def verifier(self):
        from assistant.registry import VERIFIERS

        return VERIFIERS.build(self.settings.verifier or "auto", self.settings, self.embedder)

    @cached_property
    def assistant(self):
        from assistant.retrieval import make_retriever
        from assistant.service import Assistant

        return Assistant(self.settings, self.index, make_retriever(self.index), self.verifier, self.embedder)

    def ingestor(self):
        from ingest.pipeline import Ingestor

        return Ingestor(self.settings, self.embedder, index=self.index)


def services_from_settings(settings: Settings, embedder=None, warm: bool = False, runtime: Runtime | None = None) -> Services:
    """The real services: one Assistant and one Index shared by every session.

    `warm` (what `lexcite serve` does) loads every shared model and opens the store now (see
    `warm_up`), so the first requests of a fresh server do not race to build them."""
    from ingest import loaders
    from ui.auth import parse_accounts

    runtime = runtime or Runtime(settings, embedder)
    accounts = parse_accounts(settings.auth)
    assistant, index = runtime.assistant, runtime.index

    def ingest(paths: Sequence[Path], progress: ProgressFn | None = None) -> IngestReport:
        return runtime.ingestor().run(list(paths), progress=progress)

    services = Services(
        settings=settings, assistant=assistant, index=index, ingest=ingest,
        supported_suffixes=tuple(sorted(loaders.SUPPORTED)),
        quiz=quiz_tools(), evaluate=eval_tools(), accounts=accounts,
    )
    if warm:
        warm_up(services)
    return services


def warm_up(services: Services) -> None:
    """Build the shared state once, before the first request: the embedding model, the Chroma
    client and collection, and the grounding model with its tokenizer. Lazily, several first
    requests would build them at the same time (chromadb's client cache and the tokenizers are not
    safe to build or call from several threads at once)."""
    t0 = time.perf_counter()
    for part in (services.index, services.assistant, verifier_of(services.assistant)):
        if isinstance(part, Warmable):
            part.warm_up()
    language_of = getattr(getattr(services.assistant, "retriever", None), "language_of", None)
    if callable(language_of):  # the question-language model (~0.3 s to load): every first question would wait on it
        language_of("Which provision applies?")
    try:  # Gradio resolves matplotlib's backend around every event: the first would import pyplot (~0.5 s)
        import matplotlib

        matplotlib.get_backend()
    except ImportError:
        pass
    log.info("shared state built in %.1f s", time.perf_counter() - t0)
