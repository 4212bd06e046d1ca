"""Real legal instruments (../shared/legal-dev): the provision tree finds each document's own articles, every
question's evidence sits in a chunk that names the expected provision and page, and no running header or
footer survives into a chunk. Skipped with the reason when the folder is not there."""

from __future__ import annotations

import json
import re

import pytest

from eval import provisions
from tests.support.legal_dev import ABSENT, LEGAL_DEV

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (LEGAL_DEV / "questions.jsonl").is_file(),
                       reason=ABSENT),
]
DOCS = sorted(provisions.ARTICLES)


@pytest.fixture(scope="module")
def figures() -> dict[str, provisions.DocumentFigures]:
    return {f.doc: f for f in provisions.measure(LEGAL_DEV, DOCS)}


@pytest.fixture(scope="module")
def chunked():
    from ingest import chunker, loaders

    out = {}
    for name in DOCS:
        doc = loaders.load(LEGAL_DEV / "docs" / name, name, {})
        out[name] = (doc, chunker.chunk(doc))
    return out


@pytest.mark.parametrize("name", DOCS)
def test_the_articles_found_are_the_documents_own(figures, name):
    f = figures[name]
    assert f.article_precision >= 0.98 and f.article_recall >= 0.98, (f.article_precision, f.article_recall, f.misses)


@pytest.mark.parametrize("name", DOCS)
def test_every_evidence_sits_in_a_chunk_naming_its_provision_on_its_page(figures, name):
    f = figures[name]
    assert f.questions == 5
    assert (f.evidence_found, f.section_right) == (f.questions, f.questions), f.misses
    assert f.page_right == f.pages_asked, f.misses


@pytest.mark.parametrize("name", DOCS)
def test_no_section_is_a_bare_number_and_chunks_are_exact_slices(chunked, name):
    doc, chunks = chunked[name]
    assert not [c.section for c in chunks if re.fullmatch(r"[\d\s.,/()–-]*", c.section or "x")]
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)


@pytest.mark.parametrize("name", [n for n in DOCS if n.endswith(".pdf")])
def test_no_chunk_holds_a_running_header_or_footer_line(chunked, name):
    doc, chunks = chunked[name]
    forms = provisions.running_forms(LEGAL_DEV / "docs" / name)
    assert forms, "the oracle found no running lines: the check would be empty"
    left = provisions.running_lines_left(chunks, forms)
    assert not left, left[:5]


def test_a_file_with_a_convention_and_its_protocol_names_each_instrument(chunked):
    _, chunks = chunked["unhcr-refugee-convention-1951-protocol-1967.pdf"]
    sections = [c.section for c in chunks]
    assert "Convention, Article 33(1)–(2)" in sections or any(s.startswith("Convention, Article 33") for s in sections)
    assert any(s.startswith("Protocol, Article IX") for s in sections)
    assert any(s.startswith("Schedule, paragraph 5") for s in sections)


def test_a_translation_in_the_same_file_is_kept_in_its_own_chunks(chunked):
    doc, chunks = chunked["un-smuggling-of-migrants-protocol.md"]
    english = [c for c in chunks if c.language == "en"]
    dutch = [c for c in chunks if c.language == "nl" and c.start > english[0].start]  # after the Dutch title line
    assert english and dutch and max(c.end for c in english) <= min(c.start for c in dutch)
    assert not any(c.section.startswith("Article") for c in dutch)  # the translation is cited as it numbers itself


def test_status_notes_of_the_source_database_are_kept_out_of_the_text(chunked):
    doc, _ = chunked["coe-cets186-transplantation-protocol.md"]
    notes = [r for r in doc.removed if r.reason == "repeated-note"]
    assert notes and all(r.text not in doc.text for r in notes)


def test_the_questions_file_is_the_one_the_figures_were_measured_on():
    rows = [json.loads(x) for x in (LEGAL_DEV / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    assert {r["doc"] for r in rows} == set(DOCS)


def test_a_booklets_introduction_is_front_matter_and_the_treaty_keeps_its_preamble(chunked):
    doc, chunks = chunked["unhcr-refugee-convention-1951-protocol-1967.pdf"]
    preamble = doc.text.index("considering that the Charter of the United Nations")
    before = [c for c in chunks if c.end <= preamble - 200]
    assert before and not any(c.section == "Preamble" for c in before)
    assert next(c for c in chunks if c.start <= preamble < c.end).section == "Preamble"
