"""The build keeps the house readable: imports run one way (core -> ingest -> assistant -> quiz | eval ->
interfaces -> training) with no circles, and the declared dependencies are exactly the imported ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make dev` (it is in the dev extra)")
    return found


@pytest.mark.unit
def test_no_layer_imports_upward_and_no_package_has_a_circle():
    out = subprocess.run([_tool("lint-imports"), "--no-logo", "--no-cache"], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]
    assert "BROKEN" not in out.stdout and "Contracts: 4 kept, 0 broken." in out.stdout


@pytest.mark.unit
def test_every_import_is_declared_and_every_dependency_is_used():
    out = subprocess.run([_tool("deptry"), "."], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
