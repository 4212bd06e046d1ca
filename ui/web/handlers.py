"""Event handlers as plain functions: Services (and per-session state) in, plain values out.

Problems a person can act on become `gr.Error` (stops the event) or `gr.Warning` (a toast);
unexpected failures are logged with their traceback on the server and shown as a short message,
never a stack trace, and they only touch the session that hit them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import gradio as gr

from assistant.records import Answer
from lexcite.errors import IngestBusyError, LexciteError, NoIndexError
from lexcite.text import is_text
from ui.web import render
from ui.web.feedback import RATINGS, make_feedback, record_feedback
from ui.web.library import LibraryView, library_view, remove_document, save_uploads, uploads_dir
from ui.services import OffersBackends, Services

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
MAX_FILES = 20
PENDING = '<div class="lx-answer lx-pending">Searching the documents…</div>'


# ---- asking --------------------------------------------------------------------------------------
def backend_choices(services: Services) -> list[str]:
    """The configured answer backends; the picker shows only when there is more than one."""
    names: list[str] = []
    if isinstance(services.assistant, OffersBackends):
        try:
            names = [str(b) for b in services.assistant.available_backends()]
        except Exception:
            log.exception("available_backends() failed; offering the default backend only")
    default = services.settings.backend  # LEXCITE_BACKEND: first, so the picker starts on it
    return list(dict.fromkeys([default] + names))


def history_pairs(answers: Sequence[Answer]) -> list[tuple[str, str]]:
    """The conversation so far as (user, assistant) pairs, for follow-up questions."""
    return [(a.question, a.answer) for a in answers]


def clean_question(question: str | None) -> str:
    if question is not None and not isinstance(question, str):
        raise gr.Error("The question must be text.")
    q = (question or "").strip()
    if not q:
        raise gr.Error("Type a question first.")
    if not is_text(q):
        raise gr.Error("The question contains characters that are not valid text (a broken encoding); retype it.")
    if len(q) > MAX_QUESTION:
        raise gr.Error(f"That question is {len(q)} characters long; please keep it under {MAX_QUESTION}.")
    return q


def ask(services: Services, question: str, answers: Sequence[Answer], backend: str | None,
        user: str | None = None) -> Answer:
    """One answer, with the session's conversation as context, audited under `user` (the signed-in
    name, None without a login). Raises LexciteError for the caller."""
    backend = backend if backend and backend != services.settings.backend else None
    return services.assistant.ask(question, history=history_pairs(answers), backend=backend, user=user)


def require_admin(services: Services, user: str | None, what: str) -> None:
    """Refuse, on the server, what only admins may do (the page hides it too, but requests can be forged)."""
    if not services.is_admin(user):
        log.warning("refused %s for %r (role %s)", what, user, services.accounts.role(user))
        raise gr.Error(f"Only administrators can {what}; ask one to do it or to give you the admin role.")


@dataclass
class ChatUpdate:
    messages: list[dict]
    answers: list[Answer]
    done: bool = False
    answer: Answer | None = None


def respond(services: Services, question: str, messages: list[dict] | None, answers: list[Answer] | None,
            backend: str | None = None, delay: float = 0.0, user: str | None = None) -> Iterator[ChatUpdate]:
    """Stream one chat turn: the question, then the verified answer sentence by sentence."""
    question = clean_question(question)
    answers = list(answers or [])
    messages = list(messages or []) + [
        {"role": "user", "content": render.esc(question)},
        {"role": "assistant", "content": PENDING},
    ]
    yield ChatUpdate(list(messages), list(answers))
    try:
        answer = ask(services, question, answers, backend, user)
    except NoIndexError:
        messages[-1] = {"role": "assistant",
                        "content": render.empty_index_html(str(services.settings.corpus_dir))}
        yield ChatUpdate(list(messages), list(answers), done=True)
        return
    except LexciteError as exc:
        gr.Warning(str(exc))
        messages[-1] = {"role": "assistant", "content": f'<div class="lx-error">{render.esc(exc)}</div>'}
        yield ChatUpdate(list(messages), list(answers), done=True)
        return
    except Exception:
        log.exception("answering %r failed", question[:200])
        msg = "Something went wrong while answering; the details are in the server log. Please try again."
        gr.Warning(msg)
        messages[-1] = {"role": "assistant", "content": f'<div class="lx-error">{msg}</div>'}
        yield ChatUpdate(list(messages), list(answers), done=True)
        return
    turn = len(answers)
    answers.append(answer)
    if answer.status == "answered":
        for i in range(1, len(answer.sentences)):
            messages[-1] = {"role": "assistant", "content": render.answer_html(answer, turn, upto=i, streaming=True)}
            yield ChatUpdate(list(messages), list(answers))
            if delay:
                time.sleep(delay)
    messages[-1] = {"role": "assistant", "content": render.answer_html(answer, turn)}
    yield ChatUpdate(list(messages), list(answers), done=True, answer=answer)


def api_ask(services: Services, question: str, history: Sequence[Sequence[str]] | None = None,
            backend: str | None = None, user: str | None = None) -> dict:
    """The `/ask` API: one answer as the JSON object of docs/CONTRACTS.md, audited under `user`."""
    question = clean_question(question)
    if history is not None and not isinstance(history, (list, tuple)):
        raise gr.Error("history must be a list of [user, assistant] pairs")
    pairs: list[tuple[str, str]] = []
    for item in history or []:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not all(isinstance(x, str) and is_text(x) for x in item)):
            raise gr.Error("history must be a list of [user, assistant] pairs of text")
        pairs.append((item[0], item[1]))
    if backend is not None and not isinstance(backend, str):
        raise gr.Error("backend must be the name of a backend, or empty for the default")
    backend = backend if backend and backend != services.settings.backend else None
    try:
        return services.assistant.ask(question, history=pairs, backend=backend, user=user).to_dict()
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("API answer to %r failed", question[:200])
        raise gr.Error("Something went wrong while answering; the details are in the server log.") from None


# ---- sources -------------------------------------------------------------------------------------
def parse_cite_target(value: str | None) -> tuple[int, int] | None:
    """`turn:n[:nonce]` written by the page's click handler -> (turn, n)."""
    try:
        turn, n = (int(x) for x in (value or "").split(":")[:2])
    except ValueError:
        return None
    return turn, n


