"""Kill a real `lexcite ingest` subprocess with SIGKILL at a chosen stage (the crash tests of
tests/ingest/test_crash.py and test_server_mode.py). The driver only wraps real functions to know
*when* to die; nothing about the index is faked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

DRIVER = r"""
import os, signal, sys, threading
stage, nth = sys.argv[1].split(":")
nth = int(nth)
import ingest.pipeline, ingest.loaders, ingest.embedder, ingest.vectors, ingest.catalog
ingest.pipeline.EMBED_BATCH = 16  # several batches, so there is a "middle" to die in
calls = [0]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def patch(owner, name, when):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        calls[0] += 1
        hit = calls[0] == nth
        if hit and when == "before":
            die()
        if hit and when == "during":
            threading.Timer(0.002, die).start()
        out = real(*args, **kwargs)
        if hit:
            die()
        return out
    setattr(owner, name, wrapper)

target = {
    "parse": (ingest.loaders, "load", "before"),
    "embed": (ingest.embedder.HashEmbedder, "embed", "after"),
    "upsert": (ingest.vectors.VectorStore, "upsert", "after"),
    "upsert-mid": (ingest.vectors.VectorStore, "upsert", "during"),
    "commit": (ingest.catalog.Catalog, "commit_document", "after"),
    "delete": (ingest.vectors.VectorStore, "delete", "after"),
}[stage]
patch(*target)
from ui.cli.main import main
main(["ingest", *sys.argv[2:]])
"""


def ingest_env(data: Path, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    return env | {"LEXCITE_DATA_DIR": str(data), "LEXCITE_EMBEDDING_MODEL": "hash", "HF_HUB_OFFLINE": "1"} | (extra or {})


def crash_at(stage: str, data: Path, corpus: Path, extra_env: dict | None = None) -> None:
    """Run `lexcite ingest CORPUS` in a subprocess that SIGKILLs itself at `stage:n` (see DRIVER)."""
    out = subprocess.run([sys.executable, "-c", DRIVER, stage, str(corpus)], env=ingest_env(data, extra_env),
                         capture_output=True, text=True, timeout=300, cwd=corpus.parent)
    assert out.returncode == -signal.SIGKILL, f"{stage} was never reached (exit {out.returncode}): {out.stderr[-500:]}"
