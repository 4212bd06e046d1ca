"""What the app needs from the rest of Lexcite, injected so tests can pass a fake assistant.

Quiz and Evaluate tools are present only when their modules import and expose the expected
functions; otherwise the app hides those tabs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Sequence

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


def services_from_settings(settings: Settings, embedder=None, warm: bool = False) -> Services:
    """The real services: one Assistant and one Index shared by every session.

    `warm` (what `lexcite serve` does) loads every shared model and opens the store now (see
    `warm_up`), so the first requests of a fresh server do not race to build them."""
    from assistant.service import Assistant
    from ingest import loaders
    from ingest.embedder import get_embedder
    from ingest.index import Index
    from ingest.pipeline import Ingestor
    from ui.auth import parse_accounts

    accounts = parse_accounts(settings.auth)
    embedder = embedder or get_embedder(settings.embedding_model)
    assistant = Assistant.from_settings(settings, embedder)
    index = getattr(assistant, "index", None) or Index(settings, embedder)

    def ingest(paths: Sequence[Path], progress: ProgressFn | None = None) -> IngestReport:
        return Ingestor(settings, embedder, index=index).run(list(paths), progress=progress)

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
    assistant = services.assistant
    index = services.index
    vectors = getattr(index, "vectors", None)
    if vectors is not None:
        vectors.collection  # noqa: B018 - opens the client and the collection
    fn = getattr(assistant, "warm_up", None)
    if callable(fn):
        fn()
    verifier = getattr(assistant, "verifier", None)
    signal = getattr(verifier, "cross_encoder", None)
    if signal is not None:
        signal.model.predict_best([("warm-up", ["warm-up."])])
    if verifier is not None and getattr(verifier, "_embedder", None) is not None:
        verifier.builder  # noqa: B018
    log.info("shared state built in %.1f s", time.perf_counter() - t0)
