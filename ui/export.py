"""Answer records for case files: `write_answer(answer, index, "md" | "docx", dest_dir, user)`.

A record holds the question, the answer with its verification marks and, for every quote, where it
stands (instrument, provision, PDF page and printed page, character span) and how to re-check it (the
sha256 of the file's bytes, the extractor and chunker versions that made the text). Each quote is checked
against the index while the record is written, and written verbatim: a Markdown quote sits in a fenced
block, a Word quote in its own "Quote" paragraph, so nothing a renderer does changes its characters.
`lexcite ask --export`, `/export` in `lexcite chat` and the web app's Export button all call `write_answer`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from assistant.records import Answer, Citation
from ingest.catalog import Catalog
from lexcite import __version__
from lexcite.errors import ConfigError

FORMATS = ("md", "docx")
NOT_RECORDED = "not recorded (ingested before Lexcite kept it: run `lexcite ingest` again to record it)"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ExportFormatError(ConfigError):
    """An export format Lexcite cannot write."""


class ExportIndex(Protocol):
    """What the export reads of `ingest.index.Index`: the catalog (document provenance, stored chunks)."""

    catalog: Catalog


@dataclass(frozen=True)
class QuoteRecord:
    """One quote of an answer, with everything needed to find it again in the source file."""

    n: int
    title: str
    provision: str
    section: str
    page: int | None
    page_label: str
    source: str
    source_type: str
    quote: str
    start: int
    end: int
    chunk_id: str
    sha256: str
    extractor: str
    chunker_version: str
    check: str  # what the export found when it compared the quote with the indexed text

    @property
    def page_text(self) -> str:
        if not self.page:
            return "none (the format has no pages)"
        printed = f", printed page {self.page_label}" if self.page_label else ", no printed page number"
        return f"PDF page {self.page}{printed}"


@dataclass(frozen=True)
class AnswerRecord:
    question: str
    standalone_question: str
    status: str
    answer: str
    sentences: tuple[tuple[str, tuple[int, ...], bool, float], ...]  # text, citations, supported, score
    quotes: tuple[QuoteRecord, ...]
    created: datetime
    backend: str
    model: str
    user: str

    @property
    def answered(self) -> bool:
        return self.status == "answered"


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ExportFormatError(f"cannot export an answer as {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return fmt


def write_answer(answer: Answer, index: ExportIndex, fmt: str, dest_dir: Path, user: str | None = None) -> Path:
    """Writes <dest_dir>/<name>.md or .docx (fmt "md" | "docx"): the question, the answer, each quote with
    instrument (title), provision path, PDF page and printed page label, the document's sha256, extractor
    and chunker version, the time, backend, model and user: a record an officer can attach to a case file and
    anyone can re-check against the source."""
    check_format(fmt)
    record = build_record(answer, index.catalog, user)
    data = render_markdown(record).encode("utf-8") if fmt == "md" else render_docx(record)
    dest_dir = Path(dest_dir)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        return _write_new(dest_dir, file_stem(record), fmt, data)
    except OSError as exc:
        raise ConfigError(f"cannot write the answer record into {dest_dir} ({exc.strerror or exc}); choose a "
                          "writable folder (--export-dir, or the export_dir setting)") from None


def build_record(answer: Answer, catalog: Catalog, user: str | None = None,
                 now: datetime | None = None) -> AnswerRecord:
    return AnswerRecord(
        question=answer.question, standalone_question=answer.standalone_question or answer.question,
        status=answer.status, answer=answer.answer,
        sentences=tuple((s.text, tuple(s.citations), s.supported, float(s.score)) for s in answer.sentences),
        quotes=tuple(_quote(c, catalog) for c in answer.citations),
        created=now or datetime.now(timezone.utc), backend=answer.backend, model=answer.model, user=user or "",
    )


def _quote(c: Citation, catalog: Catalog) -> QuoteRecord:
    doc = catalog.document(c.source)
    prov = doc.provenance if doc else None
    chunk = catalog.get_chunks([c.chunk_id]).get(c.chunk_id)
    if chunk is None:
        check = ("NOT FOUND in the index: the document was re-ingested or removed since the answer; "
                 "re-check the quote against the file")
    elif chunk.text[c.start - chunk.start:c.end - chunk.start] == c.quote:
        check = "verbatim in the indexed text at export time"
    else:
        check = "DIFFERS from the indexed text: re-check the quote against the file"
    return QuoteRecord(
        n=c.n, title=c.title or c.source, provision=c.provision or c.section, section=c.section, page=c.page,
        page_label=c.page_label, source=c.source, source_type=c.source_type, quote=c.quote, start=c.start,
        end=c.end, chunk_id=c.chunk_id, sha256=(prov.sha256 if prov else "") or NOT_RECORDED,
        extractor=(prov.extractor if prov else "") or NOT_RECORDED,
        chunker_version=(prov.chunker_version if prov else "") or NOT_RECORDED, check=check,
    )


# ---- file names ------------------------------------------------------------------------------------

def file_stem(record: AnswerRecord) -> str:
    """`answer-20261201-144012-what-must-be-done-before` (UTC time, the question's first words)."""
    ascii_text = unicodedata.normalize("NFKD", record.question).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words[:6])[:48].strip("-") or "question"
    return f"answer-{record.created.strftime('%Y%m%d-%H%M%S')}-{slug}"


def _write_new(folder: Path, stem: str, fmt: str, data: bytes) -> Path:
    """Write under a name nobody holds yet (two exports in one second get -2, -3 ...): never overwrite."""
    for n in range(1, 1000):
        path = folder / f"{stem}{'' if n == 1 else f'-{n}'}.{fmt}"
        try:
            with open(path, "xb") as fh:
                fh.write(data)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder / stem} and 998 numbered variants exist")