def citation_choices(answer: Answer | None) -> list[tuple[str, int]]:
    return [(render.citation_label(c), c.n) for c in answer.citations] if answer else []


def open_citation(answers: Sequence[Answer], turn: int, n: int) -> str:
    """The source panel for citation [n] of answer `turn`."""
    if not 0 <= turn < len(answers):
        return render.PANEL_PLACEHOLDER
    for c in answers[turn].citations:
        if c.n == n:
            return render.source_panel_html(c)
    return render.PANEL_PLACEHOLDER


def feedback_target(answers: Sequence[Answer], turn: int | None) -> str:
    if not answers or turn is None or not 0 <= turn < len(answers):
        return "Ask a question first; feedback applies to the answer you are looking at."
    q = answers[turn].question
    return f"Feedback on the answer to: *{render._md_text(q[:140] + ('…' if len(q) > 140 else ''))}*"


def submit_feedback(services: Services, answers: Sequence[Answer], turn: int | None, rating: str | None,
                    comment: str | None, citation_n: int | None, user: str | None = None) -> str:
    if not answers or turn is None or not 0 <= turn < len(answers):
        raise gr.Error("There is no answer to give feedback on yet.")
    if rating not in RATINGS:
        raise gr.Error("Choose helpful, not helpful, or “a citation is wrong” first.")
    fb = make_feedback(answers[turn], rating, comment or "", citation_n, user or "")
    try:
        record_feedback(services.settings.feedback_path, fb)
    except OSError as exc:
        log.exception("writing feedback failed")
        raise gr.Error(f"Could not save feedback ({exc.strerror}); tell the administrator.") from None
    which = f" (citation [{fb.citation_n}])" if fb.citation_n else ""
    return f"Thank you — saved as “{RATINGS[rating]}”{which}."


