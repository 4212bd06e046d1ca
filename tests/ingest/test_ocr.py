"""OCR: a scanned PDF (page images, no text layer) is read with Tesseract instead of being skipped, and a
machine without Tesseract gets an error that says how to install it.

The scans are made here: Pillow draws each page of text with a real TrueType font at 300 dpi and saves the
images as a PDF, so there is no text layer to fall back on.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import shutil
import textwrap
from pathlib import Path

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.support import docs
from ingest import loaders
from ingest.loaders.ocr import installed_languages, ocr_pages
from lexcite.errors import LoaderError

pytestmark = pytest.mark.unit

FONT = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
A4_300DPI = (2480, 3508)
_tesseract = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(
    _tesseract is None or "eng" not in installed_languages(_tesseract),
    reason="Tesseract with English data is not installed; `make ocr` (or `apt-get install tesseract-ocr "
           "tesseract-ocr-eng`) installs it")


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """An image-only PDF: each page is a 300 dpi grayscale picture of its lines, as a scanner would make."""
    font = ImageFont.truetype(str(FONT), 28)
    images = []
    for lines in pages:
        image = Image.new("L", A4_300DPI, 255)
        draw = ImageDraw.Draw(image)
        y = 250
        for line in lines:
            for piece in textwrap.wrap(line, 100):
                draw.text((240, y), piece, font=font, fill=0)
                y += 44
            y += 22  # a paragraph gap
        images.append(image)
    images[0].save(path, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return path


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def share_of_words_recovered(expected: str, got: str) -> float:
    want, have = collections.Counter(words(expected)), collections.Counter(words(got))
    return sum(min(n, have[w]) for w, n in want.items()) / sum(want.values())


@pytest.fixture
def scan(tmp_path) -> Path:
    """The three-page convention from docs.legal_pages(), scanned."""
    path = scanned_pdf(tmp_path / "scan.pdf", docs.legal_pages())
    from pypdf import PdfReader

    assert not any(page.extract_text().strip() for page in PdfReader(path).pages), "the scan has a text layer"
    return path


def fake_tesseract(monkeypatch, folder: Path, script: str) -> None:
    """Put first on PATH a `tesseract` that runs `script` (sh): for machines and failures we cannot otherwise have."""
    folder.mkdir()
    binary = folder / "tesseract"
    binary.write_text("#!/bin/sh\n" + script)
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


# ---- reading scans ------------------------------------------------------------------------------


@needs_tesseract
def test_a_scanned_page_is_read_back_with_its_words_and_lines(scan):
    page_1 = docs.legal_pages()[0]

    texts = ocr_pages(scan.read_bytes(), [1], "corpus/scan.pdf")

    assert list(texts) == [1]
    assert share_of_words_recovered("\n".join(page_1), texts[1]) >= 0.9
    lines = texts[1].splitlines()
    assert "Article 1" in lines and "Purpose, scope and definitions" in lines  # one line each, not run together


@needs_tesseract
def test_only_the_pages_asked_for_are_read_each_under_its_own_number_with_progress(scan):
    seen: list[tuple[int, int]] = []

    texts = ocr_pages(scan.read_bytes(), [3, 1], "corpus/scan.pdf",
                      progress=lambda done, total: seen.append((done, total)))

    assert sorted(texts) == [1, 3]
    assert "Article 5" in texts[3] and "Article 1" not in texts[3]
    assert "Article 1" in texts[1] and "Article 5" not in texts[1]
    assert share_of_words_recovered("\n".join(docs.legal_pages()[2]), texts[3]) >= 0.9
    assert seen == [(1, 2), (2, 2)]



@needs_tesseract
def test_ingesting_a_scanned_pdf_gives_a_document_with_its_words_on_ocr_pages(scan):
    doc = loaders.load(scan, "scan.pdf", {})

    assert share_of_words_recovered("\n".join(sum(docs.legal_pages(), [])), doc.text) >= 0.9
    assert [p.page for p in doc.pages] == [1, 2, 3]
    assert doc.pages[0].ocr is True
    assert doc.page_at(doc.text.index("Article 5")) == 3


# ---- when Tesseract cannot help -----------------------------------------------------------------


def test_without_tesseract_a_scanned_pdf_says_how_to_install_it(scan, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(LoaderError) as error:
        ocr_pages(scan.read_bytes(), [1, 2, 3], "corpus/scan.pdf")

    assert error.value.path == "corpus/scan.pdf"
    assert "3 scanned page(s)" in error.value.reason and "Tesseract is not installed" in error.value.reason
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in error.value.reason
    assert "make ocr" in error.value.reason


def test_a_tesseract_without_english_data_names_the_package_to_install(scan, tmp_path, monkeypatch):
    fake_tesseract(monkeypatch, tmp_path / "bin", 'echo "List of available languages in \\"/x\\" (1):"; echo osd\n')

    with pytest.raises(LoaderError, match=r"apt-get install tesseract-ocr-eng`"):
        ocr_pages(scan.read_bytes(), [1], "corpus/scan.pdf")


def test_a_page_tesseract_fails_on_is_left_empty_with_a_warning_and_the_others_are_kept(
        scan, tmp_path, monkeypatch, caplog):
    # the first page read fails, every later one "reads" as a fixed line
    fake_tesseract(monkeypatch, tmp_path / "bin", f"""
case "$1" in --list-langs) echo "List of available languages (1):"; echo eng; exit 0;; esac
cat >/dev/null
if mkdir "{tmp_path}/failed-once" 2>/dev/null; then echo "Error: cannot read image" >&2; exit 1; fi
echo "Recognised text"
""")

    with caplog.at_level(logging.WARNING):
        texts = ocr_pages(scan.read_bytes(), [1, 2], "corpus/scan.pdf")

    assert sorted(texts.values()) == ["", "Recognised text"]
    failed = next(n for n, text in texts.items() if not text)
    assert (f"corpus/scan.pdf: page {failed} could not be OCR'd (Tesseract failed: Error: cannot read image)"
            in caplog.text)


def test_when_tesseract_fails_on_every_page_the_error_says_what_to_check(scan, tmp_path, monkeypatch):
    fake_tesseract(monkeypatch, tmp_path / "bin", """
case "$1" in --list-langs) echo "List of available languages (1):"; echo eng; exit 0;; esac
echo "Error opening data file eng.traineddata" >&2; exit 1
""")

    with pytest.raises(LoaderError) as error:
        ocr_pages(scan.read_bytes(), [1, 2], "corpus/scan.pdf")

    assert "OCR failed on every one" in error.value.reason
    assert "Error opening data file eng.traineddata" in error.value.reason
    assert "tesseract --version" in error.value.reason
