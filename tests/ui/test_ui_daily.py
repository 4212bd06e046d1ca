"""An app officers and trainers use every day (issue 17), driven in a real headless Chromium: questions typed
back to back are both answered, mistakes in a form are said beside it and the form stays usable, an upload's
title and source type show in the sources panel, an answer exports to a record whose quotes are the
source's own words, and Log out signs the officer out."""

from __future__ import annotations

import os
import re

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.support.docs import FILLER
from tests.support.ui_fakes import FakeAssistant
from tests.ui.conftest import free_port
from ui.auth import parse_accounts
from ui.web import handlers

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent: `make browser`")]

REGISTER = ("Article 1\n\nThe register\n\nThe national transplant register is kept by the competent authority "
            "and records every removal of an organ.\n\nArticle 2\n\nAccess\n\nOnly authorised officers may "
            f"consult the national transplant register.\n\n{FILLER}\n")


def _serve(services):
    from ui.web.app import build_app, launch

    demo = build_app(services)
    auth = services.accounts if services.accounts.entries else None
    _, url, _ = launch(demo, host="127.0.0.1", port=free_port(), auth=auth, prevent_thread_lock=True, quiet=True)
    return demo, url


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def fake_app(ui_services):
    ui_services.assistant = FakeAssistant(delay=0.8)  # each answer takes ~2 s: time to type the next question
    demo, url = _serve(ui_services)
    try:
        yield url, ui_services
    finally:
        demo.close()


@pytest.fixture
def real_app(settings, hash_embedder):
    """The real assistant (hash embedder, heuristic verifier) over an empty temp library."""
    from ui.services import services_from_settings

    services = services_from_settings(settings.with_overrides(verifier="heuristics"), hash_embedder)
    demo, url = _serve(services)
    try:
        yield url, services
    finally:
        demo.close()


def _ask(page, question: str) -> None:
    page.locator("#lx-question textarea").fill(question)
    page.locator("#lx-question textarea").press("Enter")


def test_two_questions_typed_back_to_back_are_both_answered(fake_app, browser):
    from playwright.sync_api import expect

    url, services = fake_app
    page = browser.new_page()
    page.goto(url)
    _ask(page, "What must states do?")
    expect(page.locator("#lx-chat .lx-stage")).to_be_visible(timeout=20_000)  # the first is still being answered
    _ask(page, "And the police?")
    assert page.locator("#lx-question textarea").input_value() == "And the police?"  # kept while it waits
    expect(page.locator("#lx-question-hint")).to_contain_text("Will be asked as soon as")
    expect(page.locator("#lx-chat .lx-answer .lx-meta")).to_have_count(2, timeout=30_000)
    assert [c["question"] for c in services.assistant.calls] == ["What must states do?", "And the police?"]
    assert services.assistant.calls[1]["history"][0][0] == "What must states do?"  # asked as a follow-up
    assert page.locator("#lx-question textarea").input_value() == ""


def _open_with_register(url, services, browser, tmp_path):
    """The app in a new page, with the register act uploaded to its library."""
    doc = tmp_path / "register.md"
    doc.write_text(REGISTER, encoding="utf-8")
    handlers.add_files(services, [doc])
    page = browser.new_page()
    page.goto(url)
    return page


