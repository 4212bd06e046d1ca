"""`lexcite chat`: a conversation in the terminal. Each question is asked with the conversation so far (so a
follow-up such as "and the penalty?" is understood), answered with citations, and its sources listed.

Lines starting with "/" are commands (COMMANDS below). Input is read line by line from stdin, so a chat can be
scripted through a pipe as well as typed; Ctrl-D (end of input) or Ctrl-C at the prompt ends it, Ctrl-C while
an answer is being made cancels that answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence, TextIO

from rich.console import Console
from rich.text import Text

from assistant.records import Answer
from assistant.stream import Checked, Done, Stage, Token
from ingest.index import Index
from lexcite.errors import LexciteError
from ui.cli.chat_view import StreamView, answer_view, sources_view
from ui.cli.text import check_question, plural

COMMANDS = {
    "/sources": "the full quotes of the last answer, with their files",
    "/export md|docx [DIR]": "write the last answer as a record for a case file",
    "/new": "start a new conversation (forget the questions so far)",
    "/help": "this list",
    "/quit": "leave (also Ctrl-D, or Ctrl-C at the prompt)",
}


class ChatAssistant(Protocol):
    """What the chat uses of `assistant.service.Assistant`."""

    index: Index

    def stream(self, question: str, history: Sequence[tuple[str, str]] | None = None, backend: str | None = None,
               k: int | None = None, user: str | None = None) -> Iterator: ...


Exporter = Callable[[Answer, str, Path | None], Path]


@dataclass
class ChatSession:
    assistant: ChatAssistant
    console: Console
    export: Exporter
    user: str | None = None
    backend: str | None = None
    k: int | None = None
    live: bool = False  # show the stage and each checked sentence while answering (a terminal)
    answers: list[Answer] = field(default_factory=list)

    @property
    def history(self) -> list[tuple[str, str]]:
        return [(a.question, a.answer) for a in self.answers]

    def greet(self) -> None:
        catalog = self.assistant.index.catalog
        docs, chunks = len(catalog.documents()), catalog.count_chunks()
        self.console.print(Text(f"Lexcite chat: {plural(docs, 'document')}, {plural(chunks, 'passage')} indexed. "
                                "Ask a question; follow-ups keep the conversation. /help lists the commands, "
                                "/quit or Ctrl-D leaves.", style="dim"))

    def handle(self, line: str) -> bool:
        """One line of input; False when the chat should end."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self.command(line)
        self.ask(line)
        return True

    # ---- questions -----------------------------------------------------------------------------------
    def ask(self, question: str) -> None:
        try:
            check_question(question)
            answer = self._answer(question)
        except KeyboardInterrupt:
            self.console.print(Text("(answer cancelled)", style="yellow"))
            return
        except LexciteError as exc:  # an LLM server down, a bad question: say so, keep the conversation
            self.console.print(Text(f"error: {exc}", style="red"))
            return
        self.answers.append(answer)
        self.console.print(answer_view(answer))
        self.console.print(sources_view(answer))

    def _answer(self, question: str) -> Answer:
        events = self.assistant.stream(question, history=self.history, backend=self.backend, k=self.k,
                                       user=self.user)
        if not self.live:
            return _last_answer(events)
        with StreamView(self.console) as view:
            for event in events:
                if isinstance(event, Stage):
                    view.on_stage(event.name)
                elif isinstance(event, Token):
                    view.on_token(event.text)
                elif isinstance(event, Checked):
                    view.on_checked(event.sentence, event.kept)
                elif isinstance(event, Done):
                    return event.answer
        raise LexciteError("the answer stopped before it was finished; ask again")

    # ---- commands ------------------------------------------------------------------------------------
    def command(self, line: str) -> bool:
        name, *args = line.split(None, 2)  # "/export md My Cases/41": the folder may hold spaces
        name = name.lower()
        if name in ("/quit", "/exit", "/q"):
            return False
        if name in ("/help", "/?"):
            for usage, what in COMMANDS.items():
                self.console.print(Text(f"{usage:24} {what}"))
        elif name == "/new":
            self.answers.clear()
            self.console.print(Text("New conversation: earlier questions are forgotten.", style="dim"))
        elif name == "/sources":
            if self._need_answer():
                self.console.print(sources_view(self.answers[-1], full=True))
        elif name == "/export":
            self._export(args)
        else:
            self.console.print(Text(f"unknown command {name}; /help lists the commands", style="yellow"))
        return True

    def _export(self, args: list[str]) -> None:
        if not args or args[0].lower() not in ("md", "docx"):
            self.console.print(Text("usage: /export md|docx [DIR]", style="yellow"))
            return
        if not self._need_answer():
            return
        try:
            path = self.export(self.answers[-1], args[0].lower(), Path(args[1].strip()) if len(args) > 1 else None)
        except LexciteError as exc:
            self.console.print(Text(f"error: {exc}", style="red"))
            return
        self.console.print(Text(f"exported: {path}", style="green"), soft_wrap=True)  # whole, to copy

    def _need_answer(self) -> bool:
        if not self.answers:
            self.console.print(Text("No answer yet: ask a question first.", style="yellow"))
        return bool(self.answers)


def _last_answer(events: Iterable) -> Answer:
    for event in events:
        if isinstance(event, Done):
            return event.answer
    raise LexciteError("the answer stopped before it was finished; ask again")


def read_lines(stdin: TextIO, console: Console, interactive: bool) -> Iterator[str]:
    """Lines typed at a "you>" prompt (a terminal), or read from a pipe and echoed after ">" so a transcript
    shows each question above its answer. Ends at end of input."""
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and ↑ for earlier questions at the prompt
        except ImportError:  # not on every platform
            pass
    while True:
        if interactive:
            try:
                yield console.input(Text("you> ", style="bold cyan"))
            except EOFError:
                console.print()
                return
        else:
            line = stdin.readline()
            if not line:
                return
            if line.strip():
                console.print(Text(f"> {line.strip()}", style="bold"))
            yield line


def run(session: ChatSession, lines: Iterable[str]) -> None:
    """The conversation until /quit, end of input or Ctrl-C at the prompt."""
    session.greet()
    try:
        for line in lines:
            if not session.handle(line):
                break
    except KeyboardInterrupt:  # Ctrl-C at the prompt: leave quietly
        session.console.print()
    session.console.print(Text(f"Bye ({plural(len(session.answers), 'answer')} in this conversation).",
                               style="dim"))
