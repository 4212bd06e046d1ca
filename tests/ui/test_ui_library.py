"""A maintainer adds and removes documents in the Library tab."""

from __future__ import annotations

import gradio as gr
import pytest

from ui.web import handlers
from ui.web.library import COLUMNS
from ui.web.library import RejectedName, safe_filename, save_uploads, uploads_dir

SUFFIXES = (".txt", ".md", ".pdf")


@pytest.mark.unit
@pytest.mark.parametrize("name", [
    "../../etc/passwd.txt", "..\\..\\boot.txt", "/etc/cron.d/x.txt", "sub/dir.txt", ".hidden.txt", "..",
    "evil\x00.txt", "tab\there.txt", "noextension", "payload.exe", "shell.sh", "   ", "___.txt",
])
def test_unsafe_or_unsupported_upload_names_are_refused(name):
    with pytest.raises(RejectedName):
        safe_filename(name, SUFFIXES)


@pytest.mark.unit
def test_odd_but_harmless_names_are_made_safe():
    assert safe_filename("UN Protocol (2000) final.PDF", SUFFIXES) == "UN_Protocol_2000_final.pdf"
    assert safe_filename("a..b.txt", SUFFIXES) == "a.b.txt"
    assert safe_filename("Verordnung_über_Organe.md", SUFFIXES) == "Verordnung_über_Organe.md"
    assert len(safe_filename("x" * 500 + ".txt", SUFFIXES)) <= 120


@pytest.mark.unit
def test_uploads_land_only_inside_the_uploads_folder_within_the_size_limit(settings, tmp_path):
    good = tmp_path / "in" / "law.txt"
    good.parent.mkdir()
    good.write_text("Article 1. Text.", encoding="utf-8")
    big = tmp_path / "in" / "big.txt"
    big.write_bytes(b"x" * 300_000)
    empty = tmp_path / "in" / "empty.txt"
    empty.write_bytes(b"")
    dest = uploads_dir(settings)
    res = save_uploads([good, big, empty, good], dest, SUFFIXES, max_mb=0.25,
                       names=["law.txt", "big.txt", "empty.txt", "../../escape.txt"])
    assert [p.name for p in res.saved] == ["law.txt"] and res.saved[0].parent == dest.resolve()
    reasons = dict(res.rejected)
    assert "limit is 0.25 MB" in reasons["big.txt"] and "empty" in reasons["empty.txt"]
    assert "folders" in reasons["../../escape.txt"]
    assert not (tmp_path / "escape.txt").exists() and sorted(p.name for p in dest.iterdir()) == ["law.txt"]


@pytest.mark.unit
def test_an_upload_is_ingested_with_progress_and_bad_files_are_listed_plainly(ui_services, tmp_path):
    src = tmp_path / "incoming"
    src.mkdir()
    (src / "convention.txt").write_text(
        "Convention on organ trafficking.\n\nArticle 4. Each Party shall criminalise the illicit removal "
        "of human organs.\n\nArticle 5. Each Party shall criminalise the use of illicitly removed organs.\n",
        encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (src / "script.sh").write_text("rm -rf /", encoding="utf-8")
    steps = []

    class Progress:
        def __call__(self, value, desc=None):
            steps.append((value, desc))

    assert handlers.refresh_library(ui_services).empty
    report = handlers.add_files(ui_services, [src / "convention.txt", src / "broken.pdf", src / "script.sh"],
                                Progress())
    assert "1 added" in report and "1 failed" in report
    assert "`uploads/broken.pdf` could not be read and was not kept" in report
    assert "**Not uploaded:** `script.sh`: .sh files are not supported" in report
    assert steps and steps[-1][0][0] == steps[-1][0][1]  # the bar reaches the end
    view = handlers.refresh_library(ui_services)
    assert view.sources == ["uploads/convention.txt"]
    assert not (uploads_dir(ui_services.settings) / "broken.pdf").exists()  # not kept to fail again
    assert not view.empty and "**1** documents" in view.summary
    row = next(r for r in view.rows if r[-1] == "uploads/convention.txt")
    assert dict(zip(COLUMNS, row)) | {"Ingested": "today"} == {
        "Title": "convention", "Source type": "Secondary source", "Language": "en",
        "Pages": "–", "Passages": row[4], "Ingested": "today", "File": "uploads/convention.txt"}
    assert row[4] >= 1 and view.choices == [("convention · convention.txt",
                                             "uploads/convention.txt")]  # picked by title

    msg = handlers.remove(ui_services, "uploads/convention.txt")
    assert "Removed" in msg and "deleted" in msg
    assert not (uploads_dir(ui_services.settings) / "convention.txt").exists()
    assert "uploads/convention.txt" not in handlers.refresh_library(ui_services).sources
    with pytest.raises(gr.Error, match="not in the library"):
        handlers.remove(ui_services, "uploads/convention.txt")


@pytest.mark.unit
def test_adding_nothing_or_only_bad_files_says_so(ui_services, tmp_path):
    with pytest.raises(gr.Error, match="Choose one or more files"):
        handlers.add_files(ui_services, [])
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ")
    out = handlers.add_files(ui_services, [bad])
    assert "Nothing was added" in out and ".exe files are not supported" in out
