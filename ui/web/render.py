"""HTML for answers, citations and the source panel. Every piece of document text is escaped here.

Answers are wrapped in one block-level `<div>` with no blank lines, so the chat's Markdown renderer
passes them through untouched (document text never turns into Markdown or HTML).
"""

from __future__ import annotations

import html
import re
from typing import Sequence

from assistant.records import Answer, Citation
from ui.web.reasons import explain

SOURCE_TYPE_LABELS = {
    "primary_law": "Primary law",
    "official_guidance": "Official guidance",
    "secondary": "Secondary source",
}

PANEL_PLACEHOLDER = (
    '<div class="lx-source lx-empty">Click a citation such as <b>[1]</b> in an answer, or pick one '
    "under <i>Sources</i>, to read the passage it comes from.</div>"
)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def source_type_label(source_type: str) -> str:
    return SOURCE_TYPE_LABELS.get(source_type, source_type.replace("_", " ").capitalize() or "Unknown")


def badge(source_type: str) -> str:
    kind = source_type if source_type in SOURCE_TYPE_LABELS else "other"
    return f'<span class="lx-badge lx-badge-{kind}">{esc(source_type_label(source_type))}</span>'


def cite_link(turn: int, n: int) -> str:
    """An inline `[n]`; a click handler in the page opens it in the source panel.

    The chat's HTML sanitizer drops data-* attributes, so turn and number ride in class names."""
    return (f'<a class="lx-cite lx-t{int(turn)} lx-n{int(n)}" role="button" tabindex="0" '
            f'title="Open source {int(n)}">[{int(n)}]</a>')


def where_label(c: Citation) -> str:
    """The quote's place: "Article 6(2) · p. 13 (printed 31) · file.pdf" (its own paragraph, not the chunk's range)."""
    return " · ".join(x for x in (c.provision or c.section, c.page_ref(), c.source) if x)


def citation_label(c: Citation) -> str:
    """One line for the Sources picker, as a lawyer cites: `[n] Title, Article 6(2), p. 13 (printed 31)`."""
    return f"[{c.n}] {c.reference()}"


def sentence_html(s, turn: int) -> str:
    """One answer sentence with its [n] links; an unsupported one is visibly marked."""
    links = "".join(cite_link(turn, n) for n in s.citations)
    if s.supported:
        return f'<span class="lx-sent lx-verified">{esc(s.text)} {links}</span>'
    return (f'<span class="lx-sent lx-unsupported" title="The cited passages do not clearly support '
            f'this sentence">{esc(s.text)} {links} <span class="lx-flag">⚠ not verified</span></span>')


def answer_html(answer: Answer, turn: int, upto: int | None = None, streaming: bool = False) -> str:
    """The chat bubble for one answer; `upto` sentences only while streaming. The bubble's class names its
    turn (`lx-a<turn>`), so a thumbs-up on the bubble finds its answer."""
    if answer.status != "answered":
        return _insufficient_html(answer, turn)
    sentences = answer.sentences if upto is None else answer.sentences[:upto]
    parts = [sentence_html(s, turn) for s in sentences]
    if not answer.sentences:  # an answered status without sentences: show the text, escaped
        parts.append(f'<span class="lx-sent">{esc(answer.answer)}</span>')
    body = " ".join(parts) + ('<span class="lx-cursor">▍</span>' if streaming else "")
    footer = "" if streaming else _footer(answer)
    return f'<div class="lx-answer lx-a{int(turn)}">{body}{footer}</div>'


STAGE_TEXT = {
    "retrieving": "Searching the documents…",
    "drafting": "Writing a draft with {backend}…",
    "quoting": "Choosing the sentences of the passages that answer it…",
    "verifying": "Checking each sentence against its source…",
}


def progress_html(stage: str, turn: int, backend: str = "", draft: str = "", checked=(), words: int = 0) -> str:
    """The bubble while an answer is made: the stage, an LLM's draft as it is written (not yet checked,
    shown greyed), and the sentences already verified, each with its mark."""
    key = "quoting" if stage == "drafting" and backend == "extractive" else stage  # no model writes a draft
    status = STAGE_TEXT.get(key, "Working…").format(backend=esc(backend or "the model"))
    if stage == "drafting" and words:
        status += f" {words} word{'s' if words != 1 else ''} so far"
    done = " ".join(sentence_html(s, turn) for s in checked)
    body = done + ('<span class="lx-cursor">▍</span>' if done else "")
    pending = f'<div class="lx-draft" title="Not checked yet">{esc(draft)}</div>' if draft and not checked else ""
    return (f'<div class="lx-answer lx-pending-answer">{body}{pending}'
            f'<div class="lx-stage lx-stage-{esc(stage)}">{status}</div></div>')


