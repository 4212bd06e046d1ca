"""Every uploaded file lands or is reported, and no upload stays downloadable from Gradio's cache."""

from __future__ import annotations

import os

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.docs import FILLER, make_pdf
from tests.ui.conftest import free_port
from ui.web import handlers
from ui.web.library import uploads_dir


def _doc(path, topic: str):
    path.write_text(f"Article 1. The {topic} register is kept by the authority.\n\n{FILLER}\n", encoding="utf-8")
    return path


@pytest.mark.unit
def test_names_that_collide_once_made_safe_and_a_readme_all_land_in_one_add(ui_services, tmp_path):
    a = tmp_path / "one"
    b = tmp_path / "two"
    for d in (a, b):
        d.mkdir()
    files = [_doc(a / "a b.md", "donor"), _doc(b / "a_b.md", "recipient"), _doc(a / "Notes.MD", "hospital"),
             make_pdf(a / "readme.pdf", [["Article 2. The transplant register records every removal.", FILLER]])]
    report = handlers.add_files(ui_services, files).replace("\\", "")  # as shown: Markdown escapes removed
    assert "4 added" in report and "0 failed" in report
    assert "`a_b.md` saved as a_b-2.md: another file in this upload has that name" in report
    assert "`readme.pdf` saved as upload-readme.pdf" in report
    assert sorted(handlers.refresh_library(ui_services).sources) == [
        "uploads/Notes.md", "uploads/a_b-2.md", "uploads/a_b.md", "uploads/upload-readme.pdf"]
    texts = {c.source: c.text for c in ui_services.index.iter_chunks()}
    assert "donor" in texts["uploads/a_b.md"] and "recipient" in texts["uploads/a_b-2.md"]  # nothing overwritten

    again = handlers.add_files(ui_services, [_doc(tmp_path / "a_b.md", "organ")]).replace("\\", "")
    assert "replaces the earlier upload a_b.md" in again and "1 updated" in again


@pytest.fixture
def upload_app(ui_services):
    from ui.web.app import build_app, launch

    demo = build_app(ui_services)
    _, url, _ = launch(demo, host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield url, ui_services
    finally:
        demo.close()


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent: `make browser` installs it")
def test_added_and_rejected_uploads_are_no_longer_downloadable_from_the_cache(upload_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, services = upload_app
    good = _doc(tmp_path / "register.md", "donor")
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("tab", name="Library").click()
            page.locator("#lx-upload input[type=file]").set_input_files([str(good), str(empty)])
            links = page.locator("#lx-upload a[href*='file=']")
            expect(links).to_have_count(2, timeout=30_000)
            hrefs = [links.nth(i).get_attribute("href") for i in range(2)]
            assert [page.request.get(h).status for h in hrefs] == [200, 200]  # the cached copies, before Add

            page.locator("#lx-add").click()
            expect(page.locator("#lx-add-report")).to_contain_text("Ingest finished", timeout=60_000)
            expect(page.locator("#lx-add-report")).to_contain_text("the file is empty")
            assert all(page.request.get(h).status in (403, 404) for h in hrefs)  # gone, not just hidden
        finally:
            browser.close()
    assert handlers.refresh_library(services).sources == ["uploads/register.md"]
    # the upload and the uploads folder's manifest (its details: title, source type, note, other names)
    assert sorted(p.name for p in uploads_dir(services.settings).iterdir()) == ["register.md", "sources.toml"]
