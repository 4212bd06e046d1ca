"""Structure-aware chunking: sections, pages and exact spans survive; no chunk overflows the model window."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import docs
from ingest import chunker, loaders
from ingest.records import Document
from ingest.structure import legal_label
from ingest.tokens import EstimateCounter, default_counter

SHIPPED = Path(__file__).resolve().parents[2] / "corpus" / "interpol-role-in-organ-trafficking-cases.txt"


def _doc(text: str, source: str = "corpus/t.txt") -> Document:
    return Document(source=source, title="T", text=text, doc_hash="h")


def _check_exact_and_ordered(doc, chunks) -> None:
    assert chunks
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text and c.text == c.text.strip()
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:])), "chunks overlap or are out of order"
    covered = "".join(doc.text[c.start:c.end] for c in chunks)
    assert "".join(covered.split()) == "".join(doc.text.split()), "some text is in no chunk"


@pytest.mark.unit
def test_plain_text_heading_lines_of_the_shipped_article_become_sections():
    doc = loaders.load(SHIPPED, "corpus/" + SHIPPED.name)
    chunks = chunker.chunk(doc)
    _check_exact_and_ordered(doc, chunks)
    by_text = {c.section for c in chunks}
    assert "Understanding the Legal Framework of Organ Trafficking Prohibitions" in by_text
    assert "Joint operations with national authorities" in by_text  # sentence-case heading
    assert not any(s.endswith((".", ":")) or s.startswith("-") for s in by_text)  # no prose, list item
    i247 = next(c for c in chunks if "I-24/7" in c.text)
    assert i247.section == "The Use of INTERPOL’s Specialized Tools in Organ Trafficking Cases"
    assert all(c.page is None for c in chunks)
    words = [len(c.text.split()) for c in chunks]
    assert max(words) <= chunker.MAX_WORDS and sum(words) / len(words) >= 100


@pytest.mark.unit
def test_an_article_spanning_two_pdf_pages_keeps_its_label_and_each_chunk_its_start_page(tmp_path):
    doc = loaders.load(docs.legal_pdf(tmp_path / "convention.pdf"), "corpus/convention.pdf")
    chunks = chunker.chunk(doc)
    _check_exact_and_ordered(doc, chunks)
    article3 = [c for c in chunks if c.section == "Article 3"]
    assert [c.page for c in article3] == [1, 2]
    assert article3[0].text.startswith("Article 3") and "The term removal means" in article3[0].text
    assert doc.page_at(article3[0].end - 1) == 2  # the first chunk itself runs onto page 2
    assert [(c.section, c.page) for c in chunks if c.section != "Article 3"] == [
        ("Article 1(1)–(2)", 1), ("Article 2", 1), ("Article 4(1)–(2)", 2), ("Article 5", 3)]
    assert next(c for c in chunks if c.section == "Article 5").text.startswith("Chapter II")


@pytest.mark.unit
def test_sections_and_numbered_subsections_of_a_long_statute(tmp_path):
    doc = _doc(docs.long_legal_text(), "corpus/act.txt")
    chunks = chunker.chunk(doc)
    _check_exact_and_ordered(doc, chunks)
    sections = [c.section for c in chunks]
    # each chunk names its section and the range of subsections it holds
    assert "Section 1(1)–(2)" in sections and "Section 1(2)–(3)" in sections and "Schedule 1" in sections
    assert all(s.startswith(("Section ", "Schedule ")) for s in sections), sections
    assert not any(s.startswith(("Part", "General provisions")) for s in sections)  # header-only: merged
    for c in chunks:  # a chunk never crosses into the next Section
        headers = re.findall(r"^Section \d+$", c.text, re.MULTILINE)
        assert headers in ([], [c.section.split("(")[0]]), (headers, c.section)
    assert max(len(c.text.split()) for c in chunks) <= chunker.MAX_WORDS


@pytest.mark.unit
@pytest.mark.parametrize("line, label", [
    ("Article 4", "Article 4"), ("ARTICLE 12", "Article 12"), ("Art. 7 – Sanctions", "Article 7"),
    ("Article 3 bis", "Article 3 bis"), ("Section 32(1)", "Section 32(1)"), ("§ 5 Prohibition", "Section 5"),
    ("CHAPTER IV", "Chapter IV"), ("Part 2", "Part 2"), ("Schedule 1", "Schedule 1"), ("Annex II", "Annex II"),
    ("Article 3 of the Convention applies to all parties", None), ("Sectional interests", None),
    ("Article 3 applies, as amended, to every case that arises.", None),
])
def test_legal_markers_are_recognised_and_prose_is_not(line, label):
    found = legal_label(line)
    assert (found[1] if found else None) == label


@pytest.mark.unit
def test_a_reference_wrapped_onto_its_own_line_does_not_start_a_section():
    text = ("Article 1\n\nThe measures shall be taken in accordance with the rules set out in detail in\n"
            "Article 4.\nEach Party shall report on them every year to the committee of the parties.")
    assert {c.section for c in chunker.chunk(_doc(text))} == {"Article 1"}


@pytest.mark.unit
def test_a_reference_wrapped_after_a_short_line_does_not_take_the_next_articles_place():
    # an Official Journal column: "… as referred to in" is short, "Article 5." ends the sentence, then a paragraph
    # of Article 4 and only then Article 5's own heading
    text = ("Article 4\nRight to information\n1. Each State shall inform the applicant in writing.\n"
            "2. The information shall also be supplied orally, for example in\n"
            "connection with the personal interview as referred to in\nArticle 5.\n\n"
            "3. The Commission shall draw up a common leaflet.\n"
            "Article 5\nPersonal interview\n1. The State shall conduct a personal interview.")
    chunks = chunker.chunk(_doc(text))
    assert next(c for c in chunks if "common leaflet" in c.text).section.startswith("Article 4")
    assert next(c for c in chunks if "conduct a personal interview" in c.text).section.startswith("Article 5")


@pytest.mark.unit
def test_the_text_after_a_footnote_goes_on_with_the_provision_the_footnote_interrupted():
    from dataclasses import replace

    from ingest.records import Region

    note = "(1) OJ L 1, 1.1.2030, p. 1."
    text = ("Article 1\nDefinitions\n1. A sample shall mean any item kept in the register\n" + note +
            "\nand handed over to the keeper under this Regulation.\n2. A keeper shall mean a person.\n"
            "Article 2\nScope\nThis Regulation applies to every register.")
    at = text.index(note)
    doc = replace(_doc(text), regions=(Region(at, at + len(note), "footnote", "Footnote 1"),))
    chunks = chunker.chunk(doc)
    _check_exact_and_ordered(doc, chunks)
    assert next(c for c in chunks if c.text.startswith("(1) OJ")).section == "Article 1, footnote 1"
    after = next(c for c in chunks if "handed over to the keeper" in c.text)
    assert after.section.startswith("Article 1") and "footnote" not in after.section and after.kind == "body"
    assert next(c for c in chunks if "every register" in c.text).section == "Article 2"


@pytest.mark.unit
def test_a_name_in_a_list_of_short_lines_is_not_a_heading():
    from ingest.legal_lines import is_heading_line

    # the States at a conference, one a line: "Turkey" after "(… also represented Liechtenstein)" heads nothing
    assert not is_heading_line("Turkey", "represented Liechtenstein)", "United Kingdom of Great Britain")
    assert is_heading_line("Final Act", None, "The Conference adopted the following resolutions on the status.")
    assert is_heading_line("Introductory Note", "Geneva, December 2010.", "The Convention was adopted in 1951 after long talks.")


@pytest.mark.unit
def test_a_signatorys_initial_is_not_a_paragraph_of_the_last_article():
    text = ("Article 1\nScope\nThis Regulation applies to every register.\n"
            "Article 2\nEntry into force\nThis Regulation shall enter into force on the twentieth day.\n"
            "Done at Brussels, 26 June 2031.\nFor the Parliament\nThe President\nM. SAMPLE\nFor the Council\n"
            "The President\nA. EXAMPLE")
    assert [c.section for c in chunker.chunk(_doc(text))] == ["Article 1", "Article 2"]


@pytest.mark.unit
def test_loader_headings_become_sections(tmp_path):
    for doc in (loaders.load(docs.make_docx(tmp_path / "g.docx"), "corpus/g.docx"),
                loaders.load(docs.make_html(tmp_path / "g.html"), "corpus/g.html"),
                loaders.load(docs.make_markdown(tmp_path / "g.md"), "corpus/g.md")):
        chunks = chunker.chunk(doc)
        _check_exact_and_ordered(doc, chunks)
        assert {c.section for c in chunks} <= {h.text for h in doc.headings} | {"Section 1", "Section 2"}
    html = chunker.chunk(loaders.load(tmp_path / "g.html", "corpus/g.html"))
    assert next(c for c in html if "monetary payment" in c.text).section == "Guiding Principle 5"


@pytest.mark.unit
def test_ids_are_content_hashes_and_repeated_text_gets_distinct_ids():
    text = "Intro\n\n" + "\n\n".join(["Article 1", "Same words here.", "Article 2", "Same words here."])
    a, b = chunker.chunk(_doc(text)), chunker.chunk(_doc(text))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    other = chunker.chunk(_doc(text, "corpus/other.txt"))
    assert not {c.id for c in a} & {c.id for c in other}


@pytest.mark.unit
def test_unbreakable_text_is_cut_to_fit_the_window():
    url = "https://example.org/" + "x9" * 3000
    cjk = "器官移植" * 400  # no spaces at all
    doc = _doc(f"Section 1\n\nSee {url} for details.\n\n{cjk}\n")
    chunks = chunker.chunk(doc)
    _check_exact_and_ordered(doc, chunks)
    counter = default_counter()
    assert max(counter.count(c.text) for c in chunks) <= chunker.MAX_TOKENS


@pytest.mark.unit
def test_the_fallback_estimate_never_undercounts_the_real_tokenizer():
    words = SHIPPED.read_text(encoding="utf-8").split() + docs.long_legal_text().split()
    real = default_counter().count_words(words)
    assert all(e >= r for e, r in zip(EstimateCounter().count_words(words), real))


@pytest.mark.integration
def test_no_chunk_exceeds_the_models_256_word_piece_window(real_embedder, tmp_path):
    """Counted with the model's own tokenizer (as loaded by sentence-transformers)."""
    docs_to_check = [
        loaders.load(SHIPPED, "corpus/" + SHIPPED.name),
        _doc(docs.long_legal_text(articles=30, seed=3), "corpus/long-act.txt"),
        loaders.load(docs.legal_pdf(tmp_path / "c.pdf"), "corpus/c.pdf"),
    ]
    assert real_embedder.model.max_seq_length == chunker.MAX_TOKENS
    for doc in docs_to_check:
        counts = [real_embedder.count_tokens(c.text) for c in chunker.chunk(doc)]
        assert counts and max(counts) <= chunker.MAX_TOKENS, (doc.source, max(counts))
