"""One-line errors for a data directory that cannot be used: a file where the folder should be, a
read-only or full disk, a damaged catalog. Each says what to do (see the README's hostile-input table)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from lexcite.errors import ConfigError, StoreError


def open_error(path: Path, exc: BaseException) -> Exception:
    """The one-line error for a catalog that cannot be opened, saying what to do."""
    folder = path.parent
    text = str(exc).lower()
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return ConfigError(f"the data directory {folder} is a file, not a folder; point LEXCITE_DATA_DIR (or "
                           "--data-dir) at a folder, or move the file away")
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text \
            or getattr(exc, "errno", None) == errno.EROFS:
        return StoreError(f"the index at {folder} is read-only ({exc}); make the data directory writable by this "
                          "user, or point LEXCITE_DATA_DIR at a writable folder")
    if getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in text or "no space" in text:
        return StoreError(f"no space left for the index at {folder}; free some disk space and run again")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"the catalog {path} is damaged ({exc}); move it (and {folder / 'chroma'}) away and run "
                          "`lexcite ingest` again to rebuild the index")
    if "unable to open" in text and folder.is_dir() and not os.access(folder, os.W_OK):
        return StoreError(f"the index at {folder} is read-only (cannot open the catalog for writing); make the data "
                          "directory writable by this user, or point LEXCITE_DATA_DIR at a writable folder")
    if "unable to open" in text:
        return StoreError(f"cannot open the catalog {path} ({exc}); check that {folder} is a writable folder")
    return StoreError(f"cannot open the catalog {path}: {type(exc).__name__}: {exc}; check the data directory")