def test_mistakes_in_a_form_are_said_beside_it_and_the_form_stays_usable(fake_app, browser, tmp_path):
    from playwright.sync_api import expect

    url, services = fake_app
    page = _open_with_register(url, services, browser, tmp_path)
    page.get_by_role("tab", name="Library").click()
    page.locator("#lx-remove").click()
    expect(page.locator("#lx-remove-hint")).to_contain_text("Pick a document to remove first", timeout=20_000)
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # no red blocks over the table or fields
    expect(page.locator("#lx-lib-table")).to_contain_text("register")

    page.locator("#lx-remove-pick input").click()
    page.get_by_role("option", name=re.compile("register")).click()
    page.locator("#lx-remove").click()
    expect(page.locator("#lx-confirm-text")).to_contain_text("Remove", timeout=20_000)
    assert handlers.refresh_library(services).sources == ["uploads/register.md"]  # nothing removed unasked
    page.locator("#lx-confirm-yes").click()
    expect(page.locator("#lx-removed")).to_contain_text("Removed", timeout=20_000)
    assert handlers.refresh_library(services).sources == []

    page.get_by_role("tab", name="Ask").click()
    _ask(page, "What must states do?")
    expect(page.locator("#lx-chat .lx-answer .lx-meta")).to_have_count(1, timeout=30_000)
    page.get_by_text("More feedback").click()
    page.locator("#lx-fb-send").click()
    expect(page.locator("#lx-fb-hint")).to_contain_text("Choose helpful", timeout=20_000)
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    page.locator("#lx-rating").get_by_text("Not helpful").click()
    page.locator("#lx-fb-send").click()
    expect(page.locator("#lx-fb-hint")).to_contain_text("Thank you", timeout=20_000)


