"""Roles and password hashes in LEXCITE_AUTH: readers ask, quiz and give feedback; admins also add,
remove and evaluate, and the server refuses the rest whatever the page shows."""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr
import pytest

from lexcite.errors import ConfigError
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.ui.conftest import free_port
from ui.web import extra_tabs, handlers
from ui.auth import ADMIN, READER, Accounts, hash_password, parse_accounts
from ui.services import EvalTools

HASHED = hash_password("s3cret-admin", salt="fixedsalt", params=(1024, 8, 1))  # cheap parameters for tests


@pytest.mark.unit
def test_entries_name_a_role_and_entries_without_one_stay_admins():
    accounts = parse_accounts(f"alice:pw1:reader, bob:p:w2, carol:{HASHED}:admin, dave:pw:admin:admin")
    assert [(a.user, a.role) for a in accounts.entries] == [
        ("alice", READER), ("bob", ADMIN), ("carol", ADMIN), ("dave", ADMIN)]
    assert accounts.verify("bob", "p:w2") and accounts.verify("dave", "pw:admin")
    assert accounts.verify("carol", "s3cret-admin") and not accounts.verify("carol", HASHED)
    assert not accounts.verify("alice", "pw2") and not accounts.verify("nobody", "pw1")
    assert accounts.role("alice") == READER and accounts.role("stranger") == READER
    assert Accounts().role(None) == ADMIN  # no login at all: the operator at a loopback-only app


@pytest.mark.unit
@pytest.mark.parametrize("spec, why", [
    ("alice:scrypt:16384:8:1$salt", "valid `scrypt"), ("alice:a,alice:b", "listed twice"),
    ("alice::reader", "user:password"),
])
def test_a_broken_hash_or_a_repeated_user_is_refused_with_the_fix(spec, why):
    with pytest.raises(ConfigError, match=why):
        parse_accounts(spec)


@pytest.fixture
def role_services(ui_services):
    ui_services.accounts = parse_accounts("reader1:pw:reader,admin1:pw:admin")
    return ui_services


@pytest.mark.unit
def test_a_reader_cannot_add_remove_or_evaluate_even_by_calling_the_server_directly(role_services, tmp_path):
    doc = tmp_path / "law.txt"
    doc.write_text("Article 1. The register records consent to removal.", encoding="utf-8")
    with pytest.raises(gr.Error, match="Only administrators can add documents"):
        handlers.add_files(role_services, [doc], user="reader1")
    assert handlers.refresh_library(role_services).empty and not list(tmp_path.glob("lexcite-data/uploads/*"))
    assert "1 added" in handlers.add_files(role_services, [doc], user="admin1")
    with pytest.raises(gr.Error, match="Only administrators can remove documents"):
        handlers.remove(role_services, "uploads/law.txt", user="reader1")
    with pytest.raises(gr.Error, match="Only administrators can remove documents"):
        handlers.remove(role_services, "uploads/law.txt", user=None)  # no name on a server with logins
    assert handlers.refresh_library(role_services).sources == ["uploads/law.txt"]
    role_services.evaluate = EvalTools(lambda *a, **kw: pytest.fail("a reader ran an eval"), None)
    with pytest.raises(gr.Error, match="Only administrators can run evaluations"):
        extra_tabs.run_eval(role_services, "", user="reader1")
    assert "Removed" in handlers.remove(role_services, "uploads/law.txt", user="admin1")


