"""PDF page text that reads like the document: running headers, footers and page numbers out (and kept
as RemovedLines), printed page labels, hyphenation and drop caps joined, ligatures folded, footnotes after
the body as Regions, scanned pages OCR'd. First on PDFs made here, then on the real files in legal-dev."""

from __future__ import annotations

import json
import logging
import sys
import types
import unicodedata
from pathlib import Path

import pytest

from ingest import loaders
from ingest.loaders.pdf_layout import fold
from ingest.loaders.pdf_repair import Vocabulary, keep_hyphen, repair
from lexcite.errors import LoaderError
from tests.support.legal_dev import LEGAL_DEV

HEADER = "EXAMPLE TREATY SERIES \u2014 No 12"
FOOTNOTE = "1 See the Annex on financial rules, which the Parties adopted\nat their first meeting."
PAGES = [
    ["Article 1",
     "Definitions",
     "1. For the purposes of this Convention, a governmental authority is any body that",
     "exercises public powers, and the \ufb01nancial year is the calendar year.",
     "2. Each Party shall inform the other Parties of the authorities it has designated and",
     "consult the non-governmental organisations concerned.",
     "3. The Secretariat shall transmit the list of authorities to the govern-",
     "mental bodies of each Party without delay.",
     "4. Observers from non-",
     "governmental organisations may attend the meetings of the Parties."],
    ["Article 2",
     "Financial rules",
     "The Parties shall adopt \ufb01nancial rules for the Secretariat (1), and the Secretariat shall",
     "report on its accounts to every ordinary meeting of the Parties."],
    ["Article 3",
     "Meetings",
     "The Parties shall meet once a year. A governmental authority may ask for an extraordinary",
     "meeting, which shall be held if one third of the Parties support the request."],
    ["Article 4",
     "Entry into force",
     "This Convention shall enter into force on the first day of the month following the date on",
     "which the fifth instrument of ratification has been deposited."],
]
PRINTED_FIRST = 5  # the first page prints "Page 5"


