"""`lexcite chat`: a trainer asks a question and a follow-up in the terminal, reads cited answers with their
sources in 80 columns, lists the full quotes, exports the answer for a file, starts over, and leaves with
/quit, Ctrl-D or Ctrl-C. Driven through stdin like a pipe, and once through a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.answering import STATUTE, ingest_texts
from tests.support.serve_process import CLI, cli_env
from ui.cli.main import main

FIRST = "What must be done before an organ is removed from a living donor?"
FOLLOW_UP = "Can the donor withdraw it?"


def chat(data_dir: Path, *lines: str, args: tuple[str, ...] = ()):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "chat", *args], input="".join(f"{x}\n" for x in lines),
                              catch_exceptions=False)


def exported(output: str) -> list[Path]:
    return [Path(p) for p in re.findall(r"^exported: (.+)$", output, re.M)]


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.integration
def test_a_follow_up_is_answered_in_the_context_of_the_first_question_in_80_columns(shipped_index, tmp_path):
    out = tmp_path / "case"
    result = chat(shipped_index.data_dir, FIRST, FOLLOW_UP, "/sources", f"/export md {out}", "/quit")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.count("╭─ Answer") == 2
    assert "withdraw consent at any time" in text.split(f"> {FOLLOW_UP}")[1]
    assert "Sources (" in text and "Article 13" in text
    assert "corpus/coe-cets186-transplantation-protocol.md (primary law)" in text  # /sources: the files too
    too_wide = [line for line in text.splitlines() if len(line) > 80 and not line.startswith("exported: ")]
    assert not too_wide, too_wide
    (path,) = exported(text)
    record = path.read_text(encoding="utf-8")
    assert path.parent == out and f"**Question:** {FOLLOW_UP}" in record
    answered_as = re.search(r"\*\*Answered as:\*\* (.*)", record)
    assert answered_as and "organ" in answered_as.group(1).lower()  # the history reached the assistant
    assert "Traceback" not in result.output


@pytest.mark.integration
def test_new_forgets_the_conversation_so_the_next_question_stands_alone(shipped_index, tmp_path):
    result = chat(shipped_index.data_dir, FIRST, "/new", FOLLOW_UP, f"/export md {tmp_path / 'case 41'}")
    assert result.exit_code == 0, result.output
    assert "New conversation" in result.stdout
    (path,) = exported(result.stdout)
    assert path.parent.name == "case 41"  # a folder with a space in its name
    assert "**Answered as:**" not in path.read_text(encoding="utf-8")  # asked without the earlier question


@pytest.mark.integration
def test_commands_without_an_answer_or_with_a_bad_format_say_what_to_do_and_end_of_input_leaves(shipped_index):
    result = chat(shipped_index.data_dir, "/sources", "/export pdf", "/export md", "/frobnicate", "/help")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.count("No answer yet: ask a question first.") == 2  # /sources and /export md
    assert "usage: /export md|docx [DIR]" in text
    assert "unknown command /frobnicate; /help lists the commands" in text
    assert "/new" in text and "/quit" in text  # the /help list
    assert text.rstrip().endswith("Bye (0 answers in this conversation).")  # Ctrl-D: the input just ended


@pytest.mark.integration
def test_chat_without_an_index_says_how_to_make_one(tmp_path):
    result = chat(tmp_path / "nothing-here", FIRST)
    assert result.exit_code == 2 and "run `lexcite ingest" in result.stderr
    assert not (tmp_path / "nothing-here").exists()


# ---- a real terminal -----------------------------------------------------------------------------

def waiting_for_input(pid: int, timeout: float = 10) -> None:
    """Until the process blocks reading the terminal. A SIGINT that lands after the prompt is printed but before
    readline's select() starts is not seen by CPython's readline until a key is pressed: a race no person at a
    keyboard can hit, which a test sending the signal the instant "you>" appears hits under load."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:  # no /proc (not Linux): give the prompt a moment
            time.sleep(0.5)
            return
        if "poll" in wchan or "select" in wchan:
            return
        time.sleep(0.05)


