"""Guessing passwords against the running app: failures are slowed down, then the name and the
address are locked for a while (even the right password is refused), then sign-in works again."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.ui.conftest import free_port
from ui.auth import parse_accounts
from ui.web.login import LoginThrottle

pytestmark = pytest.mark.integration

LOCK_S = 3.0


@pytest.fixture
def guarded_app(ui_services):
    from ui.web.app import build_app, launch

    accounts = parse_accounts("officer:right-password,trainer:other-password:reader")
    ui_services.accounts = accounts
    demo = build_app(ui_services)
    throttle = LoginThrottle(max_failures=4, lock_s=LOCK_S, delay_s=0.2, max_delay_s=0.5)
    _, url, _ = launch(demo, host="127.0.0.1", port=free_port(), auth=accounts, throttle=throttle,
                       prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        demo.close()


def sign_in(url: str, user: str, password: str) -> tuple[int, float, str]:
    t0 = time.perf_counter()
    r = httpx.post(url + "login", data={"username": user, "password": password}, timeout=30)
    return r.status_code, time.perf_counter() - t0, r.text


def test_repeated_wrong_passwords_slow_down_then_lock_the_user_until_the_lock_expires(guarded_app):
    url = guarded_app
    assert sign_in(url, "officer", "right-password")[0] == 200
    answers = [sign_in(url, "officer", f"guess-{i}") for i in range(4)]
    assert [code for code, _, _ in answers] == [400] * 4
    assert answers[-1][1] >= 0.45  # each failure waits longer than the one before (0.2 s, 0.4 s, then 0.5 s)

    code, seconds, text = sign_in(url, "officer", "right-password")
    assert code == 429 and "try again in" in text  # locked: the right password does not get in either
    t0 = time.perf_counter()
    burst = [sign_in(url, "officer", f"fast-{i}")[0] for i in range(20)]
    assert set(burst) == {429} and time.perf_counter() - t0 < 10  # refused without even checking

    time.sleep(LOCK_S + 0.5)
    assert sign_in(url, "officer", "right-password")[0] == 200


def test_spraying_many_user_names_from_one_address_locks_that_address(guarded_app):
    url = guarded_app
    for i in range(4):
        assert sign_in(url, f"nobody-{i}", "password")[0] == 400
    code, _, text = sign_in(url, "trainer", "other-password")  # a name that never failed, same address
    assert code == 429 and "try again in" in text
    time.sleep(LOCK_S + 0.5)
    assert sign_in(url, "trainer", "other-password")[0] == 200


@pytest.mark.unit
def test_a_success_clears_the_count_and_old_failures_are_forgotten():
    now = [0.0]
    throttle = LoginThrottle(max_failures=3, lock_s=60, window_s=100, delay_s=0.1, clock=lambda: now[0])
    throttle.failed("alice", "10.0.0.1")
    throttle.failed("alice", "10.0.0.1")
    throttle.succeeded("alice", "10.0.0.1")
    throttle.failed("alice", "10.0.0.1")
    assert throttle.locked_for("alice", "10.0.0.1") == 0
    now[0] = 500.0  # beyond the window: the earlier failure no longer counts
    throttle.failed("alice", "10.0.0.1")
    throttle.failed("alice", "10.0.0.1")
    assert throttle.locked_for("alice", "10.0.0.2") == 0
    throttle.failed("alice", "10.0.0.1")
    assert throttle.locked_for("alice", "10.0.0.2") == 60  # the name is locked from every address
    assert throttle.locked_for("bob", "10.0.0.1") == 60  # and the address for every name
    now[0] = 561.0
    assert throttle.locked_for("alice", "10.0.0.1") == 0