@pytest.mark.unit
def test_an_admin_may_evaluate_only_golden_sets_in_the_data_dir_and_cannot_probe_other_paths(role_services, tmp_path):
    ran = []
    role_services.evaluate = EvalTools(lambda assistant, path, **kw: ran.append(Path(path)), None)
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text('{"id": "q1", "question": "x"}\n', encoding="utf-8")
    messages = []
    for path in (str(outside), str(tmp_path / "missing.jsonl"), "/etc/passwd", "../../etc/passwd"):
        with pytest.raises(gr.Error) as err:
            extra_tabs.run_eval(role_services, path, user="admin1")
        messages.append(str(err.value))
    assert len(set(messages)) == 1 and "under the data directory" in messages[0]  # an existing file looks the same
    inside = Path(role_services.settings.data_dir) / "golden" / "mine.jsonl"
    inside.parent.mkdir(parents=True)
    inside.write_text('{"id": "q1", "question": "x"}\n', encoding="utf-8")
    extra_tabs.run_eval(role_services, str(inside), user="admin1")
    extra_tabs.run_eval(role_services, "", user="admin1", uploaded=str(outside))  # an uploaded golden set
    assert ran == [inside, outside]


@pytest.fixture
def role_app(ui_services):
    from ui.web.app import build_app, launch

    ui_services.accounts = parse_accounts(f"reader1:pw-reader:reader,admin1:{HASHED}")
    ui_services.evaluate = EvalTools(lambda *a, **kw: None, None)
    demo = build_app(ui_services)
    _, url, _ = launch(demo, host="127.0.0.1", port=free_port(), auth=ui_services.accounts,
                       prevent_thread_lock=True, quiet=True)
    try:
        yield url, ui_services
    finally:
        demo.close()


@pytest.mark.integration
def test_a_hashed_password_signs_in_and_the_hash_itself_does_not(role_app):
    from gradio_client import Client

    url, services = role_app
    out = Client(url, auth=("admin1", "s3cret-admin"), verbose=False).predict(
        question="What do States adopt?", history=[], backend="", api_name="/ask")
    assert out["status"] == "answered"
    assert services.assistant.calls[-1]["user"] == "admin1"
    with pytest.raises(Exception):
        Client(url, auth=("admin1", HASHED), verbose=False)


def _sign_in(page, url, user, password):
    sign_in(page, url, user, password)
    page.locator("#lx-question textarea").wait_for(timeout=60_000)


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent: `make browser` installs it")
def test_a_reader_sees_no_upload_remove_or_evaluate_and_an_admin_does(role_app):
    from playwright.sync_api import expect, sync_playwright

    url, _ = role_app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            reader = browser.new_context().new_page()
            _sign_in(reader, url, "reader1", "pw-reader")
            reader.get_by_role("tab", name="Library").click()
            expect(reader.locator("#lx-lib-summary")).to_be_visible(timeout=20_000)
            expect(reader.locator("#lx-upload")).to_have_count(0, timeout=20_000)
            expect(reader.locator("#lx-remove")).to_have_count(0)
            reader.get_by_role("tab", name="Evaluate").click()
            expect(reader.locator("#lx-eval-admins-only")).to_be_visible(timeout=20_000)
            expect(reader.get_by_role("button", name="Run evaluation")).to_have_count(0)

            admin = browser.new_context().new_page()
            _sign_in(admin, url, "admin1", "s3cret-admin")
            admin.get_by_role("tab", name="Library").click()
            expect(admin.locator("#lx-upload")).to_be_visible(timeout=20_000)
            expect(admin.locator("#lx-remove")).to_be_visible()
            admin.get_by_role("tab", name="Evaluate").click()
            expect(admin.get_by_role("button", name="Run evaluation")).to_be_visible(timeout=20_000)
            expect(admin.locator("#lx-eval-admins-only")).to_have_count(0)
        finally:
            browser.close()


@pytest.mark.unit
def test_lexcite_hash_password_prints_a_hash_that_signs_in():
    from click.testing import CliRunner

    from ui.cli.main import main

    result = CliRunner().invoke(main, ["hash-password"], input="horse-battery\nhorse-battery\n")
    assert result.exit_code == 0, result.output
    digest = result.output.strip().splitlines()[-1]
    assert digest.startswith("scrypt:") and "horse-battery" not in digest
    accounts = parse_accounts(f"ops:{digest}:admin")
    assert accounts.verify("ops", "horse-battery") and not accounts.verify("ops", "horse-batterY")
