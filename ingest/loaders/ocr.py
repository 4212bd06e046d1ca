"""OCR for PDF pages that have no text layer (scans): PDFium renders each page, the Tesseract CLI reads it.

    texts = ocr_pages(data, [2, 5], "corpus/scan.pdf", progress=lambda done, total: ...)
    texts[2]  # "Article 1\nPurpose\n\n1. The purpose of ..."  (lines by "\n", paragraphs by a blank line)

Why these two: pypdfium2 is a PyPI wheel that bundles PDFium, so rendering needs no system library and
handles whatever a scanner wrote (JBIG2, CCITT, JPEG, rotated pages); `tesseract` is called directly, with
a PNG on stdin and the text on stdout, so there are no temp files and no wrapper library. Pages are
rendered one at a time in this thread (PDFium is not thread-safe); worker threads encode them and run one
Tesseract process per core, each limited to one OpenMP thread (Tesseract's own threads made it ~3x slower
on 2 cores). On 2 cores an A4 page at 300 dpi takes ~0.3 s of wall time (render ~70 ms, Tesseract ~0.5 s).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple

from PIL import Image

from ingest.loaders._text import normalize
from lexcite.errors import LoaderError

log = logging.getLogger(__name__)

DPI = 300  # Tesseract reads body text best at 300 dpi; 200 already loses some small print
MAX_PIXELS = 40_000_000  # an oversized page (a poster, a plan) is rendered smaller: A3 at 300 dpi is ~17 MP
PAGE_TIMEOUT_S = 180  # one page that takes longer is skipped with a warning; a normal page takes ~0.5 s
DEFAULT_LANG = "eng"
INSTALL = "`apt-get install tesseract-ocr tesseract-ocr-eng` (or `make ocr`)"

Progress = Callable[[int, int], None]


class Rendered(NamedTuple):
    """One page drawn for OCR, or why it could not be."""

    number: int
    image: Image.Image | None
    error: str = ""


class Read(NamedTuple):
    """One page's recognised text ("" when it failed), or why it could not be read."""

    number: int
    text: str
    error: str = ""


@dataclass(frozen=True)
class Tesseract:
    """The `tesseract` binary and the language(s) it reads in ("eng", "eng+fra")."""

    binary: str
    lang: str

    def read(self, image: Image.Image) -> str:
        """Recognised text of one page image; raises OSError/SubprocessError when Tesseract fails."""
        buf = io.BytesIO()
        image.save(buf, "PNG", compress_level=1)  # ~4x quicker to write than the default; read as fast
        result = subprocess.run(
            [self.binary, "stdin", "stdout", "-l", self.lang],
            input=buf.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT_S, check=False,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        if result.returncode != 0:
            raise subprocess.SubprocessError(_first_line(result.stderr) or f"exit code {result.returncode}")
        return normalize(result.stdout.decode("utf-8", "replace"))  # lines stripped, one blank line between paras


def ocr_pages(data: bytes, numbers: list[int], source: str, progress: Progress | None = None,
              *, lang: str | None = None, dpi: int = DPI) -> dict[int, str]:
    """Page number (1-based, from `numbers`) -> recognised text of that page of the PDF in `data`.

    `lang` is a Tesseract language ("eng", "deu", "eng+fra"); by default English when installed, else every
    installed language. `progress(done, total)` is called after each page. A page that fails to render or
    read is logged and comes back as ""; LoaderError when Tesseract is missing or every page failed.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}; {DPI} suits most scans")
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return {}
    engine = find_tesseract(source, len(wanted), lang)
    texts: dict[int, str] = {}
    errors: list[str] = []
    with _open_pdf(data, source) as pdf:
        _check_numbers(wanted, len(pdf))
        for done, page in enumerate(_recognise(engine, _render_all(pdf, wanted, dpi)), start=1):
            texts[page.number] = page.text
            if page.error:
                log.warning("%s: page %d could not be OCR'd (%s); left empty", source, page.number, page.error)
                errors.append(page.error)
            if progress:
                progress(done, len(wanted))
    if len(errors) == len(wanted):
        raise LoaderError(source, f"has {len(wanted)} scanned page(s) and OCR failed on every one ({errors[0]}); "
                                  "check that `tesseract --version` runs; if it does, the scan is damaged: OCR it "
                                  "with another tool (e.g. `ocrmypdf in.pdf out.pdf`) and ingest that copy")
    return texts


def find_tesseract(source: str, pages: int, lang: str | None = None) -> Tesseract:
    """The installed Tesseract and the language to read in; LoaderError saying how to install what is missing."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise LoaderError(source, f"has {pages} scanned page(s) with no text layer and Tesseract is not "
                                  f"installed; install it with {INSTALL} and ingest again")
    installed = installed_languages(binary)
    if lang is None:
        lang = DEFAULT_LANG if DEFAULT_LANG in installed else "+".join(installed)
    missing = [code for code in lang.split("+") if code not in installed] if lang else [DEFAULT_LANG]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        have = ", ".join(installed) or "none"
        raise LoaderError(source, f"has {pages} scanned page(s) with no text layer and Tesseract has no "
                                  f"{'+'.join(missing)!r} language data (installed: {have}); "
                                  f"install it with `apt-get install {packages}` and ingest again")
    return Tesseract(binary, lang)


