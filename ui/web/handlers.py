"""Event handlers as plain functions: Services (and per-session state) in, plain values out.

Input a person can correct raises `Invalid` (a `gr.Error`), which the app shows beside the control;
other problems a person can act on become `gr.Error` or `gr.Warning` (a toast); unexpected failures
are logged with their traceback on the server and shown as a short message, never a stack trace, and
they only touch the session that hit them. The chat turn lives in `streaming`, the Library's actions
in `library_actions`; both are re-exported here, the one module the app and the tests call.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

import gradio as gr

from assistant.records import Answer
from lexcite.errors import LexciteError
from lexcite.text import is_text
from ui.web import render
from ui.web.details import SourceNotes
from ui.web.feedback import RATINGS, make_feedback, record_feedback
from ui.web.inline import Invalid
from ui.web.library_actions import (add_files, confirm_removal, details_from_form,
                                    discard_temp_uploads, document_details, refresh_library, remove,
                                    require_admin, save_details)
from ui.web.streaming import (MAX_QUESTION, PENDING, ChatUpdate, ask, clean_question,
                              history_pairs, respond, stopped_messages)
from ui.services import OffersBackends, Services

log = logging.getLogger(__name__)

__all__ = [  # re-exported from streaming and library_actions, and this module's own
    "MAX_QUESTION", "PENDING", "ChatUpdate", "ask", "clean_question", "history_pairs", "respond", "stopped_messages",
    "add_files", "confirm_removal", "details_from_form", "discard_temp_uploads", "document_details",
    "refresh_library", "remove", "require_admin", "save_details",
    "backend_choices", "api_ask", "parse_cite_target", "citation_choices", "open_citation", "feedback_target",
    "submit_feedback", "turn_of_bubble", "thumb_feedback", "export_answer", "export_dir", "EXPORT_FORMATS",
]

EXPORT_FORMATS = {"md": "Markdown", "docx": "Word (DOCX)"}
EXPORT_KEEP_S = 3600  # exported records stay in the export folder this long (Gradio serves its own copy)


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


def citation_choices(answer: Answer | None, notes: SourceNotes | None = None) -> list[tuple[str, int]]:
    """The Sources picker: one line per citation; a source with a note says so."""
    if not answer:
        return []
    noted = notes.for_sources([c.source for c in answer.citations]) if notes else {}
    return [(render.citation_label(c) + (" · has a note" if c.source in noted else ""), c.n)
            for c in answer.citations]


def open_citation(answers: Sequence[Answer], turn: int, n: int, notes: SourceNotes | None = None) -> str:
    """The source panel for citation [n] of answer `turn`, with its document's note first."""
    if not 0 <= turn < len(answers):
        return render.PANEL_PLACEHOLDER
    for c in answers[turn].citations:
        if c.n == n:
            note = notes.for_sources([c.source]).get(c.source, "") if notes else ""
            return render.source_panel_html(c, note)
    return render.PANEL_PLACEHOLDER


# ---- feedback ------------------------------------------------------------------------------------
def feedback_target(answers: Sequence[Answer], turn: int | None) -> str:
    if not answers or turn is None or not 0 <= turn < len(answers):
        return "Ask a question first; feedback applies to the answer you are looking at."
    q = answers[turn].question
    return f"Feedback on the answer to: *{render._md_text(q[:140] + ('…' if len(q) > 140 else ''))}*"


def submit_feedback(services: Services, answers: Sequence[Answer], turn: int | None, rating: str | None,
                    comment: str | None, citation_n: int | None, user: str | None = None) -> str:
    """Append one feedback line; `Invalid` (shown beside the button) when there is nothing to rate yet."""
    if not answers or turn is None or not 0 <= turn < len(answers):
        raise Invalid("There is no answer to give feedback on yet: ask a question first.")
    if rating not in RATINGS:
        raise Invalid("Choose helpful, not helpful, or “a citation is wrong” first.")
    fb = make_feedback(answers[turn], rating, comment or "", citation_n, user or "")
    try:
        record_feedback(services.settings.feedback_path, fb)
    except OSError as exc:
        log.exception("writing feedback failed")
        raise gr.Error(f"Could not save feedback ({exc.strerror}); tell the administrator.") from None
    which = f" (citation [{fb.citation_n}])" if fb.citation_n else ""
    return f"Thank you — saved as “{RATINGS[rating]}”{which}."


_TURN_CLASS = re.compile(r"\blx-a(\d+)\b")


def turn_of_bubble(value: object) -> int | None:
    """The answer a chat bubble shows (its `lx-a<turn>` class), from the value a thumbs click sends."""
    m = _TURN_CLASS.search(str(value))
    return int(m.group(1)) if m else None


def thumb_feedback(services: Services, answers: Sequence[Answer], bubble: object, liked: object,
                   user: str | None = None) -> str:
    """A thumbs up or down under an answer: recorded as helpful / not helpful for that answer."""
    turn = turn_of_bubble(bubble)
    if turn is None or not 0 <= turn < len(answers) or liked not in (True, False):
        return ""  # a thumb on the pending bubble, or a thumb taken back: nothing to record
    return submit_feedback(services, answers, turn, "helpful" if liked else "not_helpful", "", None, user)


# ---- export --------------------------------------------------------------------------------------
_EXPORT_LOCK = threading.Lock()


def export_dir() -> Path:
    """The folder export records are written to before Gradio serves them (older ones are cleared)."""
    folder = Path(tempfile.gettempdir()) / "lexcite-exports"
    folder.mkdir(exist_ok=True)
    cutoff = time.time() - EXPORT_KEEP_S
    with _EXPORT_LOCK:
        for old in folder.iterdir():  # one folder per exported answer
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
            except OSError:
                log.warning("could not clear the old export %s", old)
    return folder


def export_answer(services: Services, answers: Sequence[Answer], turn: int | None, fmt: str,
                  user: str | None = None) -> str:
    """A record of answer `turn` for a case file (ui/export.py writes it); returns the file's path."""
    if not answers or turn is None or not 0 <= turn < len(answers):
        raise Invalid("There is no answer to export yet: ask a question first.")
    if fmt not in EXPORT_FORMATS:
        raise Invalid(f"Choose one of {', '.join(EXPORT_FORMATS.values())}.")
    try:
        from ui.export import write_answer
    except ImportError:
        raise gr.Error("Exporting answers is not available on this server yet.") from None
    dest = Path(tempfile.mkdtemp(prefix="answer-", dir=export_dir()))
    try:
        return str(write_answer(answers[turn], services.index, fmt, dest, user=user))
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("exporting the answer to %r failed", answers[turn].question[:200])
        raise gr.Error("Exporting the answer failed; the details are in the server log.") from None
