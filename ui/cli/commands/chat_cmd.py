"""`lexcite chat`: a cited conversation in the terminal (the loop and its commands: ui/cli/chat.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lexcite.registry import BACKENDS
from ui.cli.commands.ask_cmd import os_user, require_index

COMMANDS = ("chat",)


@click.command()
@click.option("--backend", default=None, help=f"{BACKENDS.help()} (LEXCITE_BACKEND).")
@click.option("--k", type=int, default=None, help="Passages retrieved per question (LEXCITE_K).")
@click.option("--export-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder /export writes into (LEXCITE_EXPORT_DIR, default exports/).")
@click.pass_obj
def chat(obj, backend: str | None, k: int | None, export_dir: Path | None) -> None:
    """Talk with the documents: ask, then ask follow-ups; every answer cited, its sources listed.

    Commands: /sources (full quotes of the last answer), /export md|docx [DIR] (a record for a case file),
    /new (new conversation), /help, /quit. Ctrl-D or Ctrl-C at the prompt leaves. Reads questions from a
    pipe too (one per line)."""
    from rich.console import Console

    from ui.cli.chat import ChatSession, read_lines, run
    from ui.export import write_answer

    settings = obj.settings.with_overrides(backend=backend, k=k, export_dir=export_dir)
    require_index(settings)  # chatting never creates a data directory
    assistant = obj.with_settings(settings).assistant
    assistant.index.require_nonempty()
    stdin = click.get_text_stream("stdin")
    interactive = _isatty(stdin) and _isatty(sys.stdout)
    console = Console(file=click.get_text_stream("stdout"), highlight=False, soft_wrap=False,
                      force_terminal=None if interactive else False)
    user = os_user()

    def export(answer, fmt: str, folder: Path | None) -> Path:
        return write_answer(answer, assistant.index, fmt, folder or settings.export_dir, user=user)

    session = ChatSession(assistant, console, export, user=user, live=interactive)
    run(session, read_lines(stdin, console, interactive))


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
