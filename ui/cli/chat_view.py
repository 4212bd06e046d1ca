"""How `lexcite chat` shows an answer in a terminal (rich): the cited sentences with their verification
marks, the sources (title, provision, page, quote), and, while an answer is made, its stage and each
sentence as soon as it is checked. Everything is built from `Text` objects, never markup strings, so a
"[1]" in an answer or a quote is printed as written."""

from __future__ import annotations

import time

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.padding import Padding
from rich.panel import Panel
from rich.spinner import Spinner
from rich.text import Text

from assistant.records import Answer, Citation, Sentence
from ui.cli.text import plural, snippet

STAGE_WORDS = {"retrieving": "searching the documents", "drafting": "drafting", "verifying": "checking each sentence"}
SOURCE_TYPE_WORDS = {"primary_law": "primary law", "official_guidance": "official guidance", "secondary": "secondary source"}


def _sentence(s: Sentence, with_mark: bool = True) -> Text:
    t = Text(s.text)
    if s.citations:
        t.append(" " + "".join(f"[{n}]" for n in s.citations), style="cyan")
    if with_mark:
        t.append(" ✓" if s.supported else " (not verified)", style="green" if s.supported else "yellow")
    return t


def answer_view(a: Answer) -> RenderableType:
    """The answer in a panel: one line per sentence (answered), or the reason it was not answered."""
    if a.status == "answered" and a.sentences:
        body: RenderableType = Group(*(_sentence(s) for s in a.sentences))
        title, style = "Answer", "green"
    else:
        body = Text(a.answer)
        title, style = "Not answered", "yellow"
    seconds = a.timings_ms.get("total", 0.0) / 1000
    by = a.backend + (f", {a.model}" if a.model else "")
    return Panel(body, title=title, title_align="left", border_style=style,
                 subtitle=f"{by} · {seconds:.1f} s", subtitle_align="right")


def _source(c: Citation, full: bool) -> RenderableType:
    head = Text(f"[{c.n}] ", style="cyan")
    head.append(c.reference(), style="bold")
    kind = SOURCE_TYPE_WORDS.get(c.source_type, c.source_type)
    lines: list[RenderableType] = [head]
    if full:
        lines.append(Padding(Text(f"{c.source} ({kind})", style="dim"), (0, 0, 0, 4), expand=False))
        lines.append(Padding(Text(f"“{c.quote}”", style="italic"), (0, 0, 0, 4), expand=False))
    else:
        lines.append(Padding(Text(f"“{snippet(c.quote, 160)}”", style="italic"), (0, 0, 0, 4), expand=False))
    return Group(*lines)


def sources_view(a: Answer, full: bool = False) -> RenderableType:
    """The answer's citations: reference (title, provision, page) and the quote, cut at a word (full: whole)."""
    if not a.citations:
        return Text("No sources: nothing in the documents was close enough.", style="dim")
    heading = "Sources" if a.status == "answered" else "Closest passages"
    return Group(Text(f"{heading} ({plural(len(a.citations), 'quote')})", style="bold underline"),
                 *(_source(c, full) for c in a.citations))


class StreamView:
    """While an answer is made: the stage, the LLM's draft so far, each sentence once checked (a terminal only;
    transient, so the final answer replaces it)."""

    def __init__(self, console: Console):
        self.console = console
        self.stage = "retrieving"
        self.draft = ""
        self.checked: list[tuple[Sentence, bool]] = []
        self.started = time.monotonic()
        self.spinner = Spinner("dots")  # one spinner, so it turns between refreshes
        self.live = Live(self, console=console, transient=True, refresh_per_second=8)

    def __enter__(self) -> "StreamView":
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def on_stage(self, name: str) -> None:
        self.stage = name
        self.live.refresh()

    def on_token(self, text: str) -> None:
        self.draft += text

    def on_checked(self, sentence: Sentence, kept: bool) -> None:
        self.checked.append((sentence, kept))
        self.live.refresh()

    def __rich__(self) -> RenderableType:
        seconds = time.monotonic() - self.started
        self.spinner.update(text=Text(f"{STAGE_WORDS.get(self.stage, self.stage)} … {seconds:.0f} s", style="dim"))
        parts: list[RenderableType] = [self.spinner]
        if self.draft and not self.checked:
            parts.append(Text(snippet(self.draft[-400:], 240), style="dim"))
        for s, kept in self.checked:
            parts.append(_sentence(s) if kept else Text(f"dropped (not supported): {snippet(s.text, 120)}", style="dim"))
        return Group(*parts)