def test_an_upload_with_a_title_and_source_type_shows_them_in_the_sources_panel(real_app, browser, tmp_path):
    from playwright.sync_api import expect

    url, services = real_app
    doc = tmp_path / "reg-2024.md"
    doc.write_text(REGISTER, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    page.goto(url)
    page.get_by_role("tab", name="Library").click()
    page.locator("#lx-upload input[type=file]").set_input_files([str(doc)])
    expect(page.locator("#lx-upload a[href*='file=']")).to_have_count(1, timeout=30_000)
    page.locator("#lx-up-title textarea, #lx-up-title input").first.fill("Transplant Register Act 2024")
    page.locator("#lx-up-type input").click()
    page.get_by_role("option", name="Primary law").click()
    page.locator("#lx-up-note textarea").fill("Consolidated text as of 1 May 2024.")
    page.locator("#lx-add").click()
    expect(page.locator("#lx-add-report")).to_contain_text("1 added", timeout=60_000)
    expect(page.locator("#lx-lib-table")).to_contain_text("Transplant Register Act 2024")
    expect(page.locator("#lx-lib-table")).to_contain_text("Primary law")

    page.get_by_role("tab", name="Ask").click()
    _ask(page, "Who keeps the national transplant register?")
    answer = page.locator("#lx-chat .lx-a0")  # the finished answer (or refusal) of the first turn
    expect(answer.locator(".lx-cite").first).to_be_visible(timeout=60_000)
    answer.locator(".lx-cite").first.click()
    panel = page.locator("#lx-source-panel")
    expect(panel.locator(".lx-title")).to_have_text("Transplant Register Act 2024", timeout=20_000)
    expect(panel.locator(".lx-badge")).to_have_text("Primary law")
    expect(panel.locator(".lx-source-note")).to_contain_text("Consolidated text as of 1 May 2024.")


def test_an_export_downloads_a_record_whose_quotes_are_the_sources_own_words(real_app, browser, tmp_path):
    from playwright.sync_api import expect

    from ui.export import fenced_quotes

    url, services = real_app
    page = _open_with_register(url, services, browser, tmp_path)
    _ask(page, "Who keeps the national transplant register?")
    expect(page.locator("#lx-chat .lx-answer .lx-meta")).to_have_count(1, timeout=60_000)
    expect(page.locator("#lx-export-md")).to_be_visible(timeout=20_000)
    with page.expect_download(timeout=30_000) as got:
        page.locator("#lx-export-md").click()
    record = got.value.path().read_text(encoding="utf-8")
    assert "Who keeps the national transplant register?" in record
    quotes = fenced_quotes(record)
    assert quotes and all(q in REGISTER for q in quotes)  # verbatim: anyone can find them in the file
    with page.expect_download(timeout=30_000) as got_docx:
        page.locator("#lx-export-docx").click()
    assert got_docx.value.suggested_filename.endswith(".docx")


def test_log_out_ends_the_session_and_shows_the_sign_in_page(ui_services, browser):
    from playwright.sync_api import expect

    ui_services.accounts = parse_accounts("officer:pw-officer:reader")
    demo, url = _serve(ui_services)
    try:
        page = browser.new_page()
        sign_in(page, url, "officer", "pw-officer")
        expect(page.locator("#lx-signed-in")).to_contain_text("officer", timeout=60_000)
        page.locator("#lx-logout").click()
        expect(page.locator("input[type=password]")).to_be_visible(timeout=30_000)
        page.goto(url)  # the session is gone, not just hidden
        expect(page.locator("input[type=password]")).to_be_visible(timeout=30_000)
        expect(page.locator("#lx-question")).to_have_count(0)
    finally:
        demo.close()


def test_an_llm_answer_shows_its_progress_and_stop_cancels_it(ui_services, browser):
    from playwright.sync_api import expect

    ui_services.assistant = FakeAssistant(backends=["extractive", "ollama"], delay=2.5)
    demo, url = _serve(ui_services)
    try:
        page = browser.new_page()
        page.goto(url)
        page.locator("#lx-backend input").click()
        page.get_by_role("option", name="ollama").click()
        _ask(page, "What must states do?")
        expect(page.locator("#lx-chat .lx-stage")).to_contain_text("Writing a draft with ollama", timeout=20_000)
        expect(page.locator("#lx-chat .lx-draft")).to_contain_text("States shall adopt")  # the draft as written
        page.locator("#lx-stop").click()
        expect(page.locator("#lx-chat .lx-stopped")).to_be_visible(timeout=20_000)
        page.wait_for_timeout(4_000)  # longer than the rest of the answer would have taken
        expect(page.locator("#lx-chat .lx-meta")).to_have_count(0)  # it never arrived
        expect(page.locator("#lx-stop")).to_be_hidden()
        _ask(page, "And the police?")  # the chat goes on
        expect(page.locator("#lx-chat .lx-answer .lx-meta")).to_have_count(1, timeout=30_000)
    finally:
        demo.close()


def test_the_eval_report_opens_as_a_page_in_a_new_tab_and_metrics_read_plainly(ui_services, browser):
    from types import SimpleNamespace

    from playwright.sync_api import expect

    from ui.services import EvalTools

    def fake_eval(assistant, path, report_dir, progress=None):
        report_dir.mkdir(parents=True)
        (report_dir / "report.html").write_text("<html><body><h1 id='r'>Report of the test run</h1></body></html>",
                                                encoding="utf-8")
        gate = SimpleNamespace(metric="citation_precision", op="min", threshold=0.9, passed=True,
                               describe=lambda: "citation precision ≥ 90%")
        return SimpleNamespace(metrics={"citation_precision": 0.95, "support_rate": 1.0}, gates=[gate],
                               passed=True, meta={"k": 5}, items=[])

    golden = ui_services.settings.data_dir / "golden.jsonl"
    golden.parent.mkdir(parents=True, exist_ok=True)
    golden.write_text('{"id": "q1", "question": "x"}\n', encoding="utf-8")
    ui_services.evaluate = EvalTools(fake_eval, golden)
    demo, url = _serve(ui_services)
    try:
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("tab", name="Evaluate").click()
        page.locator("#lx-eval-run").click()
        expect(page.locator("#lx-eval-summary")).to_contain_text("All gates hold", timeout=30_000)
        table = page.locator("#lx-eval-metrics")
        expect(table).to_contain_text("Citation precision")
        expect(table).to_contain_text("Sentence support rate")
        assert "citation_precision" not in table.inner_text()  # no raw key names
        with page.context.expect_page(timeout=20_000) as opened:
            page.locator("#lx-open-report").click()
        report = opened.value
        expect(report.locator("#r")).to_have_text("Report of the test run", timeout=20_000)  # shown, not downloaded
    finally:
        demo.close()
