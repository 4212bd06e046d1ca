"""Who may open the app, what each person may do there, and where it may listen.

`settings.auth` is either `user:pass,user2:pass2` or the path of a file with one entry per line
(blank lines and `#` comments ignored). An entry is `user:secret` or `user:secret:role`:

- `secret` is the password itself, or a scrypt hash `scrypt:N:r:p$salt$hex` (the format of
  werkzeug's `generate_password_hash(..., method="scrypt")`; `lexcite hash-password` prints one);
- `role` is `admin` (ask, quiz, feedback, and also upload, remove and run evals) or `reader` (ask,
  quiz, feedback). An entry without a role is an admin, as every user was before roles existed.
  Only a last `:admin` / `:reader` is read as the role, so `bob:p:w2` is still password `p:w2`
  (a password that itself ends in `:admin` is written `bob:pw:admin:admin`).

Without any login (loopback only) the person at the machine is the operator: an admin.
`check_bind` refuses a non-loopback address without a login unless the operator says
`--insecure-no-auth` explicitly.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from lexcite.errors import ConfigError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
ADMIN, READER = "admin", "reader"
ROLES = (ADMIN, READER)
DEFAULT_ROLE = ADMIN  # entries written before roles existed keep every right they had
SCRYPT = "scrypt"
SCRYPT_PARAMS = (32768, 8, 1)  # werkzeug's defaults: ~0.1 s and 32 MB per check


@dataclass(frozen=True)
class Account:
    user: str
    secret: str  # the password, or "scrypt:N:r:p$salt$hex"
    role: str = DEFAULT_ROLE

    @property
    def hashed(self) -> bool:
        return self.secret.startswith(SCRYPT + ":")

    def verify(self, password: str) -> bool:
        if not self.hashed:
            return hmac.compare_digest(password.encode("utf-8", "surrogatepass"), self.secret.encode("utf-8"))
        return verify_scrypt(self.secret, password)


@dataclass(frozen=True)
class Accounts:
    """The parsed LEXCITE_AUTH: empty means no login (everyone is the operator)."""

    entries: tuple[Account, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    def get(self, user: str | None) -> Account | None:
        return next((a for a in self.entries if a.user == user), None)

    def role(self, user: str | None) -> str:
        """The role of a signed-in user; without logins the operator is an admin; an unknown name reads only."""
        if not self.entries:
            return ADMIN
        account = self.get(user)
        return account.role if account else READER

    def is_admin(self, user: str | None) -> bool:
        return self.role(user) == ADMIN

    def verify(self, user: str, password: str) -> bool:
        account = self.get(user)
        if account is None:
            return False
        return account.verify(password)

    def pairs(self) -> list[tuple[str, str]]:
        return [(a.user, a.secret) for a in self.entries]


def hash_password(password: str, salt: str | None = None, params: tuple[int, int, int] = SCRYPT_PARAMS) -> str:
    """`scrypt:N:r:p$salt$hex` for LEXCITE_AUTH (stdlib hashlib.scrypt, werkzeug-compatible)."""
    n, r, p = params
    salt = salt or secrets.token_urlsafe(12)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt.encode("utf-8"), n=n, r=r, p=p,
                            maxmem=132 * n * r * p, dklen=64)
    return f"{SCRYPT}:{n}:{r}:{p}${salt}${digest.hex()}"


def _scrypt_parts(spec: str) -> tuple[int, int, int, str, str]:
    """(n, r, p, salt, hex) of a hash, or ValueError."""
    method, salt, digest = spec.split("$")
    name, n, r, p = method.split(":")
    if name != SCRYPT or not salt or not digest:
        raise ValueError(spec)
    bytes.fromhex(digest)
    n_, r_, p_ = int(n), int(r), int(p)
    if n_ < 2 or n_ & (n_ - 1) or not 1 <= r_ <= 64 or not 1 <= p_ <= 16 or n_ > 2 ** 20:
        raise ValueError(spec)
    return n_, r_, p_, salt, digest


def verify_scrypt(spec: str, password: str) -> bool:
    try:
        n, r, p, salt, digest = _scrypt_parts(spec)
        got = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt.encode("utf-8"), n=n, r=r, p=p,
                             maxmem=132 * n * r * p + 1024 * 1024, dklen=len(digest) // 2)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got.hex(), digest.lower())


def parse_accounts(spec: str) -> Accounts:
    """The accounts in `spec` (inline entries or a file of them); empty when `spec` is empty."""
    spec = (spec or "").strip()
    if not spec:
        return Accounts()
    path = Path(spec).expanduser()
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise ConfigError(f"cannot read the auth file {path}: {why}; check it") from None
        where = str(path)
    elif ":" not in spec:
        raise ConfigError(f"the auth file {spec} does not exist; create it with one user:password per line")
    else:
        lines = spec.split(",")
        where = "LEXCITE_AUTH"
    entries: list[Account] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, rest = line.partition(":")
        user, rest = user.strip(), rest.strip()
        role = DEFAULT_ROLE
        head, colon, last = rest.rpartition(":")
        if colon and last.strip().lower() in ROLES:
            rest, role = head.strip(), last.strip().lower()
        if not sep or not user or not rest:
            raise ConfigError(
                f"{where}: entry {n} is not `user:password` or `user:password:role` (both parts non-empty); "
                "fix it or remove it"
            )
        if rest.startswith(SCRYPT + ":"):
            try:
                _scrypt_parts(rest)
            except ValueError:
                raise ConfigError(
                    f"{where}: entry {n} ({user}) is not a valid `scrypt:N:r:p$salt$hex` hash; make one with "
                    "`lexcite hash-password`"
                ) from None
        if any(a.user == user for a in entries):
            raise ConfigError(f"{where}: user {user!r} is listed twice (entry {n}); keep one entry per user")
        entries.append(Account(user, rest, role))
    if not entries:
        raise ConfigError(f"{where} names no `user:password` pair; add one or unset it")
    return Accounts(tuple(entries))


def parse_auth(spec: str) -> list[tuple[str, str]]:
    """The (user, secret) pairs in `spec`; [] when empty. See `parse_accounts` for roles."""
    return parse_accounts(spec).pairs()


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # any other host name may resolve to a public interface


def check_bind(host: str, auth, insecure_no_auth: bool = False) -> None:
    """Raise ConfigError when the app would be reachable from other machines without a login."""
    if auth or insecure_no_auth or is_loopback(host):
        return
    raise ConfigError(
        f"refusing to serve on {host} without a login: anyone who can reach this machine could use "
        "the app. Set LEXCITE_AUTH=user:password (or the path of a file of user:password lines), "
        "bind to 127.0.0.1, or pass --insecure-no-auth if you really mean it"
    )