def _footer(answer: Answer) -> str:
    unsupported = sum(1 for s in answer.sentences if not s.supported)
    notes = [f"{len(answer.citations)} source{'s' if len(answer.citations) != 1 else ''}"]
    if unsupported:
        notes.append(f"{unsupported} sentence{'s' if unsupported != 1 else ''} not verified")
    notes.append(esc(answer.backend))
    total = answer.timings_ms.get("total")
    if total:
        notes.append(f"{total / 1000:.1f} s")
    return f'<div class="lx-meta">{" · ".join(notes)}</div>'


def _insufficient_html(answer: Answer, turn: int) -> str:
    why = explain(answer)
    head = (f'<div class="lx-insufficient-head">{esc(why.head)}</div>'
            f'<div class="lx-insufficient-text">{esc(why.text)}</div>')
    kind = f"lx-why-{why.kind}"
    if not answer.citations:
        return f'<div class="lx-insufficient {kind} lx-a{int(turn)}">{head}</div>'
    items = "".join(
        f'<li>{cite_link(turn, c.n)} {esc(c.title or c.source)} '
        f'<span class="lx-where">{esc(where_label(c))}</span>'
        f'<div class="lx-snippet">{esc(_snippet(c.quote or c.passage))}</div></li>'
        for c in answer.citations
    )
    return (f'<div class="lx-insufficient {kind} lx-a{int(turn)}">{head}<div class="lx-closest">Closest passages '
            f'(they do not answer the question):</div><ol class="lx-closest-list">{items}</ol></div>')


def _snippet(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def locate(passage: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `passage`: exact, else ignoring case and runs of whitespace."""
    if not quote or not passage:
        return None
    i = passage.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), passage, flags=re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def highlight(passage: str, quote: str) -> str:
    span = locate(passage, quote)
    if span is None:
        return esc(passage)
    i, j = span
    return f"{esc(passage[:i])}<mark>{esc(passage[i:j])}</mark>{esc(passage[j:])}"


def source_panel_html(c: Citation, note: str = "") -> str:
    """The passage of citation [n] with its quote highlighted; `note` (the document's manifest note, such
    as a warning that it is unverified) comes first, above everything else."""
    passage = c.passage or c.quote
    quote_note = ""
    if c.passage and locate(c.passage, c.quote) is None and c.quote:
        quote_note = f'<div class="lx-quote">Quoted: “{esc(c.quote)}”</div>'
    page = f'<span class="lx-page">{esc(c.page_ref().replace("p. ", "Page ", 1))}</span>' if c.page else ""
    where = c.provision or c.section
    section = f'<span class="lx-section">{esc(where)}</span>' if where else ""
    note_html = (f'<div class="lx-source-note" role="note"><b>Note on this source:</b> {esc(note)}</div>'
                 if note else "")
    return (
        f'<div class="lx-source" data-n="{int(c.n)}">{note_html}'
        f'<div class="lx-source-head"><span class="lx-num">[{int(c.n)}]</span>{badge(c.source_type)}</div>'
        f'<div class="lx-title">{esc(c.title or c.source)}</div>'
        f'<div class="lx-where">{page}{section}<span class="lx-file">{esc(c.source)}</span></div>'
        f'{quote_note}<blockquote class="lx-passage">{highlight(passage, c.quote)}</blockquote>'
        f'<div class="lx-cite-as">Cite as: {esc(c.reference())}</div>'
        "</div>"
    )


def empty_index_html(corpus_dir: str) -> str:
    return (
        '<div class="lx-notice">No documents are indexed yet, so there is nothing to answer from. '
        "Add files in the <b>Library</b> tab, or run "
        f"<code>lexcite ingest {esc(corpus_dir)}/</code> on the server and reload this page.</div>"
    )


def library_summary_md(status, by_type: dict[str, int], last_ingest: str) -> str:
    types = ", ".join(f"{source_type_label(t).lower()} ({n})" for t, n in sorted(by_type.items())) or "none"
    return (
        f"**{status.documents}** documents · **{status.chunks}** passages · source types: {types} · "
        f"last ingest: {last_ingest} · store: {status.store}"
    )


def report_md(report, rejected: Sequence[tuple[str, str]] = (), notes: Sequence[tuple[str, str]] = ()) -> str:
    lines = [
        f"**Ingest finished:** {report.added} added, {report.updated} updated, {report.unchanged} "
        f"unchanged, {report.removed} removed, {len(report.failed)} failed; {report.chunks} passages "
        "indexed in total."
    ]
    for name, what in notes:
        lines.append(f"- **Note:** `{_md_code(name)}` {_md_text(what)}")
    for name, why in rejected:
        lines.append(f"- **Not uploaded:** `{_md_code(name)}`: {_md_text(why)}")
    for f in report.failed:
        lines.append(f"- **Failed:** `{_md_code(f.path)}` could not be read and was not kept: {_md_text(f.error)}")
    return "\n".join(lines)


def _md_code(text: str) -> str:
    return str(text).replace("`", "'").replace("\n", " ")


def _md_text(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|~])", r"\\\1", html.escape(str(text).replace("\n", " "), quote=False))
