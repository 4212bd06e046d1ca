"""The real app over the shipped corpus: from gradio_client and from a real headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.ui.conftest import LOGIN

QUESTION = "Which INTERPOL communication system allows rapid dissemination of alerts?"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def last_audit(settings) -> dict:
    from lexcite.text.jsonl import read_jsonl

    return list(read_jsonl(settings.audit_path))[-1]


@pytest.mark.integration
def test_the_ask_endpoint_answers_from_gradio_client_with_a_login(live_app, shipped_index):
    from gradio_client import Client

    client = Client(live_app, auth=LOGIN, verbose=False)
    out = client.predict(question=QUESTION, history=[], backend="", api_name="/ask")
    audited = last_audit(shipped_index)
    assert (audited["question"], audited["user"], audited["answer"]) == (QUESTION, LOGIN[0], out["answer"])
    assert out["status"] == "answered" and out["citations"]
    assert all(s["citations"] for s in out["sentences"])
    assert any("I-24/7" in c["quote"] for c in out["citations"])
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == ["/ask"]


@pytest.mark.integration
def test_without_the_login_the_api_is_closed(live_app):
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(live_app, verbose=False).predict(question=QUESTION, api_name="/ask")
    with pytest.raises(Exception):
        Client(live_app, auth=("officer", "wrong"), verbose=False)


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent: `make browser` installs it")
def test_an_officer_logs_in_asks_reads_the_cited_passage_and_flags_it(live_app, shipped_index):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            sign_in(page, live_app, LOGIN[0], LOGIN[1])

            page.locator("#lx-question textarea").fill(QUESTION)
            page.locator("#lx-send").click()
            answer = page.locator("#lx-chat .lx-answer").last
            expect(answer.locator(".lx-meta")).to_be_visible(timeout=120_000)  # streaming finished
            assert "I-24/7" in answer.inner_text()
            audited = last_audit(shipped_index)  # the audit log names who asked in the browser
            assert (audited["question"], audited["user"], audited["status"]) == (QUESTION, LOGIN[0], "answered")
            cites = answer.locator(".lx-cite")
            assert cites.count() >= 1

            cites.first.click()
            panel = page.locator("#lx-source-panel")
            expect(panel.locator(".lx-passage mark")).to_be_visible(timeout=20_000)
            quote = panel.locator(".lx-passage mark").inner_text()
            assert quote.strip() and quote in panel.locator(".lx-passage").inner_text()
            assert panel.locator(".lx-badge").inner_text().strip().lower() in {
                "primary law", "official guidance", "secondary source"}
            assert "interpol" in panel.locator(".lx-title").inner_text().lower()
            expect(page.locator("#lx-sources input:checked")).to_have_count(1)
            page.screenshot(path=str(ARTIFACTS / "ui-ask-source-panel.png"), full_page=True)

            page.get_by_text("More feedback").click()  # the longer form (thumbs sit under each answer)
            page.locator("#lx-rating").get_by_text("A citation is wrong").click()
            page.get_by_label("Comment (optional)").fill("checked in the browser test")
            page.get_by_role("button", name="Send feedback").click()
            expect(page.get_by_text("Thank you")).to_be_visible(timeout=20_000)
        finally:
            browser.close()
    from lexcite.text.jsonl import read_jsonl

    saved = list(read_jsonl(shipped_index.feedback_path))[-1]
    assert saved["rating"] == "citation_wrong" and saved["citation_n"] == 1 and saved["user"] == LOGIN[0]
    assert saved["question"] == QUESTION and saved["comment"] == "checked in the browser test"
