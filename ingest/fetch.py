"""Download the instruments listed in a corpus manifest: status, content type, magic bytes and a size
limit checked; each file written atomically (temp file + os.replace) into the corpus folder."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from ingest.manifest import Manifest, SourceEntry
from lexcite.errors import LexciteError

log = logging.getLogger(__name__)

USER_AGENT = "lexcite-sources-fetch/0.1 (+offline legal research assistant)"
CONTENT_TYPES = {
    ".pdf": {"application/pdf", "application/x-pdf", "application/acrobat"},
    ".html": {"text/html", "application/xhtml+xml"},
    ".htm": {"text/html", "application/xhtml+xml"},
    ".xhtml": {"text/html", "application/xhtml+xml"},
    ".txt": {"text/plain"},
    ".md": {"text/markdown", "text/x-markdown", "text/plain"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
}
MAGIC = {".pdf": b"%PDF-", ".docx": b"PK"}
_GENERIC = {"application/octet-stream", "binary/octet-stream", "application/download"}


class OfflineError(LexciteError):
    """No listed address could be reached at all."""

    exit_code = 4


@dataclass(frozen=True)
class FetchResult:
    file: str
    status: str  # fetched | present | failed | unreachable
    detail: str = ""
    bytes: int = 0


class _Refused(Exception):
    """The server answered, but with something we will not save."""


def fetch_sources(
    manifest: Manifest, dest: Path, *, names: Iterable[str] = (), base_url: str = "", max_bytes: int,
    timeout: float = 30.0, force: bool = False, progress: Callable[[str], None] | None = None,
) -> list[FetchResult]:
    """Fetch the manifest's fetchable entries (or those named) into `dest`. Raises OfflineError when
    every attempted address was unreachable (DNS, connection or timeout failure)."""
    wanted = set(names)
    unknown = wanted - set(manifest.entries)
    if unknown:
        raise LexciteError(f"{', '.join(sorted(unknown))} not listed in {manifest.path}; "
                           f"listed: {', '.join(manifest.entries)}")
    entries = [e for e in manifest if (e.file in wanted if wanted else e.fetchable) and (e.url or base_url)]
    dest.mkdir(parents=True, exist_ok=True)
    results: list[FetchResult] = []
    for e in entries:
        target = dest / e.file
        if target.exists() and not force:
            results.append(FetchResult(e.file, "present", "already in the corpus (use --force to replace)"))
            continue
        url = f"{base_url.rstrip('/')}/{e.file}" if base_url else e.url
        if progress:
            progress(f"{e.file} <- {url}")
        results.append(_fetch_one(e, url, target, max_bytes, timeout))
    tried = [r for r in results if r.status != "present"]
    if tried and all(r.status == "unreachable" for r in tried):
        hosts = sorted({urlsplit(f"{base_url.rstrip('/')}/x" if base_url else e.url).netloc for e in entries})
        raise OfflineError(f"offline: could not reach {', '.join(hosts)} ({tried[0].detail}); connect to the "
                           f"internet and retry, or download the files by hand into {dest} (addresses in "
                           f"{manifest.path})")
    return results


def _fetch_one(entry: SourceEntry, url: str, target: Path, max_bytes: int, timeout: float) -> FetchResult:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            size = _save(resp, target, max_bytes)
    except urllib.error.HTTPError as exc:
        return FetchResult(entry.file, "failed", f"HTTP {exc.code} {exc.reason} from {url}; the document may "
                                                 f"have moved: open {entry.page or url} and save it by hand")
    except urllib.error.URLError as exc:
        return FetchResult(entry.file, "unreachable", _reason(exc.reason))
    except (TimeoutError, socket.timeout, ConnectionError) as exc:
        return FetchResult(entry.file, "unreachable", _reason(exc))
    except _Refused as exc:
        return FetchResult(entry.file, "failed", f"{exc} (from {url})")
    except OSError as exc:
        return FetchResult(entry.file, "failed", f"could not write {target}: {exc.strerror or exc}")
    return FetchResult(entry.file, "fetched", url, size)


def _save(resp, target: Path, max_bytes: int) -> int:
    status = getattr(resp, "status", 200)
    if status != 200:
        raise _Refused(f"HTTP {status} instead of 200")
    suffix = target.suffix.lower()
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    expected = CONTENT_TYPES.get(suffix, set())
    if expected and ctype not in expected and not (ctype in _GENERIC and suffix in MAGIC):
        raise _Refused(f"refused: content type {ctype or '(none)'} does not match {suffix} "
                       f"(expected {', '.join(sorted(expected))})")
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise _Refused(f"refused: {int(length) / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB limit "
                       "(LEXCITE_MAX_FILE_MB)")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        size, head = 0, b""
        with os.fdopen(fd, "wb") as out:
            while block := resp.read(65536):
                size += len(block)
                if size > max_bytes:
                    raise _Refused(f"refused: more than {max_bytes / 1e6:g} MB (LEXCITE_MAX_FILE_MB)")
                head = head or block[:1024]
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise _Refused("refused: the server sent an empty body")
        magic = MAGIC.get(suffix)
        if magic and magic not in head[:1024]:
            raise _Refused(f"refused: the body is not a {suffix} file (it does not start with {magic.decode()})")
        os.replace(tmp, target)
        return size
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "name lookup failed"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    text = getattr(reason, "strerror", None) or str(reason)
    return " ".join(str(text).split())[:120]
