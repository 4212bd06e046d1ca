"""Who may open the app, and where it may listen.

`settings.auth` is either `user:pass,user2:pass2` or the path of a file with one `user:pass` per
line (blank lines and `#` comments ignored). `check_bind` refuses a non-loopback address without a
login unless the operator says `--insecure-no-auth` explicitly.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from lexcite.errors import ConfigError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def parse_auth(spec: str) -> list[tuple[str, str]]:
    """The (user, password) pairs in `spec` (inline pairs or a file of them); [] when empty."""
    spec = (spec or "").strip()
    if not spec:
        return []
    path = Path(spec).expanduser()
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read the auth file {path}: {exc.strerror}; check its permissions") from None
        where = str(path)
    elif ":" not in spec:
        raise ConfigError(f"the auth file {spec} does not exist; create it with one user:password per line")
    else:
        lines = spec.split(",")
        where = "LEXCITE_AUTH"
    pairs: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        user, password = user.strip(), password.strip()
        if not sep or not user or not password:
            raise ConfigError(
                f"{where}: entry {n} is not `user:password` (both parts non-empty); fix it or remove it"
            )
        pairs.append((user, password))
    if not pairs:
        raise ConfigError(f"{where} names no `user:password` pair; add one or unset it")
    return pairs


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # any other host name may resolve to a public interface


def check_bind(host: str, auth: list[tuple[str, str]], insecure_no_auth: bool = False) -> None:
    """Raise ConfigError when the app would be reachable from other machines without a login."""
    if auth or insecure_no_auth or is_loopback(host):
        return
    raise ConfigError(
        f"refusing to serve on {host} without a login: anyone who can reach this machine could use "
        "the app. Set LEXCITE_AUTH=user:password (or the path of a file of user:password lines), "
        "bind to 127.0.0.1, or pass --insecure-no-auth if you really mean it"
    )