# ---- library -------------------------------------------------------------------------------------
def refresh_library(services: Services) -> LibraryView:
    try:
        return library_view(services.index)
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None


def add_files(services: Services, files: Sequence[str | Path] | None, progress=None,
              user: str | None = None, discard_uploads: bool = False) -> str:
    """Save uploads under data_dir/uploads and ingest that folder; returns a Markdown summary.
    With `discard_uploads` (the app: `files` are Gradio's cached copies) those copies are deleted
    afterwards, whatever became of them (kept or rejected), so none stays downloadable."""
    try:
        return _add_files(services, files, progress, user)
    finally:
        if discard_uploads:
            discard_temp_uploads(files)


def discard_temp_uploads(files: Sequence[str | Path] | None) -> None:
    """Delete Gradio's cached copies of uploads: they stay downloadable while they exist."""
    for f in files or []:
        try:
            Path(f).unlink(missing_ok=True)
        except (OSError, TypeError, ValueError):
            log.warning("could not delete the uploaded temp file %s", f)


def _add_files(services: Services, files: Sequence[str | Path] | None, progress, user: str | None) -> str:
    require_admin(services, user, "add documents")
    if not files:
        raise gr.Error("Choose one or more files to add first.")
    if len(files) > MAX_FILES:
        raise gr.Error(f"Add at most {MAX_FILES} files at a time.")
    dest = uploads_dir(services.settings)
    saved = save_uploads(files, dest, services.supported_suffixes, services.settings.max_file_mb)
    if not saved.saved:
        lines = ["**Nothing was added.**"] + [f"- **Not uploaded:** `{render._md_code(n)}`: {render._md_text(w)}"
                                              for n, w in saved.rejected]
        return "\n".join(lines)

    def step(i: int, n: int, name: str) -> None:
        if progress is not None:
            progress((i, max(n, 1)), desc=f"Ingesting {Path(name).name}" if name else "Finishing")

    try:
        report = services.ingest([dest], step)
    except IngestBusyError as exc:
        raise gr.Error(f"{exc}. Your files are saved; press Add again in a moment.") from None
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("ingesting uploads failed")
        raise gr.Error("Ingesting the uploads failed; the details are in the server log.") from None
    _discard_failed(dest, report)
    return render.report_md(report, saved.rejected, saved.notes + _not_indexed(services, dest, saved.saved, report))


def _not_indexed(services: Services, dest: Path, saved: Sequence[Path], report) -> list[tuple[str, str]]:
    """Saved files the ingest neither indexed nor reported as failed (nothing is lost without a word)."""
    try:
        indexed = {d.source for d in services.index.documents()}
    except LexciteError:
        return []
    failed = {f.path for f in report.failed}
    out = []
    for p in saved:
        source = f"{dest.name}/{p.name}"
        if source not in indexed and source not in failed:
            out.append((p.name, "was stored but not indexed; tell the administrator (see the server log)"))
            log.warning("upload %s was saved but the ingest did not index it (skipped: %s)", source, report.skipped)
    return out


def _discard_failed(dest: Path, report) -> None:
    """An upload that could not be read is not kept: it would fail again on every later ingest."""
    root = dest.resolve()
    for f in report.failed:
        target = (root / Path(f.path).name).resolve()
        if f.path == f"{dest.name}/{target.name}" and target.parent == root and target.is_file():
            target.unlink()


def remove(services: Services, source: str | None, user: str | None = None) -> str:
    require_admin(services, user, "remove documents")
    if not source:
        raise gr.Error("Pick a document to remove first.")
    try:
        return remove_document(services.index, services.settings, source)
    except LookupError as exc:
        raise gr.Error(str(exc.args[0])) from None
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
