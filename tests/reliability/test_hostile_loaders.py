"""Loaders against files built to exhaust them: a zip bomb is refused from the sizes it declares
(nothing is inflated), an entity bomb is refused before XML parsing, deep HTML is read without
recursion, and a non-UTF-8 file name still gives a storable title."""

from __future__ import annotations

import os
import sys
import zipfile

import pytest

from tests.support import hostile
from ingest import loaders
from lexcite.errors import LoaderError

pytestmark = pytest.mark.unit


def test_a_zip_bomb_posing_as_docx_is_refused_before_anything_is_decompressed(tmp_path, monkeypatch):
    path = hostile.zip_bomb_docx(tmp_path / "bomb.docx")
    assert path.stat().st_size < 1.1e6
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("word/document.xml").file_size == 1 << 30  # what it claims to hold
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(name) or real_open(self, name, *a, **k))
    with pytest.raises(LoaderError, match=r"would expand to 1,024 MB .*zip bomb") as info:
        loaders.load(path, "corpus/bomb.docx")
    assert opened == []  # refused on the declared sizes alone
    assert "\n" not in str(info.value)


def test_a_highly_compressed_part_under_the_size_cap_is_refused_by_its_ratio(tmp_path):
    import docx as python_docx

    path = tmp_path / "ratio.docx"
    python_docx.Document().save(str(path))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.bin", bytes(20 << 20))  # 20 MB of zeros, ~1000:1
    with pytest.raises(LoaderError, match=r"compressed .*:1 \(over 200:1\)"):
        loaders.load(path, "corpus/ratio.docx")


def test_an_ordinary_docx_passes_the_bomb_guard(tmp_path):
    from tests.support import docs

    doc = loaders.load(docs.make_docx(tmp_path / "ok.docx"), "corpus/ok.docx")
    assert "Consent must be free" in doc.text


def test_an_entity_bomb_docx_is_refused_before_xml_parsing(tmp_path):
    with pytest.raises(LoaderError, match="entity-expansion bomb"):
        loaders.load(hostile.entity_bomb_docx(tmp_path / "laughs.docx"), "corpus/laughs.docx")


def test_html_nested_far_deeper_than_the_recursion_limit_is_read_whole(tmp_path):
    levels = 20 * sys.getrecursionlimit()
    doc = loaders.load(hostile.deep_html(tmp_path / "deep.html", levels), "corpus/deep.html")
    assert doc.text == ("The innermost paragraph about deep nesting survives.\n\n"
                        "A closing paragraph after the nesting.")
    assert doc.title == "Deep page"


def test_a_file_name_that_is_not_utf8_gives_a_title_any_store_can_encode(tmp_path):
    raw = os.fsencode(tmp_path) + b"/acte-\xe9t\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"Article 1\n\nSome text.\n")
    doc = loaders.load(hostile.Path(os.fsdecode(raw)), "corpus/acte-\\xe9t\\xe9.txt")
    doc.title.encode("utf-8")  # no surrogates
    assert doc.title == "acte \ufffdt\ufffd"


def test_a_pdf_whose_font_map_yields_lone_surrogates_still_lands(settings, tmp_path, monkeypatch):
    """pypdf returns lone surrogates for some broken ToUnicode maps; Chroma cannot store them, so one such
    PDF used to stop the whole ingest with a store error."""
    from tests.support import docs
    from pypdf import PageObject

    from ingest.embedder import HashEmbedder
    from ingest.pipeline import Ingestor

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docs.legal_pdf(corpus / "broken-font.pdf")
    (corpus / "plain.txt").write_text("Article 1\n\nA plain file next to it.\n", encoding="utf-8")
    real = PageObject.extract_text
    monkeypatch.setattr(PageObject, "extract_text", lambda self, *a, **k: real(self, *a, **k) + " \ud835 \udc00 end")
    report = Ingestor(settings, HashEmbedder()).run([corpus])
    assert (report.added, report.failed) == (2, [])
    from ingest.index import Index

    text = " ".join(c.text for c in Index(settings, HashEmbedder()).iter_chunks("corpus/broken-font.pdf"))
    assert "\ufffd \ufffd end" in text
