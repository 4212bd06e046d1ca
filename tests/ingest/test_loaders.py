"""Loaders: every supported format becomes a Document with offsets into its text; every bad file
becomes one line that names the file and says what to do."""

from __future__ import annotations

import pytest

from tests.support import docs
from ingest import loaders
from lexcite.errors import LoaderError

pytestmark = pytest.mark.unit


def _offsets_consistent(doc) -> None:
    for h in doc.headings:
        assert doc.text[h.start:h.start + len(h.text)] == h.text
    for span in doc.pages:
        assert 0 <= span.start <= span.end <= len(doc.text)


def test_a_pdf_keeps_its_pages_and_1_based_page_numbers(tmp_path):
    doc = loaders.load(docs.legal_pdf(tmp_path / "convention.pdf"), "corpus/convention.pdf")
    assert [p.page for p in doc.pages] == [1, 2, 3]
    assert doc.title == "Convention on the Protection of Example Persons"
    assert doc.page_at(doc.text.index("Article 1")) == 1
    assert doc.page_at(doc.text.index("The term removal means")) == 2
    assert doc.page_at(doc.text.index("Article 5")) == 3
    _offsets_consistent(doc)


def test_html_drops_scripts_styles_navigation_header_and_footer_but_keeps_headings(tmp_path):
    doc = loaders.load(docs.make_html(tmp_path / "who.html"), "corpus/who.html")
    for noise in ("SHOULD-NOT-APPEAR", "ALSO-NOT-APPEAR", "NAV-LINK", "SITE-HEADER", "SITE-FOOTER", "color: red"):
        assert noise not in doc.text
    assert doc.title == "Guiding Principles on Example Transplantation"
    assert [(h.level, h.text) for h in doc.headings] == [
        (1, "Guiding Principles on Example Transplantation"), (2, "Guiding Principle 1"), (2, "Guiding Principle 5")]
    assert "transplantation if any consent required by law" in doc.text  # source line breaks are spaces
    assert "Payment is prohibited." in doc.text
    _offsets_consistent(doc)


def test_docx_keeps_heading_styles_paragraphs_and_tables(tmp_path):
    doc = loaders.load(docs.make_docx(tmp_path / "guide.docx"), "corpus/guide.docx")
    assert doc.title == "Guidance on Example Donation"
    assert [(h.level, h.text) for h in doc.headings][1:] == [
        (1, "Introduction"), (2, "Consent requirements"), (1, "Records")]
    assert "Living donor | Form LD-1" in doc.text
    assert doc.text.index("Consent must be free") < doc.text.index("Living donor") < doc.text.index("Records are")
    _offsets_consistent(doc)


def test_markdown_headings_become_records_and_markup_disappears(tmp_path):
    doc = loaders.load(docs.make_markdown(tmp_path / "policy.md"), "corpus/policy.md")
    assert doc.title == "Example Transplant Policy"
    assert [h.text for h in doc.headings] == ["Example Transplant Policy", "Section 1: Scope",
                                              "Section 2: Consent", "Living donors"]
    assert [h.level for h in doc.headings] == [1, 2, 2, 3]
    assert "with bold text and a link." in doc.text
    assert "**" not in doc.text and "](" not in doc.text and "#" not in doc.text
    assert "code block kept as text" in doc.text
    _offsets_consistent(doc)


def test_latin1_text_is_decoded_not_rejected(tmp_path):
    doc = loaders.load(docs.latin1_text(tmp_path / "fr.txt"), "corpus/fr.txt")
    assert "Les États parties coopèrent" in doc.text
    assert "\ufffd" not in doc.text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_common_text_encodings_are_detected(tmp_path, encoding):
    text = "Article 7\n\nThe “donor” shall receive no payment – nor any reward – for the organ’s removal.\n"
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode(encoding))
    assert loaders.load(path, "corpus/t.txt").text == text.strip()


def test_whitespace_is_normalised_and_lines_kept(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes(b"Heading  Line \r\n\r\n\r\n\r\nFirst\tparagraph   here.\r\nSecond line\xc2\xa0ok.\n")
    assert loaders.load(path, "corpus/w.txt").text == "Heading Line\n\nFirst paragraph here.\nSecond line ok."


def test_manifest_meta_sets_title_source_type_and_language(tmp_path):
    doc = loaders.load(docs.legal_pdf(tmp_path / "c.pdf"), "corpus/c.pdf",
                       {"title": "Official Title", "source_type": "primary_law", "language": "fr"})
    assert (doc.title, doc.source_type, doc.language) == ("Official Title", "primary_law", "fr")


def test_without_meta_the_title_falls_back_to_the_file_name(tmp_path):
    doc = loaders.load(docs.latin1_text(tmp_path / "national-organ_act.txt"), "corpus/national-organ_act.txt")
    assert (doc.title, doc.source_type, doc.language) == ("national organ act", "secondary", "en")


BAD_FILES = {
    "empty": ("empty.txt", docs.empty_file, "empty"),
    "truncated pdf": ("report.pdf", docs.truncated_pdf, "truncated"),
    "encrypted pdf": ("locked.pdf", docs.encrypted_pdf, "encrypted with a password; save an unencrypted copy"),
    "image-only pdf": ("scan.pdf", docs.image_only_pdf, "OCR it first"),
    "binary named .pdf": ("fake.pdf", docs.binary_file, "not a PDF"),
    "corrupt pdf body": ("corrupt.pdf", docs.corrupt_pdf, "PDF"),
    "binary named .docx": ("fake.docx", docs.binary_file, "not a Word .docx"),
    "zip that is not a docx": ("archive.docx", docs.zip_not_docx, "not a Word document"),
    "truncated docx": ("cut.docx", docs.truncated_docx, "damaged"),
    "html with only scripts": ("blank.html", docs.html_only_scripts, "no readable text"),
    "binary named .html": ("fake.html", docs.binary_file, "not an HTML file"),
    "text with NUL bytes": ("nul.txt", docs.nul_text, "NUL"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gives_one_actionable_line_naming_the_file(tmp_path, kind):
    name, make, expected = BAD_FILES[kind]
    path = make(tmp_path / name)
    with pytest.raises(LoaderError) as info:
        loaders.load(path, f"corpus/{name}")
    message = str(info.value)
    assert message.startswith(f"corpus/{name}: ")
    assert expected in message
    assert "\n" not in message and len(message) < 300
    assert info.value.path == f"corpus/{name}"


def test_a_file_over_the_size_limit_is_refused_with_the_setting_to_change(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 300_000)
    loaders.check_size(path, "corpus/big.txt", max_mb=2)
    with pytest.raises(LoaderError, match="over the 1 MB limit.*LEXCITE_MAX_FILE_MB"):
        loaders.check_size(path, "corpus/big.txt", max_mb=1)


def test_supported_extensions_cover_every_format():
    assert {".pdf", ".html", ".htm", ".docx", ".md", ".txt"} <= loaders.SUPPORTED
    assert loaders.file_hash(b"x") == loaders.file_hash(b"x") != loaders.file_hash(b"y")
