"""`lexcite inspect FILE`: a maintainer sees the provision tree, each page's removed running lines and
printed number, the language blocks and where every chunk starts, without touching the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli.main import main

pytestmark = pytest.mark.unit


def bulletin_pdf(path: Path) -> Path:
    """Three pages of a gazette: a running header, a printed page number at the foot (page 1 prints 11),
    Articles 1-3, Article 2 with two numbered paragraphs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    bodies = [
        ["Article 1", "Subject matter", "This Act lays down rules on the registration of example bodies and the",
         "keeping of the public register by the competent authority of each region."],
        ["Article 2", "Registration", "1. Every example body shall be registered before it starts its activities.",
         "2. The competent authority shall decide on an application within 30 days of its receipt."],
        ["Article 3", "Entry into force", "This Act shall enter into force on the twentieth day following that of",
         "its publication in the Official Bulletin."],
    ]
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    for i, lines in enumerate(bodies):
        c.setFont("Helvetica", 8)
        c.drawString(50, height - 40, "Official Bulletin of the Example Republic  No 7/2031")
        c.setFont("Helvetica", 10)
        y = height - 90
        for line in lines:
            c.drawString(50, y, line)
            y -= 14
        c.setFont("Helvetica", 8)
        c.drawString(290, 30, str(11 + i))
        c.showPage()
    c.save()
    return path


def test_inspect_shows_the_tree_the_removed_running_lines_and_the_chunks(tmp_path):
    pdf = bulletin_pdf(tmp_path / "act.pdf")
    result = CliRunner().invoke(main, ["inspect", str(pdf)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    tree = out.split("Provision tree", 1)[1].split("Pages", 1)[0]
    assert [ln.strip().split("  ")[0] for ln in tree.strip().splitlines()] == ["Article 1", "Article 2", "Article 3"]
    assert "[1 … 2, 2]" in tree  # Article 2's two paragraphs
    pages = out.split("Pages", 1)[1].split("Language blocks", 1)[0]
    assert "p. 1: printed 11" in pages and "p. 3: printed 13" in pages
    assert pages.count("Official Bulletin of the Example Republic") == 3  # removed on every page
    chunks = out.split("Chunks", 1)[1]
    assert "Article 2(1)–(2) | p. 2 (12) | en" in chunks
    assert "Official Bulletin of the Example Republic" not in chunks


def test_inspect_json_is_one_object_and_writes_no_index(tmp_path):
    pdf = bulletin_pdf(tmp_path / "act.pdf")
    result = CliRunner().invoke(main, ["inspect", str(pdf), "--json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    assert [n["label"] for n in report["tree"]] == ["Article 1", "Article 2", "Article 3"]
    assert [p["label"] for p in report["pages"]] == ["11", "12", "13"]
    assert {c["section"] for c in report["chunks"]} == {"Article 1", "Article 2(1)–(2)", "Article 3"}
    assert not (tmp_path / "lexcite-data").exists()  # the test's LEXCITE_DATA_DIR: nothing was indexed


def test_inspect_of_a_broken_file_says_what_is_wrong(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = CliRunner().invoke(main, ["inspect", str(bad)])
    assert result.exit_code != 0 and "is not a PDF" in result.output