def _as_from_a_shell() -> None:
    """In the child: Ctrl-C delivered and handled as a shell starts a program, whatever this test process's own
    signal disposition or mask is at that moment (the full suite, not this test alone, hung here twice)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _signal_state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return "unknown (no /proc)"
    return "; ".join([line for line in status if line.startswith(("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"))]
                     + [f"wchan {wchan}"])


def read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 120, after: bytes = b"") -> None:
    """Read the terminal into `seen` until `marker` shows (after the last `after`, when given: the next prompt,
    not the one already seen)."""
    poller = select.poll()  # not select(): a long test session may hold more than 1024 descriptors
    poller.register(fd, select.POLLIN)
    end = time.monotonic() + timeout
    while marker not in seen[seen.rfind(after) if after else 0:]:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {marker!r} within {timeout:.0f} s; the terminal showed:\n{seen.decode(errors='replace')}")
        if poller.poll(left * 1000):
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the other end closed
                raise AssertionError(f"the chat ended before {marker!r}:\n{seen.decode(errors='replace')}") from None


@pytest.mark.integration
def test_in_a_terminal_the_answer_streams_and_ctrl_c_at_the_prompt_leaves_cleanly(settings, hash_embedder, tmp_path):
    ingest_texts(settings, hash_embedder, {"act.md": STATUTE})
    env = cli_env(settings.data_dir, LEXCITE_EMBEDDING_MODEL="hash", LEXCITE_VERIFIER="heuristics",
                  LEXCITE_AUDIT_LOG="false", COLUMNS="80", LINES="40", TERM="xterm")
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, *CLI, "chat"], stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=tmp_path, close_fds=True, preexec_fn=_as_from_a_shell)
    os.close(slave)
    seen = bytearray()
    try:
        read_until(master, b"you>", seen)
        os.write(master, b"What is the fine for refusing an inspection?\r")
        read_until(master, b"Sources (", seen)
        read_until(master, b"you>", seen, after=b"Sources (")  # the next prompt: the first is in `seen` already
        waiting_for_input(proc.pid)  # as a person's Ctrl-C would: once the prompt waits, not while it is drawn
        proc.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"Ctrl-C did not end the chat; its signal state: {_signal_state(proc.pid)}") from None
        assert code == 0
        try:
            while True:
                chunk = os.read(master, 65536)
                if not chunk:
                    break
                seen += chunk
        except OSError:
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    screen = seen.decode(errors="replace")
    assert "checking each sentence" in screen  # shown while the answer was made, then replaced by it
    assert "commits an offence" in screen and "Bye (1 answer in this conversation)." in screen
    assert "Traceback" not in screen and "KeyboardInterrupt" not in screen


# ---- an LLM backend in a terminal ----------------------------------------------------------------

@pytest.mark.unit
def test_an_llm_answer_streams_its_checked_sentences_and_drops_the_invented_one(settings, hash_embedder, tmp_path):
    import io

    from rich.console import Console

    from tests.support.answering import assistant_over, scripted
    from ui.cli.chat import ChatSession, run
    from ui.export import write_answer

    reply = ("An inspection must be completed within 48 hours of the vessel's arrival [1]. "
             "Inspectors are paid a bonus of 300 euros per inspection by the Ministry of Finance [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": scripted(reply)}, audit_log=False)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, color_system=None)
    session = ChatSession(a, console, lambda ans, fmt, folder: write_answer(ans, a.index, fmt, folder or tmp_path),
                          backend="openai", live=True)
    run(session, ["How long may an inspection of a vessel take?", "/export md"])
    shown = screen.getvalue()
    assert "dropped (not supported): Inspectors are paid a bonus" in shown  # while it was checked
    final = shown.split("╭─ Answer")[1]
    assert "48 hours" in final and "bonus" not in final and "openai, scripted-1" in final
    assert [s.text for s in session.answers[0].sentences] == [
        "An inspection must be completed within 48 hours of the vessel's arrival."]
    assert "exported: " in shown and list(tmp_path.glob("answer-*.md"))
