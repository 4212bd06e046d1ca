"""PDF via pypdf: page text that reads like the document, 1-based page spans in the joined text;
encrypted/scanned/broken files become one-line LoaderErrors.

Per page: pypdf's text with line positions (`pdf_layout`), running headers, footers and page numbers cut
and the printed page label kept (`pdf_running`), footnotes moved after the body as Regions
(`pdf_notes`), hyphenation and drop caps joined (`pdf_repair`), text drawn twice read once
(`pdf_repeats`). Pages without a text layer are OCR'd
when `ingest.loaders.ocr` is installed.
"""

from __future__ import annotations

import io
import logging
import warnings

from ingest.loaders._text import Extracted, TextBuilder, inline
from ingest.loaders.pdf_layout import (Line, PageLines, body_size, draws_images, fold, join_rows, read_page,
                                       reading_order)
from ingest.loaders.pdf_notes import split_notes
from ingest.loaders.pdf_repair import Vocabulary, join_break, join_split_words, repair
from ingest.loaders.pdf_repeats import drop_repeats
from ingest.loaders.pdf_running import apply_cuts, find_running
from lexcite.errors import LoaderError

log = logging.getLogger(__name__)
_DEFAULT_TITLES = ("untitled", "microsoft word", "document", "title")


def read_pdf(data: bytes, source: str) -> Extracted:
    if b"%PDF-" not in data[:1024]:
        raise LoaderError(source, "is not a PDF (it does not start with %PDF-); "
                                  "rename it to its real extension or export it to PDF again")
    if b"%%EOF" not in data[-4096:]:
        raise LoaderError(source, "is a truncated PDF (no end-of-file marker); download or export it again")
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only files open with an empty password
            except (DependencyError, NotImplementedError, FileNotDecryptedError, ValueError):
                opened = 0
            if not opened:
                raise LoaderError(source, "is encrypted with a password; save an unencrypted copy "
                                          "(print to PDF or remove the password) and ingest that")
        pages = [_read(page, number, source) for number, page in enumerate(reader.pages, start=1)]
        title = _title(reader)
    if not pages:
        raise LoaderError(source, "is a damaged PDF (no readable pages); download or export it again")
    _ocr_scans(data, pages, source)
    out = assemble(pages, title)
    if not out.text.strip():
        raise LoaderError(source, f"has no extractable text ({len(pages)} page(s), probably scanned images); "
                                  "OCR it first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the OCR'd copy")
    return out


def _read(page, number: int, source: str) -> PageLines:
    try:
        lines, box = read_page(page)
    except Exception as exc:  # one bad page must not lose the others (nor be sent to OCR: it may be a bomb)
        log.warning("%s: page %d could not be read (%s); skipped", source, number, exc)
        out = PageLines(number)
        out.drawn = False
        return out
    out = PageLines(number, lines, box)
    try:
        out.drawn = out.has_text or draws_images(page)
    except Exception:  # a page whose content cannot be read is not sent to OCR either
        out.drawn = False
    return out


def _ocr_scans(data: bytes, pages: list[PageLines], source: str) -> None:
    """OCR the pages that have no text layer (and draw something), when the OCR module is installed."""
    empty = [p.number for p in pages if not p.has_text and p.drawn]
    if not empty:
        return
    try:
        from ingest.loaders.ocr import ocr_pages
    except ImportError:
        return
    bar = _ocr_bar(len(empty), source)
    try:
        texts = ocr_pages(data, empty, source, progress=lambda done, total: bar.update(done - bar.n))
    except LoaderError as exc:
        if not any(p.has_text for p in pages):
            raise
        log.warning("%s: %d page(s) without a text layer were not OCR'd (%s); the other pages are kept",
                    source, len(empty), exc.reason)
        return
    except Exception as exc:  # an OCR failure must not lose the pages that have text
        log.warning("%s: OCR of %d page(s) without a text layer failed (%s: %s); the other pages are kept",
                    source, len(empty), type(exc).__name__, exc)
        return
    finally:
        bar.close()
    for number, text in texts.items():
        if 1 <= number <= len(pages) and text.strip():
            pages[number - 1] = PageLines(number, [Line(fold(t)) for t in text.split("\n")], None, ocr=True)


def _ocr_bar(total: int, source: str):
    """A progress bar on a terminal's stderr (OCR takes about half a second a page); silent otherwise."""
    import sys

    from tqdm import tqdm

    return tqdm(total=total, desc=f"OCR {source}"[:60], unit="page", leave=False, file=sys.stderr,
                disable=not sys.stderr.isatty())


def assemble(pages: list[PageLines], title: str = "") -> Extracted:
    """The document text from its pages: running lines out, footnotes after each page body, repairs."""
    size = body_size(pages)
    running = find_running(pages)
    b = TextBuilder()
    cleaned = []
    for page in pages:
        lines, removed = apply_cuts(page, running.cuts.get(page.number, []))
        b.removed += removed
        body, notes = split_notes(lines, page.box, size)
        cleaned.append((page, [line.text for line in join_rows(reading_order(body))], notes))
    vocab = Vocabulary.of(body for _, body, _ in cleaned)  # footnotes' words are more often misspaced
    _join_page_breaks([body for _, body, _ in cleaned], vocab)
    repeats = 0
    for page, body, notes in cleaned:
        text, dropped = drop_repeats(repair(body, vocab))
        repeats += dropped
        b.page(page.number, text, running.labels.get(page.number, ""), page.ocr,
               [(n.label, join_split_words(repair(n.text.split("\n"), vocab), vocab)) for n in notes])
    if repeats:
        log.info("%d run(s) of text drawn twice were read once", repeats)
    return b.build(title)


def _join_page_breaks(bodies: list[list[str]], vocab: Vocabulary) -> None:
    """A word hyphenated across a page break ends on the page where it starts."""
    for body, following in zip(bodies, bodies[1:]):
        if body and following and body[-1].strip() and following[0].strip():
            if joined := join_break(body[-1].rstrip(), following[0].lstrip(), vocab):
                body[-1] = joined[0]
                if joined[1]:
                    following[0] = joined[1]
                else:
                    del following[0]


def _title(reader) -> str:
    try:
        title = inline(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:
        return ""
    return "" if title.lower().startswith(_DEFAULT_TITLES) else title
