"""A Library upload killed mid-ingest (SIGKILL) loses nothing: the next upload converges to the clean index.

A real process builds the app's services, saves the uploaded files through the Library handler and
is killed while the upload is being ingested (after the n-th Chroma upsert: vectors stored, catalog
not yet committed; or right after a catalog commit). Uploading the same files again must give
exactly the index that ingesting them once, cleanly, gives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.embedder import HashEmbedder
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import assert_consistent, assert_same_index, snapshot, write_corpus
from lexcite.settings import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DRIVER = r"""
import os, signal, sys
stage, nth = sys.argv[1].split(":")
nth = int(nth)
import ingest.pipeline, ingest.vectors, ingest.catalog
ingest.pipeline.EMBED_BATCH = 16  # several batches, so there is a middle to die in
owner, name = {"upsert": (ingest.vectors.VectorStore, "upsert"),
               "commit": (ingest.catalog.Catalog, "commit_document")}[stage]
real, calls = getattr(owner, name), [0]

def wrapper(*args, **kwargs):
    out = real(*args, **kwargs)
    calls[0] += 1
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return out

setattr(owner, name, wrapper)
from lexcite.settings import load_settings
from ui.web.handlers import add_files
from ui.services import services_from_settings
services = services_from_settings(load_settings())
print(add_files(services, sys.argv[2:]))
"""


def _upload(data: Path, files: list[Path], stage: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    env |= {"LEXCITE_DATA_DIR": str(data), "LEXCITE_EMBEDDING_MODEL": "hash", "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-c", DRIVER, stage or "upsert:999999", *map(str, files)],
                          env=env, capture_output=True, text=True, timeout=300, cwd=data.parent)


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    base = tmp_path_factory.mktemp("upload-crash")
    files = write_corpus(base / "incoming", 12)
    clean_uploads = base / "clean" / "uploads"  # same folder name as the app's, so the same sources
    shutil.copytree(base / "incoming", clean_uploads)
    clean = load_settings(env={}, data_dir=base / "clean" / "data")
    Ingestor(clean, HashEmbedder()).run([clean_uploads])
    reference = _without_roots(snapshot(clean))
    assert_consistent(reference)
    return base, files, reference


def _without_roots(snap: dict) -> dict:
    """Document records name the absolute folder they came from; the two indexes' folders differ."""
    return snap | {"documents": [{k: v for k, v in d.items() if k != "root"} for d in snap["documents"]]}


@pytest.mark.parametrize("stage", ["upsert:2", "commit:5"])
def test_an_upload_killed_mid_ingest_converges_when_the_files_are_uploaded_again(uploads, stage):
    base, files, reference = uploads
    data = base / f"data-{stage.replace(':', '-')}"
    killed = _upload(data, files, stage)
    assert killed.returncode == -signal.SIGKILL, f"never reached {stage}: {killed.stderr[-400:]}"
    assert (data / "uploads").is_dir() and len(list((data / "uploads").iterdir())) == len(files)

    again = _upload(data, files)
    assert again.returncode == 0, again.stderr[-400:]
    snap = _without_roots(snapshot(load_settings(env={}, data_dir=data)))
    assert_consistent(snap)
    assert_same_index(snap, reference)