def _font() -> str:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("Vera", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    return "Vera"  # a TrueType font with the fi ligature glyph, shipped with reportlab


def treaty_pdf(path: Path, scanned: set[int] = frozenset()) -> Path:
    """Four A4 pages: a small running header with a wide gap below it, "Article N" at the top of each
    body (in the top tenth of the page, like the header), "Page N+4" at the foot, a footnote under a rule
    on page 2; pages in `scanned` are a picture instead of text."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = _font()
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for number, lines in enumerate(PAGES, start=1):
        if number in scanned:
            image = Image.new("L", (620, 877), 255)
            ImageDraw.Draw(image).text((60, 60), "\n".join(lines), fill=0)
            c.drawImage(ImageReader(image), 0, 0, width, height)
            c.showPage()
            continue
        c.setFont(font, 8)
        c.drawString(72, height - 36, HEADER)
        c.setFont(font, 11)
        y = height - 80
        for line in lines:
            c.drawString(72, y, line)
            y -= 15
        if number == 2:
            c.line(72, 114, 220, 114)
            c.setFont(font, 8)
            first, second = FOOTNOTE.split("\n")
            c.drawString(72, 102, first)
            c.drawString(80, 92, second)
        c.setFont(font, 9)
        c.drawCentredString(width / 2, 36, f"Page {number + PRINTED_FIRST - 1}")
        c.showPage()
    c.save()
    return path


def page_text(doc, number: int) -> str:
    span = doc.pages[number - 1]
    return doc.text[span.start:span.end]


@pytest.fixture
def treaty(tmp_path):
    return loaders.load(treaty_pdf(tmp_path / "treaty.pdf"), "corpus/treaty.pdf")


@pytest.mark.unit
class TestAPdfWeMade:
    def test_the_running_header_and_the_page_numbers_leave_the_text_and_are_recorded(self, treaty):
        assert HEADER not in treaty.text and "Page 5" not in treaty.text
        removed = {(r.page, r.text, r.reason) for r in treaty.removed}
        for page in range(1, 5):
            assert (page, HEADER, "header") in removed
            assert (page, f"Page {page + 4}", "page-number") in removed

    def test_each_page_is_labelled_with_the_number_it_prints(self, treaty):
        assert [(p.page, p.label) for p in treaty.pages] == [(1, "5"), (2, "6"), (3, "7"), (4, "8")]

    def test_article_headings_at_the_top_of_every_page_stay_in_the_body(self, treaty):
        for page in range(1, 5):
            assert page_text(treaty, page).startswith(f"Article {page}\n")

    def test_a_word_hyphenated_at_a_line_end_is_joined_and_a_real_hyphen_kept(self, treaty):
        assert "the governmental\nbodies of each Party" in treaty.text
        assert "govern-" not in treaty.text
        assert "Observers from non-governmental\norganisations" in treaty.text

    def test_ligatures_become_letters(self, treaty):
        assert "the financial year" in treaty.text and "\ufb01" not in treaty.text

    def test_a_footnote_follows_its_page_body_as_a_labelled_region(self, treaty):
        [note] = treaty.regions
        assert (note.kind, note.label) == ("footnote", "Footnote 1")
        assert treaty.text[note.start:note.end] == FOOTNOTE
        page_2 = treaty.pages[1]
        assert page_2.start < treaty.text.index("report on its accounts") < note.start and note.end == page_2.end

    def test_a_running_header_drawn_as_a_form_xobject_is_found_where_the_form_puts_it(self, tmp_path):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        path = tmp_path / "report.pdf"
        c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        c.beginForm("running")  # drawn at the form's origin; each page moves it to the top
        c.setFont("Helvetica", 8)
        c.drawString(0, 0, "ANNUAL REPORT OF THE EXAMPLE COMMISSION")
        c.endForm()
        for page in range(1, 4):
            c.saveState()
            c.translate(72, A4[1] - 36)
            c.doForm("running")
            c.restoreState()
            c.setFont("Helvetica", 11)
            for i in range(20):
                c.drawString(72, A4[1] - 100 - 15 * i, f"Line {i} of page {page} on the work of the Commission.")
            c.showPage()
        c.save()
        doc = loaders.load(path, "corpus/report.pdf")
        assert [(r.page, r.reason) for r in doc.removed] == [(1, "header"), (2, "header"), (3, "header")]
        assert "ANNUAL REPORT" not in doc.text and page_text(doc, 2).startswith("Line 0 of page 2")

    def test_page_spans_tile_the_text(self, treaty):
        assert [p.page for p in treaty.pages] == [1, 2, 3, 4]
        assert all(a.end <= b.start for a, b in zip(treaty.pages, treaty.pages[1:]))
        assert treaty.page_at(treaty.text.index("Article 3")) == 3


@pytest.mark.unit
class TestTextRepairs:
    VOCAB = Vocabulary.of([["the the the has has each determining non-governmental first phase",
                            "the authority of the Member State and the first stage"]])

    def test_a_soft_hyphen_with_a_space_before_the_line_break_joins_the_word(self):
        text = repair(["the Member State responsible for deter \u00ad", "mining the application"], self.VOCAB)
        assert text == "the Member State responsible for determining\nthe application"

    def test_drop_caps_are_joined_to_the_word_the_document_knows(self):
        lines = ["1. T he Contracting States shall co-operate.", "(1) H", "as been considered a refugee;",
                 "3. E ach State shall report.", "A series of measures follows."]
        assert repair(lines, self.VOCAB).split("\n") == [
            "1. The Contracting States shall co-operate.", "(1) Has been considered a refugee;",
            "3. Each State shall report.", "A series of measures follows."]

    def test_the_hyphen_stays_where_the_document_writes_the_pair_with_one_or_it_is_a_prefix(self):
        assert keep_hyphen("non", "governmental", self.VOCAB)  # "non-governmental" occurs
        assert keep_hyphen("self", "executing", self.VOCAB)  # a prefix that takes a hyphen
        assert keep_hyphen("first", "phase", self.VOCAB)  # two words of the document
        assert not keep_hyphen("deter", "mining", self.VOCAB)  # "determining" occurs
        assert not keep_hyphen("protec", "tion", self.VOCAB)  # a syllable break

    def test_stray_cp1252_control_codes_and_ligatures_become_the_characters_they_stand_for(self):
        assert fold("\x95 item \x96 range \x97 dash, o\ufb03ce \ufb02ow \ufb00ect") == \
            "\u2022 item \u2013 range \u2014 dash, office flow ffect"


def _fake_ocr(monkeypatch, reply):
    """Stand in for ingest.loaders.ocr (the Tesseract edge): `reply(numbers)` returns texts or raises."""
    calls: list[list[int]] = []

    def ocr_pages(data: bytes, numbers: list[int], source: str, progress=None) -> dict[int, str]:
        calls.append(list(numbers))
        return reply(numbers)

    module = types.ModuleType("ingest.loaders.ocr")
    module.ocr_pages = ocr_pages
    monkeypatch.setitem(sys.modules, "ingest.loaders.ocr", module)
    return calls


def _no_tesseract(numbers):
    raise LoaderError("corpus/treaty.pdf", f"has {len(numbers)} scanned page(s) but Tesseract is not installed; "
                                           "`apt-get install tesseract-ocr tesseract-ocr-eng`")


@pytest.mark.unit
class TestScannedPages:
    def test_a_page_without_a_text_layer_is_read_by_ocr_and_marked(self, tmp_path, monkeypatch):
        calls = _fake_ocr(monkeypatch, lambda numbers: {n: "Article 3\nMeetings\nThe Parties shall meet once."
                                                       for n in numbers})
        doc = loaders.load(treaty_pdf(tmp_path / "treaty.pdf", scanned={3}), "corpus/treaty.pdf")
        assert calls == [[3]]
        assert [p.ocr for p in doc.pages] == [False, False, True, False]
        assert page_text(doc, 3) == "Article 3\nMeetings\nThe Parties shall meet once."

    def test_without_tesseract_a_partly_scanned_pdf_keeps_its_text_pages_and_warns(self, tmp_path, monkeypatch,
                                                                                   caplog):
        _fake_ocr(monkeypatch, _no_tesseract)
        with caplog.at_level(logging.WARNING):
            doc = loaders.load(treaty_pdf(tmp_path / "treaty.pdf", scanned={3}), "corpus/treaty.pdf")
        assert page_text(doc, 3) == "" and "Article 4" in page_text(doc, 4)
        assert "1 page(s) without a text layer were not OCR'd" in caplog.text
        assert "Tesseract is not installed" in caplog.text

    def test_without_tesseract_a_fully_scanned_pdf_says_how_to_install_it(self, tmp_path, monkeypatch):
        _fake_ocr(monkeypatch, _no_tesseract)
        with pytest.raises(LoaderError, match="Tesseract is not installed; `apt-get install tesseract-ocr"):
            loaders.load(treaty_pdf(tmp_path / "scan.pdf", scanned={1, 2, 3, 4}), "corpus/scan.pdf")


# ---- the real documents in legal-dev -------------------------------------------------------------

UNHCR = "unhcr-refugee-convention-1951-protocol-1967.pdf"
DUBLIN = "eu-dublin-regulation-604-2013.pdf"
GDPR = "eu-gdpr-2016-679.pdf"
REAL = [UNHCR, DUBLIN, GDPR]
OFFSET = {UNHCR: -2, DUBLIN: 30, GDPR: 0}  # printed page minus PDF page, from the README


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def real():
    if not (LEGAL_DEV / "docs").is_dir():
        pytest.skip(f"the legal-dev documents are not at {LEGAL_DEV}; set LEXCITE_LEGAL_DEV to their folder")
    return {name: loaders.load(LEGAL_DEV / "docs" / name, name) for name in REAL}


@pytest.mark.integration
class TestTheLegalDevPdfs:
    @pytest.mark.parametrize("name", REAL)
    def test_running_lines_are_found_on_nine_in_ten_text_pages_and_left_on_none(self, real, name):
        doc = real[name]
        running = [r for r in doc.removed if r.reason in ("header", "footer", "page-number")]
        text_pages = [p.page for p in doc.pages if p.end > p.start]
        assert len({r.page for r in running}) >= 0.9 * len(text_pages)
        for r in running:
            if r.reason != "page-number":
                assert squash(r.text) not in squash(page_text(doc, r.page)), (r.page, r.text)

    @pytest.mark.parametrize("name", REAL)
    def test_every_evidence_quote_is_on_its_stated_page(self, real, name):
        questions = [json.loads(line) for line in (LEGAL_DEV / "questions.jsonl").read_text().splitlines()
                     if line.strip()]
        evidence = [(q["id"], q["evidence"], q["page"]) for q in questions if q["doc"] == name and q["evidence"]]
        assert evidence
        missing = [qid for qid, quote, page in evidence if squash(quote) not in squash(page_text(real[name], page))]
        assert missing == []

    @pytest.mark.parametrize("name", REAL)
    def test_page_labels_are_the_printed_page_numbers(self, real, name):
        labelled = [p for p in real[name].pages if p.label]
        assert len(labelled) >= 0.9 * len([p for p in real[name].pages if p.end > p.start])
        assert [p.label for p in labelled] == [str(p.page + OFFSET[name]) for p in labelled]

    def test_the_unhcr_booklet_prints_pdf_page_minus_two(self, real):
        labels = {p.page: p.label for p in real[UNHCR].pages}
        assert labels[3] == "1" and labels[20] == "18" and labels[54] == "52"
        assert labels[1] == labels[2] == labels[55] == labels[56] == ""  # covers and blank pages

    def test_drop_caps_and_letter_spaced_footers_are_gone_from_the_booklet(self, real):
        text = real[UNHCR].text
        assert "5. The provisions of paragraphs 2 and 3 apply" in text
        assert "(1) Has been considered a refugee" in text
        assert "c o n v e n t i o n" not in text

    def test_official_journal_footnotes_are_regions_after_their_page_body(self, real):
        doc = real[DUBLIN]
        notes = [r for r in doc.regions if r.kind == "footnote"]
        assert len(notes) >= 15
        for note in notes:
            assert doc.text[note.start:note.end].startswith("( " + note.label.split()[-1] + " )")
            span = doc.span_at(note.start)
            assert span.start < note.start and note.end <= span.end
        assert "( 1 ) OJ C 317, 23.12.2009, p. 115." in page_text(doc, 1).split("\n\n")[1:]

    def test_the_inline_gdpr_footer_is_cut_out_of_the_body_lines(self, real):
        doc = real[GDPR]
        assert "Member States. (1) OJ C 229" in squash(page_text(doc, 1))
        assert sum(f"L 119/{p.page} EN" in page_text(doc, p.page) for p in doc.pages) <= 3
