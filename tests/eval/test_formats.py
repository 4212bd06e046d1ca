"""`python -m eval.formats`: the same instruments written as HTML, Word and plain text are read into the same
articles, and asked the same questions under their new file names."""

from __future__ import annotations

import json

import pytest

from eval.formats import FORMATS, blocks, make_folder
from ingest import chunker, loaders

TREATY = """##Verdrag inzake voorbeeldpersonen

####Convention on Sample Persons

Preamble The States Parties to this Convention, recalling the [Charter](../../x/README.md), have agreed as follows:

### Article 1

####Purpose

The purpose of this Convention is to protect sample persons.

### Article 2

####Reports

1. Each State Party shall report within two years.
2. Reports shall describe the measures taken.
"""


@pytest.fixture
def legal_dev(tmp_path):
    folder = tmp_path / "legal-dev"
    (folder / "docs").mkdir(parents=True)
    more = "".join(f"\n### Article {n}\n\n####Rule {n}\n\nEach State Party shall apply rule {n} to sample persons.\n"
                   for n in range(3, 40))  # pages enough for the PDF's running header to repeat
    (folder / "docs" / "convention.md").write_text(TREATY + more, encoding="utf-8")
    (folder / "docs" / "scan.pdf").write_bytes(b"%PDF-1.4 not converted")
    rows = [{"id": "Q1", "question": "Within how many years must a State Party report?", "type": "answerable",
             "doc": "convention.md", "article": "Article 2", "paragraph": "1", "page": 3,
             "evidence": "Each State Party shall report within two years"},
            {"id": "Q2", "question": "What does the scan say?", "type": "answerable", "doc": "scan.pdf",
             "article": "Article 1", "paragraph": None, "page": 1, "evidence": "x"}]
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


@pytest.mark.unit
def test_markdown_blocks_keep_headings_and_drop_link_targets():
    parts = blocks(TREATY)
    assert parts[:2] == [(2, "Verdrag inzake voorbeeldpersonen"), (4, "Convention on Sample Persons")]
    assert any("recalling the Charter, have agreed" in t for _, t in parts)


@pytest.mark.unit
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_holds_the_same_articles_and_the_questions_follow_the_file(legal_dev, tmp_path, fmt):
    out = tmp_path / fmt
    assert make_folder(legal_dev, fmt, out) == 1  # the PDF's question stays out: only Markdown is converted
    row = json.loads((out / "questions.jsonl").read_text(encoding="utf-8"))
    path = out / "docs" / row["doc"]
    assert path.suffix == FORMATS[fmt] and row["evidence"].startswith("Each State Party")
    assert row["page"] == (1 if fmt == "pdf" else None)  # a PDF prints the evidence on a page; the others have none
    doc = loaders.load(path, f"docs/{path.name}")
    chunks = chunker.chunk(doc)
    assert {"Article 1", "Article 2"} <= {c.section.split("(")[0] for c in chunks}
    assert row["evidence"] in " ".join(doc.text.split())
    assert not any("Official Journal of the Sample Union" in c.text for c in chunks)  # the PDF's running header
