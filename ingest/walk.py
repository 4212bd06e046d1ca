"""Which files an ingest reads: folders walked without following symlinks out of the tree.

Rules:
- a folder given on the command line is walked recursively; hidden files and folders (".name") are
  ignored, and so are the folder's own `sources.toml` manifest and README files (they describe the
  folder, they are not documents);
- symlinked files are followed only when their target lies inside the folder; symlinked folders are
  never descended into (no loops, no escape); a symlink pointing outside, a dangling one or a loop is
  reported as a failed file with one line saying why;
- files with unsupported extensions, and special files (FIFOs, sockets, devices), are skipped and listed;
- a file given directly is read wherever it is (the user named it).
Names are stored as "<folder name>/<path inside the folder>"; bytes that are not UTF-8 become
backslash escapes so every name can be stored, printed and sent as JSON.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ingest import loaders
from ingest.records import FailedFile

IGNORED_NAMES = {"sources.toml"}


@dataclass(frozen=True)
class SourceFile:
    path: Path  # the file to read
    source: str  # stored name, e.g. "corpus/un-protocol.pdf"
    root: str  # absolute folder this file was found under (the scope for removing deleted files); "" for a named file
    manifest_dir: str  # folder whose sources.toml may describe the file
    relname: str  # path relative to manifest_dir (the manifest key)


@dataclass
class Found:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)


def clean_name(name: str) -> str:
    """A name that encodes as UTF-8 (undecodable bytes from the file system become \\xNN escapes)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_readme(name: str) -> bool:
    return name.lower().split(".")[0] == "readme"


def ignored_at_top(name: str) -> bool:
    """Whether a file of this name directly inside a walked folder is passed over (it describes the folder)."""
    return name.startswith(".") or name in IGNORED_NAMES or _is_readme(name)


def walk(paths: Sequence[Path]) -> Found:
    found = Found()
    seen: set[str] = set()

    def add(sf: SourceFile) -> None:
        if sf.source not in seen:
            seen.add(sf.source)
            found.files.append(sf)

    for p in paths:
        p = Path(p)
        if p.is_dir():
            root = p.resolve()
            found.roots.add(str(root))
            _walk_folder(root, add, found)
        elif p.is_file():
            real = p.resolve()
            add(SourceFile(real, clean_name(f"{p.absolute().parent.name}/{p.name}"), "", str(p.absolute().parent), p.name))
        else:
            found.failed.append(FailedFile(clean_name(str(p)), "not a regular file or folder; give a document or a folder"))
    return found


def _walk_folder(root: Path, add, found: Found) -> None:
    def named(rel: str) -> str:
        return clean_name(f"{root.name}/{rel}")

    def on_error(exc: OSError) -> None:
        rel = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "?"
        found.failed.append(FailedFile(named(rel), f"folder cannot be read ({exc.strerror}); check its permissions"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=on_error):
        here = Path(dirpath)
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if (here / d).is_symlink():
                found.skipped.append(named((here / d).relative_to(root).as_posix()) + "/ (symlinked folder, not followed)")
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(filenames):
            if name.startswith(".") or (here == root and ignored_at_top(name)):
                continue
            full = here / name
            rel = full.relative_to(root).as_posix()
            source = named(rel)
            target = full
            if full.is_symlink():
                try:
                    target = full.resolve(strict=True)
                except (OSError, RuntimeError):
                    found.failed.append(FailedFile(source, "broken symlink or symlink loop; fix or remove the link"))
                    continue
                if not target.is_relative_to(root):
                    found.failed.append(FailedFile(
                        source, f"symlink to {clean_name(str(target))}, outside {clean_name(root.name)}/; "
                                "not followed: copy the file into the folder instead"))
                    continue
            try:
                mode = target.stat().st_mode
            except OSError as exc:
                found.failed.append(FailedFile(source, f"cannot be read ({exc.strerror}); check the file"))
                continue
            if not stat.S_ISREG(mode):
                found.skipped.append(source + " (not a regular file)")
            elif full.suffix.lower() not in loaders.SUPPORTED:
                found.skipped.append(source)
            else:
                add(SourceFile(target, source, str(root), str(root), rel))
