"""An officer exports an answer for a case file; anyone can re-check every quote against the source file:
the file's sha256, the quote at its character positions in the text the extractor makes of the file, its
PDF page and printed page. Records never overwrite each other; an unknown format is refused."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from ingest import chunker, loaders
from lexcite.errors import LexciteError
from tests.support.answering import STATUTE, assistant_over
from tests.support.docs import legal_pages
from ui.export import NOT_RECORDED, ExportFormatError, fenced_quotes, write_answer

TITLE = "Convention on the Protection of Example Persons"
FIRST_PRINTED = 31  # the first page prints "Page 31"


def numbered_pdf(path: Path) -> Path:
    """legal_pages() as a real PDF whose pages print "Page 31", "Page 32", "Page 33" at the foot."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(TITLE)
    for i, lines in enumerate(legal_pages()):
        y = height - 60
        c.setFont("Helvetica", 10)
        for line in lines:
            c.drawString(50, y, line)
            y -= 14
        c.setFont("Helvetica", 9)
        c.drawCentredString(width / 2, 36, f"Page {FIRST_PRINTED + i}")
        c.showPage()
    c.save()
    return path


def spans(record_text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"characters (\d+)–(\d+) of the extracted text", record_text)]


def docx_text(path: Path) -> tuple[list[str], str]:
    """The Quote paragraphs of a Word record, and all its text (paragraphs and table cells)."""
    import docx

    d = docx.Document(str(path))
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return quotes, "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.fixture(scope="module")
def pdf_answer(tmp_path_factory, real_embedder):
    """A question answered from a printed-page PDF with the real model (ingested once for the module)."""
    from assistant.service import Assistant
    from ingest.pipeline import Ingestor
    from lexcite.settings import load_settings

    base = tmp_path_factory.mktemp("export")
    corpus = base / "corpus"
    corpus.mkdir()
    pdf = numbered_pdf(corpus / "convention.pdf")
    settings = load_settings(env={}, data_dir=base / "data", corpus_dir=corpus, audit_log=False)
    report = Ingestor(settings, real_embedder).run([corpus])
    assert report.added == 1 and not report.failed
    assistant = Assistant.from_settings(settings, real_embedder)
    answer = assistant.ask("What does the term donor mean?")
    assert answer.status == "answered" and answer.citations
    return answer, assistant.index, pdf, base


@pytest.mark.integration
@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_every_exported_quote_is_verbatim_in_the_text_extracted_from_the_file_with_that_sha256(pdf_answer, fmt):
    answer, index, pdf, base = pdf_answer
    path = write_answer(answer, index, fmt, base / f"case-{fmt}", user="officer-7")
    assert path.parent == base / f"case-{fmt}" and path.suffix == f".{fmt}" and path.name.startswith("answer-")
    if fmt == "md":
        text = path.read_bytes().decode("utf-8")
        quotes = fenced_quotes(text)
    else:
        quotes, text = docx_text(path)
    source = loaders.load(pdf, "corpus/convention.pdf")  # what anyone gets by extracting the file again
    assert len(quotes) == len(answer.citations) == len(spans(text))
    for quote, (start, end), c in zip(quotes, spans(text), answer.citations):
        assert quote == source.text[start:end] == c.quote
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in text
    assert "What does the term donor mean?" in text and "officer-7" in text and "extractive" in text
    assert re.search(r"PDF: pypdf \d+\.\d+", text) and f"Lexcite loader {loaders.LOADER_VERSION}" in text
    assert re.search(rf"Chunker version\W+{re.escape(chunker.CHUNKER_VERSION)}\b", text)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)
    assert "verbatim in the indexed text at export time" in text and "NOT FOUND" not in text


@pytest.mark.integration
def test_each_quote_names_its_instrument_provision_pdf_page_and_printed_page(pdf_answer):
    answer, index, pdf, base = pdf_answer
    text = write_answer(answer, index, "md", base / "pages").read_text(encoding="utf-8")
    source = loaders.load(pdf, "corpus/convention.pdf")
    for c in answer.citations:
        span = source.span_at(c.start)  # the page of the quote's first character
        assert f"PDF page {span.page}, printed page {span.label}" in text
        assert span.label == str(span.page + FIRST_PRINTED - 1)
        assert f"**Provision:** {c.provision or c.section}" in text
    assert f"**Instrument:** {TITLE}" in text
    assert any(c.page == 2 for c in answer.citations)  # the definitions run onto page 2 ("Page 32")


@pytest.mark.unit
def test_an_unknown_format_is_refused_with_the_choices_and_nothing_is_written(settings, hash_embedder, tmp_path):
    a = assistant_over(settings, hash_embedder, {"act.md": STATUTE}, verifier="heuristics", audit_log=False)
    answer = a.ask("What is the fine for refusing an inspection?")
    with pytest.raises(ExportFormatError) as err:
        write_answer(answer, a.index, "pdf", tmp_path / "out")
    assert isinstance(err.value, LexciteError) and "'pdf'" in str(err.value) and "md, docx" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.unit
def test_two_exports_of_one_answer_in_the_same_second_are_two_files(settings, hash_embedder, tmp_path):
    a = assistant_over(settings, hash_embedder, {"act.md": STATUTE}, verifier="heuristics", audit_log=False)
    answer = a.ask("What is the fine for refusing an inspection?")
    first, second = (write_answer(answer, a.index, "md", tmp_path) for _ in range(2))
    assert first != second and first.read_text(encoding="utf-8") and second.read_text(encoding="utf-8")
    assert "what-is-the-fine-for-refusing" in first.name


@pytest.mark.unit
def test_a_catalog_from_before_provenance_says_not_recorded_until_the_next_ingest_fills_it(settings, hash_embedder,
                                                                                           tmp_path):
    from assistant.service import Assistant
    from ingest.pipeline import Ingestor

    a = assistant_over(settings, hash_embedder, {"act.md": STATUTE}, verifier="heuristics", audit_log=False)
    con = sqlite3.connect(settings.catalog_path)
    con.execute("ALTER TABLE documents DROP COLUMN provenance")  # the catalog as older versions wrote it
    con.close()
    old = Assistant.from_settings(settings, hash_embedder)  # opening it adds the column back, empty
    answer = old.ask("What is the fine for refusing an inspection?")
    before = write_answer(answer, old.index, "md", tmp_path).read_text(encoding="utf-8")
    assert f"**Document sha256:** {NOT_RECORDED}" in before

    report = Ingestor(settings, hash_embedder).run([settings.corpus_dir])
    assert report.unchanged == 1 and report.updated == 0  # nothing re-read: the record is filled in place
    after = write_answer(answer, old.index, "md", tmp_path).read_text(encoding="utf-8")
    sha = hashlib.sha256((settings.corpus_dir / "act.md").read_bytes()).hexdigest()
    assert f"**Document sha256:** {sha}" in after and "Markdown: Lexcite text reader" in after


@pytest.mark.unit
def test_a_quote_whose_document_changed_since_the_answer_is_flagged_for_a_manual_check(settings, hash_embedder,
                                                                                       tmp_path):
    from ingest.pipeline import Ingestor

    a = assistant_over(settings, hash_embedder, {"act.md": STATUTE}, verifier="heuristics", audit_log=False)
    answer = a.ask("What is the fine for refusing an inspection?")
    (settings.corpus_dir / "act.md").write_text(STATUTE.replace("commits an offence", "is liable"), encoding="utf-8")
    Ingestor(settings, hash_embedder).run([settings.corpus_dir])
    text = write_answer(answer, a.index, "md", tmp_path).read_text(encoding="utf-8")
    assert "NOT FOUND in the index" in text
