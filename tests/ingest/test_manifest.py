"""The corpus manifest gives documents their title, source type and language; mistakes in it are
reported as one ConfigError that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import docs
from ingest import loaders
from ingest.manifest import load_manifest
from ingest.records import SOURCE_TYPES
from lexcite.errors import ConfigError

pytestmark = pytest.mark.unit
SHIPPED = Path(__file__).resolve().parents[2] / "corpus"


def test_the_shipped_manifest_describes_the_article_and_the_primary_instruments():
    m = load_manifest(SHIPPED)
    article = m.entry("interpol-role-in-organ-trafficking-cases.txt")
    assert article.title == "The Role of INTERPOL in Organ Trafficking Cases"
    assert (article.source_type, article.language) == ("secondary", "en")
    assert "AI-written" in article.note and "primary" in article.note
    assert (SHIPPED / article.file).is_file()
    others = [e for e in m if e is not article]
    assert len(others) >= 5
    assert {e.source_type for e in others} <= {"primary_law", "official_guidance"}
    for e in others:  # shipped in the folder, or fetchable from its official address
        assert e.title and Path(e.file).suffix in loaders.SUPPORTED
        assert e.url.startswith("https://") or (SHIPPED / e.file).is_file(), e.file
    titles = " | ".join(e.title for e in others)
    for name in ("Trafficking in Persons, Especially Women and Children", "Trafficking in Human Organs",
                 "Guiding Principles on Human Cell, Tissue and Organ Transplantation", "Declaration of Istanbul"):
        assert name in titles


def test_the_shipped_treaty_text_is_primary_law_with_its_names_and_provenance():
    e = load_manifest(SHIPPED).entry("coe-cets186-transplantation-protocol.md")
    assert (SHIPPED / e.file).is_file() and e.source_type == "primary_law"
    assert "Transplantation of Organs and Tissues of Human Origin" in e.title
    assert {"CETS 186", "CETS No. 186"} <= set(e.aliases)
    assert "laws-markdown" in e.origin and "BWBV0005628" in e.origin
    assert load_manifest(SHIPPED).meta_for(e.file)["aliases"].startswith("CETS 186; ")


def test_aliases_must_be_a_list_of_names(tmp_path):
    (tmp_path / "sources.toml").write_text('[[documents]]\nfile = "a.md"\naliases = "CETS 186"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="aliases must be a list"):
        load_manifest(tmp_path)


def test_meta_for_a_listed_file_and_defaults_for_an_unlisted_one(tmp_path):
    (tmp_path / "sources.toml").write_text(
        '[defaults]\nlanguage = "fr"\n\n[[documents]]\nfile = "law/act.pdf"\ntitle = "The Act"\n'
        'source_type = "primary_law"\nlanguage = "en"\n', encoding="utf-8")
    m = load_manifest(tmp_path)
    expected = {"title": "The Act", "source_type": "primary_law", "language": "en"}
    assert m.meta_for("law/act.pdf") == expected
    assert m.meta_for(f"{tmp_path.name}/law/act.pdf") == expected  # the pipeline's corpus-relative name
    assert m.meta_for("memo.txt") == {"title": "", "source_type": "secondary", "language": "fr"}
    assert m.fingerprint("law/act.pdf") != m.fingerprint("memo.txt")


def test_a_folder_without_a_manifest_gets_sensible_defaults(tmp_path):
    m = load_manifest(tmp_path)
    assert list(m) == [] and m.meta_for("x.pdf") == {"title": "", "source_type": "secondary", "language": "en"}


def test_manifest_meta_reaches_the_document(tmp_path):
    docs.legal_pdf(tmp_path / "c.pdf")
    (tmp_path / "sources.toml").write_text('[[documents]]\nfile = "c.pdf"\ntitle = "Official"\n'
                                           'source_type = "official_guidance"\n', encoding="utf-8")
    doc = loaders.load(tmp_path / "c.pdf", "corpus/c.pdf", load_manifest(tmp_path).meta_for("c.pdf"))
    assert (doc.title, doc.source_type) == ("Official", "official_guidance")


@pytest.mark.parametrize("body, expected", [
    ('[[documents]\nfile = "a.pdf"', "not valid TOML"),
    ('[[documents]]\nfile = "a.pdf"\nsource_type = "law"', "source_type 'law'; use one of"),
    ('[defaults]\nsource_type = "blog"', "source_type 'blog'"),
    ('[[documents]]\nfile = "a.pdf"\ntitel = "typo"', "unknown key(s) titel"),
    ('[[documents]]\ntitle = "no file"', "needs file ="),
    ('[[documents]]\nfile = "a.pdf"\n[[documents]]\nfile = "a.pdf"', "listed twice"),
    ('[[documents]]\nfile = "a.pdf"\nurl = "ftp://x/a.pdf"', "http:// or https://"),
    ('[documentz]\nx = 1', "unknown table"),
])
def test_a_malformed_manifest_is_a_config_error_naming_the_file(tmp_path, body, expected):
    (tmp_path / "sources.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_manifest(tmp_path)
    assert str(tmp_path / "sources.toml") in str(info.value) and expected in str(info.value)
    assert info.value.exit_code == 2


def test_source_types_in_the_manifest_are_the_records_source_types():
    assert set(SOURCE_TYPES) == {"primary_law", "official_guidance", "secondary"}