# ---- shared wording --------------------------------------------------------------------------------

def _facts(r: AnswerRecord) -> list[tuple[str, str]]:
    facts = [("Question", r.question)]
    if r.standalone_question != r.question:
        facts.append(("Answered as", r.standalone_question))
    facts += [
        ("Status", "answered" if r.answered else "not answered (the answer below says why)"),
        ("Time", r.created.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("Backend", r.backend + (f" (model {r.model})" if r.model else "")),
        ("User", r.user or "not recorded"),
        ("Written by", f"Lexcite {__version__}"),
    ]
    return facts


def _quote_facts(q: QuoteRecord) -> list[tuple[str, str]]:
    provision = q.provision + (f" (passage labelled {q.section})" if q.section and q.section != q.provision else "")
    return [
        ("Instrument", q.title), ("Provision", provision or "none (the text has no numbered provisions)"),
        ("Page", q.page_text), ("File", f"{q.source} ({q.source_type.replace('_', ' ')})"),
        ("Document sha256", q.sha256), ("Extractor", q.extractor), ("Chunker version", q.chunker_version),
        ("Position", f"characters {q.start}–{q.end} of the extracted text (chunk {q.chunk_id})"),
        ("Check", q.check),
    ]


def _sentence_line(text: str, cites: tuple[int, ...], supported: bool, score: float) -> str:
    mark = "verified" if supported else "NOT verified"
    refs = ", ".join(f"[{n}]" for n in cites) or "no citation"
    return f"{mark} ({score:.2f}), cites {refs}: {text}"


HOW_TO_CHECK = [
    "Compute the sha256 of the file named under each quote (`sha256sum FILE`, or `Get-FileHash FILE` on "
    "Windows); it must equal the document sha256 recorded here, else the file is not the one that was quoted.",
    "Open the file at the page given (search it, for a file without pages) and find the quote: it is copied "
    "character for character from the text the extractor made of the file (line breaks and spacing may differ "
    "from the printed layout).",
    "To check mechanically: the quote is the text between the two character positions given under it, in the "
    "text the named extractor makes of the file; Lexcite with the same loader and chunker versions makes the "
    "same text (`lexcite inspect FILE --json` lists its passages with their positions).",
]


# ---- Markdown --------------------------------------------------------------------------------------

def render_markdown(r: AnswerRecord) -> str:
    out = ["# Lexcite answer record", ""]
    out += [f"- **{k}:** {_one_line(v)}" for k, v in _facts(r)]
    out += ["", "## Answer", "", r.answer.strip(), ""]
    if r.sentences:
        out += ["### Sentence by sentence", ""]
        out += [f"{i}. {_one_line(_sentence_line(*s))}" for i, s in enumerate(r.sentences, 1)]
        out.append("")
    out += ["## Quotes" if r.answered else "## Closest passages (not an answer)", ""]
    if not r.quotes:
        out += ["No passage is quoted.", ""]
    for q in r.quotes:
        out += [f"### [{q.n}] {_one_line(', '.join(x for x in (q.title, q.provision) if x))}", ""]
        out += [f"- **{k}:** {_one_line(v)}" for k, v in _quote_facts(q)]
        fence = "~" * max(3, 1 + max((len(m) for m in re.findall(r"~+", q.quote)), default=0))
        out += ["", "Quote (verbatim):", "", f"{fence}text", q.quote, fence, ""]
    out += ["## How to re-check this record", ""]
    out += [f"{i}. {step}" for i, step in enumerate(HOW_TO_CHECK, 1)]
    return "\n".join(out) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def fenced_quotes(markdown: str) -> list[str]:
    """The verbatim quotes of a Markdown record, in order (what a checker reads back)."""
    return [m.group(2) for m in re.finditer(r"^(~{3,})text\n(.*?)\n\1$", markdown, re.S | re.M)]


# ---- Word ------------------------------------------------------------------------------------------

def render_docx(r: AnswerRecord) -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = f"Lexcite answer record: {_xml_safe(r.question)[:200]}"
    d.core_properties.author = r.user or "Lexcite"
    d.add_heading("Lexcite answer record", level=0)
    _facts_table(d, _facts(r))
    d.add_heading("Answer", level=1)
    d.add_paragraph(_xml_safe(r.answer.strip()))
    if r.sentences:
        d.add_heading("Sentence by sentence", level=2)
        for s in r.sentences:
            d.add_paragraph(_xml_safe(_sentence_line(*s)), style="List Number")
    d.add_heading("Quotes" if r.answered else "Closest passages (not an answer)", level=1)
    if not r.quotes:
        d.add_paragraph("No passage is quoted.")
    for q in r.quotes:
        d.add_heading(_xml_safe(f"[{q.n}] " + ", ".join(x for x in (q.title, q.provision) if x)), level=2)
        _facts_table(d, _quote_facts(q))
        d.add_paragraph("Quote (verbatim):")
        d.add_paragraph(style="Quote").add_run(_xml_safe(q.quote))
    d.add_heading("How to re-check this record", level=1)
    for step in HOW_TO_CHECK:
        d.add_paragraph(step, style="List Number")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _facts_table(d, facts: list[tuple[str, str]]) -> None:
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in facts:
        cells = table.add_row().cells
        cells[0].text = key
        cells[1].text = _xml_safe(value)
        cells[0].paragraphs[0].runs[0].bold = True


def _xml_safe(text: str) -> str:
    """Word cannot hold control characters or lone surrogates: they are shown as U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)
