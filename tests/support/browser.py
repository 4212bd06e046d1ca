"""Headless Debian Chromium for the browser tests (Playwright drives it; its own browser download cannot work
offline), and the sign-in every logged-in browser test starts with."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
# without the background-networking flags Chromium's calls home are refused by the closed network, many at a time
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


def sign_in(page, url: str, user: str, password: str) -> None:
    """Open the app at `url` and sign in through its login form."""
    page.goto(url)
    page.locator("input[type=password]").wait_for(timeout=60_000)
    page.locator("input:not([type=password])").first.fill(user)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Login").click()
