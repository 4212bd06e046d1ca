"""The real app over the shipped corpus, as a new officer first sees it: the library in one line and three
example questions drawn from it, an example answered with its sources and the shipped article's warning,
and the Library by title. The screenshots (test-artifacts/screens/) are the ones in docs/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.ui.conftest import LOGIN

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


@pytest.mark.browser
@pytest.mark.integration
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent: `make browser` installs it")
def test_a_new_officer_starts_from_an_example_and_reads_its_sources(live_app):
    from playwright.sync_api import expect, sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            sign_in(page, live_app, LOGIN[0], LOGIN[1])

            expect(page.locator("#lx-welcome")).to_contain_text("2 documents", timeout=60_000)
            examples = page.locator(".lx-example:visible")
            expect(examples).to_have_count(3, timeout=20_000)
            page.screenshot(path=str(SCREENS / "first-screen.png"))

            interpol = examples.filter(has_text="INTERPOL")  # the shipped AI-written article's example
            expect(interpol).to_have_count(1)
            interpol.click()
            answer = page.locator("#lx-chat .lx-answer .lx-meta")
            expect(answer).to_have_count(1, timeout=120_000)
            page.locator("#lx-chat .lx-cite").first.click()
            note = page.locator("#lx-source-panel .lx-source-note")
            expect(note).to_contain_text("unverified", timeout=20_000)  # the warning beside its citation
            expect(page.locator("#lx-export-md")).to_be_visible()
            page.screenshot(path=str(SCREENS / "answer-with-sources.png"))

            page.get_by_role("tab", name="Library").click()
            expect(page.locator("#lx-lib-table")).to_contain_text("Primary law", timeout=20_000)
            page.screenshot(path=str(SCREENS / "library.png"), full_page=True)
        finally:
            browser.close()
