"""Signing in: passwords checked off the event loop, repeated failures slowed down and locked out.

Each failed sign-in is answered a little later than the previous one (`delay_s` times the number
of recent failures, at most `max_delay_s`); after `max_failures` failures within `window_s` the
user name *and* the address they came from are locked for `lock_s` seconds: every sign-in for
that name or from that address is then refused with HTTP 429 ("try again in N s"), even with the
right password. A success clears the counters of that name and address. The address comes from
`ClientAddress`, a tiny ASGI middleware, because Gradio passes only name and password to `auth`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ui.auth import Accounts

log = logging.getLogger(__name__)

_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("lexcite_client_address", default="")
MAX_TRACKED = 10_000  # counters kept at most (oldest dropped), so a flood cannot grow memory without bound


class ClientAddress:
    """ASGI middleware: remember the peer address of the request for the `auth` callable."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        client = scope.get("client")
        token = _ADDRESS.set(str(client[0]) if client else "")
        try:
            return await self.app(scope, receive, send)
        finally:
            _ADDRESS.reset(token)


@dataclass
class _Counter:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass
class LoginThrottle:
    max_failures: int = 5
    lock_s: float = 300.0
    window_s: float = 900.0
    delay_s: float = 0.5
    max_delay_s: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _counters: dict[tuple[str, str], _Counter] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        if self.max_failures < 1 or self.lock_s <= 0 or self.window_s <= 0 or self.delay_s < 0:
            raise ValueError("LoginThrottle needs max_failures >= 1, lock_s > 0, window_s > 0, delay_s >= 0")

    @staticmethod
    def keys(user: str, address: str) -> list[tuple[str, str]]:
        return [("user", user)] + ([("address", address)] if address else [])

    def locked_for(self, user: str, address: str) -> float:
        """Seconds until `user` from `address` may try again (0 = now)."""
        now = self.clock()
        with self._lock:
            waits = [c.locked_until - now for k in self.keys(user, address) if (c := self._counters.get(k))]
        return max([0.0] + waits)

    def failed(self, user: str, address: str) -> float:
        """Count a failure; returns how long to hold the answer back."""
        now = self.clock()
        worst = 0
        with self._lock:
            for k in self.keys(user, address):
                c = self._counters.get(k)
                if c is None or now - c.last > self.window_s:
                    c = self._counters[k] = _Counter()
                c.failures += 1
                c.last = now
                if c.failures >= self.max_failures:
                    c.locked_until = now + self.lock_s
                    log.warning("sign-in locked for %s %r for %.0f s after %d failures", k[0], k[1], self.lock_s,
                                c.failures)
                worst = max(worst, c.failures)
            if len(self._counters) > MAX_TRACKED:
                for k, _ in sorted(self._counters.items(), key=lambda kv: kv[1].last)[: len(self._counters) // 2]:
                    del self._counters[k]
        return min(self.max_delay_s, self.delay_s * worst)

    def succeeded(self, user: str, address: str) -> None:
        with self._lock:
            for k in self.keys(user, address):
                self._counters.pop(k, None)


class LockedOut(Exception):
    """Raised by the auth check while a name or address is locked (the app turns it into HTTP 429)."""

    def __init__(self, seconds: float):
        super().__init__(f"Too many failed sign-ins; try again in {max(1, round(seconds))} s.")
        self.seconds = seconds


def make_auth(accounts: Accounts, throttle: LoginThrottle | None = None):
    """The coroutine Gradio calls with (username, password) on every sign-in."""
    throttle = throttle or LoginThrottle()

    async def auth(username: str, password: str) -> bool:
        from fastapi import HTTPException

        address = _ADDRESS.get()
        wait = throttle.locked_for(username, address)
        if wait > 0:
            raise HTTPException(status_code=429, detail=str(LockedOut(wait)),
                                headers={"Retry-After": str(max(1, round(wait)))})
        ok = await asyncio.to_thread(accounts.verify, username, password)  # scrypt stays off the event loop
        if ok:
            throttle.succeeded(username, address)
            return True
        delay = throttle.failed(username, address)
        log.info("failed sign-in for %r from %s", username[:64], address or "?")
        if delay:
            await asyncio.sleep(delay)
        return False

    auth.throttle = throttle  # type: ignore[attr-defined]
    return auth
