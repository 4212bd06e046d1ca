"""One chat turn as it happens: the question at once, then the answer as the assistant makes it.

The assistant's event stream (`assistant.stream`: stages, an LLM's tokens, each sentence once verified,
then the answer) becomes a sequence of chat updates: "Searching the documents…", the draft growing as an
LLM writes it, the checked sentences with their marks, and last the finished answer with its sources.
An assistant without `stream` is asked once and its sentences are shown one by one.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import closing
from dataclasses import dataclass
from typing import Iterator, Sequence

import gradio as gr

from assistant.records import Answer
from assistant.stream import Checked, Done, Stage, Token
from lexcite.errors import LexciteError, NoIndexError
from lexcite.text import is_text
from ui.web import render
from ui.web.inline import Invalid
from ui.services import Services, Streams

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
PENDING = '<div class="lx-answer lx-pending">Searching the documents…</div>'
FINISHED = re.compile(r"\blx-a\d+\b")  # the class of a finished answer's bubble
FAILED = "Something went wrong while answering; the details are in the server log. Please try again."


def clean_question(question: str | None) -> str:
    if question is not None and not isinstance(question, str):
        raise Invalid("The question must be text.")
    q = (question or "").strip()
    if not q:
        raise Invalid("Type a question first.")
    if not is_text(q):
        raise Invalid("The question contains characters that are not valid text (a broken encoding); retype it.")
    if len(q) > MAX_QUESTION:
        raise Invalid(f"That question is {len(q)} characters long; please keep it under {MAX_QUESTION}.")
    return q


def history_pairs(answers: Sequence[Answer]) -> list[tuple[str, str]]:
    """The conversation so far as (user, assistant) pairs, for follow-up questions."""
    return [(a.question, a.answer) for a in answers]


def _backend(services: Services, backend: str | None) -> str | None:
    """None for the configured default (the assistant's own choice), else the picked backend."""
    return backend if backend and backend != services.settings.backend else None


def ask(services: Services, question: str, answers: Sequence[Answer], backend: str | None,
        user: str | None = None) -> Answer:
    """One answer, with the session's conversation as context, audited under `user` (the signed-in
    name, None without a login). Raises LexciteError for the caller."""
    return services.assistant.ask(question, history=history_pairs(answers), backend=_backend(services, backend),
                                  user=user)


def events(services: Services, question: str, answers: Sequence[Answer], backend: str | None,
           user: str | None = None) -> Iterator:
    """The assistant's events for one question (an assistant that cannot stream: its answer, sentence by sentence)."""
    a = services.assistant
    if isinstance(a, Streams):
        return a.stream(question, history=history_pairs(answers), backend=_backend(services, backend), user=user)
    return _replayed(ask(services, question, answers, backend, user))


def _replayed(answer: Answer) -> Iterator:
    yield Stage("retrieving")
    for s in answer.sentences if answer.status == "answered" else ():
        yield Checked(s)
    yield Done(answer)


@dataclass
class ChatUpdate:
    messages: list[dict]
    answers: list[Answer]
    done: bool = False
    answer: Answer | None = None


def respond(services: Services, question: str, messages: list[dict] | None, answers: list[Answer] | None,
            backend: str | None = None, delay: float = 0.0, user: str | None = None) -> Iterator[ChatUpdate]:
    """Stream one chat turn: the question, the answer's progress, then the verified answer. `delay` paces
    sentences that arrive at once, so the answer visibly builds up."""
    question = clean_question(question)
    answers = list(answers or [])
    messages = list(messages or []) + [
        {"role": "user", "content": render.esc(question)},
        {"role": "assistant", "content": PENDING},
    ]
    yield ChatUpdate(list(messages), list(answers))
    turn, name = len(answers), backend or services.settings.backend
    stage, draft, checked, shown = "retrieving", "", [], PENDING

    def bubble(html: str) -> ChatUpdate:
        messages[-1] = {"role": "assistant", "content": html}
        return ChatUpdate(list(messages), list(answers))

    answer = None
    try:
        with closing(events(services, question, answers, backend, user)) as stream:
            for ev in stream:
                if isinstance(ev, Done):
                    answer = ev.answer
                    break
                if isinstance(ev, Stage):
                    stage = ev.name
                elif isinstance(ev, Token):
                    draft += ev.text
                elif isinstance(ev, Checked) and ev.kept:
                    checked.append(ev.sentence)
                html = PENDING if stage == "retrieving" and not (draft or checked) else render.progress_html(
                    stage, turn, name, draft, checked, len(draft.split()))
                if html != shown:
                    shown = html
                    yield bubble(html)
                    if delay and isinstance(ev, Checked):
                        time.sleep(delay)
        if answer is None:
            raise RuntimeError("the answer stream ended without an answer")
    except NoIndexError:
        yield _finished(bubble(render.empty_index_html(str(services.settings.corpus_dir))))
        return
    except LexciteError as exc:
        yield _finished(bubble(f'<div class="lx-error">{render.esc(exc)}</div>'), warn=str(exc))
        return
    except Exception:
        log.exception("answering %r failed", question[:200])
        yield _finished(bubble(f'<div class="lx-error">{FAILED}</div>'), warn=FAILED)
        return
    answers.append(answer)
    messages[-1] = {"role": "assistant", "content": render.answer_html(answer, turn)}
    yield ChatUpdate(list(messages), list(answers), done=True, answer=answer)


def _finished(update: ChatUpdate, warn: str = "") -> ChatUpdate:
    if warn:
        gr.Warning(warn)
    update.done = True
    return update


def stopped_messages(messages: list[dict] | None) -> list[dict]:
    """The conversation after the person pressed Stop: the unfinished answer says it was stopped."""
    messages = list(messages or [])
    if messages and messages[-1].get("role") == "assistant" and not FINISHED.search(str(messages[-1].get("content"))):
        messages[-1] = {"role": "assistant",
                        "content": '<div class="lx-answer lx-stopped">Stopped — no answer was given. '
                                   "Ask again, or pick a faster backend.</div>"}
    return messages