def installed_languages(binary: str) -> list[str]:
    """Tesseract's installed languages, without `osd` (orientation detection, not a language)."""
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    lines = out.stdout.decode("utf-8", "replace").splitlines()[1:]  # line 1: "List of available languages ..."
    return [line.strip() for line in lines if line.strip() and line.strip() != "osd"]


# ---- rendering ----------------------------------------------------------------------------------


@contextmanager
def _open_pdf(data: bytes, source: str) -> Iterator:
    """A pypdfium2 document, closed on exit; LoaderError when PDFium cannot open the file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise LoaderError(source, f"could not be opened for OCR ({exc}); the file is probably damaged "
                                  "— open and re-save (print) it to PDF, or remove it") from None
    try:
        yield pdf
    finally:
        pdf.close()


def _check_numbers(numbers: list[int], count: int) -> None:
    bad = [n for n in numbers if not 1 <= n <= count]
    if bad:
        raise ValueError(f"page numbers {bad} are outside 1..{count}; pass 1-based numbers of this PDF's pages")


def _render_all(pdf, numbers: list[int], dpi: int) -> Iterator[Rendered]:
    """Each page drawn lazily, as the workers ask for it, so only a few images are in memory."""
    for number in numbers:
        try:
            yield Rendered(number, render(pdf[number - 1], dpi))
        except Exception as exc:  # one page PDFium cannot draw must not lose the others
            yield Rendered(number, None, f"render failed: {_first_line(str(exc)) or type(exc).__name__}")


def render(page, dpi: int = DPI) -> Image.Image:
    """One pypdfium2 page as a grayscale image at `dpi` (less for pages over MAX_PIXELS)."""
    width, height = page.get_size()  # points, 1/72 inch
    scale = min(dpi / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    return page.render(scale=scale, grayscale=True).to_pil()


# ---- recognition --------------------------------------------------------------------------------


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _recognise(engine: Tesseract, pages: Iterator[Rendered]) -> Iterator[Read]:
    """Each page read, in completion order; one image per worker plus one queued in memory."""
    workers = _workers()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tesseract") as pool:
        running: dict[Future[str], int] = {}
        for page in pages:
            if page.image is None:
                yield Read(page.number, "", page.error)
                continue
            running[pool.submit(engine.read, page.image)] = page.number
            if len(running) > workers:  # every worker busy and one page queued: render no further yet
                yield from _collect(running)
        while running:
            yield from _collect(running)


def _collect(running: dict[Future[str], int]) -> Iterator[Read]:
    finished, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in finished:
        number = running.pop(future)
        try:
            yield Read(number, future.result())
        except subprocess.TimeoutExpired:
            yield Read(number, "", f"Tesseract took over {PAGE_TIMEOUT_S} s")
        except (OSError, subprocess.SubprocessError) as exc:
            yield Read(number, "", f"Tesseract failed: {exc}")


def _first_line(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else ""
