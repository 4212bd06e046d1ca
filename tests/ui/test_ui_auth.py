"""Only people with a login reach the app when it listens beyond this machine."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from lexcite.errors import ConfigError
from ui.auth import check_bind, is_loopback, parse_auth

pytestmark = pytest.mark.unit


def test_credentials_come_inline_or_from_a_file(tmp_path):
    assert parse_auth("alice:pw1, bob:p:w2") == [("alice", "pw1"), ("bob", "p:w2")]
    f = tmp_path / "users"
    f.write_text("# trainers\nalice:pw1\n\ncarol:secret\n", encoding="utf-8")
    assert parse_auth(str(f)) == [("alice", "pw1"), ("carol", "secret")]
    assert parse_auth("") == []


@pytest.mark.parametrize("spec, why", [
    ("alice", "does not exist"), ("/no/such/file", "does not exist"), ("alice:", "user:password"),
    (":pw", "user:password"), ("alice:pw,bob", "entry 2"),
])
def test_malformed_credentials_say_how_to_fix_them(spec, why):
    with pytest.raises(ConfigError, match=why):
        parse_auth(spec)


def test_only_loopback_may_go_without_a_login():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "myhost.example"))
    check_bind("127.0.0.1", [])
    check_bind("0.0.0.0", [("a", "b")])
    check_bind("0.0.0.0", [], insecure_no_auth=True)
    with pytest.raises(ConfigError, match="--insecure-no-auth"):
        check_bind("0.0.0.0", [])


def test_serve_refuses_a_public_address_without_auth_and_exits_non_zero(monkeypatch):
    from ui.cli.main import main

    def boom(*a, **kw):  # the refusal must come before anything heavy is built
        raise AssertionError("services were built although serving was refused")

    monkeypatch.setattr("ui.services.services_from_settings", boom)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "7999"])
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without a login" in result.output
    assert "LEXCITE_AUTH" in result.output and "--insecure-no-auth" in result.output


def test_serve_reports_a_broken_auth_setting_plainly(monkeypatch):
    from ui.cli.main import main

    monkeypatch.setenv("LEXCITE_AUTH", "nocolon")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "does not exist" in result.output and "Traceback" not in result.output
