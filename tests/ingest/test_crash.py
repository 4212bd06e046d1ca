"""kill -9 at any moment: the next ingest converges to exactly the index a clean run builds.

A real `lexcite ingest` subprocess (hash embedder, embedded Chroma) kills itself with SIGKILL at a
chosen point: while parsing, inside the embedding call, right after the Chroma upsert (vectors
stored, catalog not committed), in the middle of an upsert, right after a catalog commit (garbage
not yet deleted from Chroma), after a Chroma delete (garbage not yet cleared). The driver only
wraps real functions to know *when* to die; nothing about the index is faked. Another case kills
the real console script from outside at whatever moment it has reached.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.embedder import HashEmbedder
from ingest.pipeline import Ingestor
from tests.support.crash import crash_at, ingest_env
from tests.support.legal_corpus import assert_consistent, assert_same_index, change_document, snapshot, write_corpus
from lexcite.settings import load_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

def lexcite_ingest(data: Path, corpus: Path) -> subprocess.CompletedProcess:
    lexcite = Path(sys.executable).parent / "lexcite"
    return subprocess.run([str(lexcite), "ingest", str(corpus), "--json"], env=ingest_env(data),
                          capture_output=True, text=True, timeout=300, cwd=corpus.parent)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """v1 (30 acts) ingested once as a template; v2 = 10 changed, 2 deleted, 3 added; the clean v2 index."""
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"
    paths = write_corpus(corpus, 30)
    template = base / "v1-data"
    assert lexcite_ingest(template, corpus).returncode == 0
    v1 = base / "v1-corpus"
    shutil.copytree(corpus, v1)
    for p in paths[:10]:
        change_document(p)
    for p in paths[-2:]:
        p.unlink()
    extra = write_corpus(base / "extra", 33, seed=5)[30:]
    for p in extra:
        shutil.move(p, corpus / p.name)
    clean = load_settings(env={}, data_dir=base / "clean-data")
    Ingestor(clean, HashEmbedder()).run([corpus])
    reference = snapshot(clean)
    assert_consistent(reference)
    return {"base": base, "corpus": corpus, "v1_corpus": v1, "template": template, "reference": reference}


def _resume_and_compare(data: Path, corpus: Path, reference: dict) -> None:
    """Run ingest again (in this process: it has never opened `data`, so nothing is cached) and compare."""
    settings = load_settings(env={}, data_dir=data)
    report = Ingestor(settings, HashEmbedder()).run([corpus])
    assert report.failed == []
    snap = snapshot(settings)
    assert_consistent(snap)
    assert_same_index(snap, reference)


@pytest.mark.parametrize("stage", ["parse:8", "embed:2", "upsert:2", "upsert-mid:3", "commit:7", "delete:2"])
def test_a_reingest_killed_at_any_stage_converges_to_the_clean_index(corpora, tmp_path, stage):
    data = tmp_path / "data"
    shutil.copytree(corpora["template"], data)
    crash_at(stage, data, corpora["corpus"])
    _resume_and_compare(data, corpora["corpus"], corpora["reference"])


def test_a_first_ingest_killed_then_killed_again_during_recovery_converges(corpora, tmp_path):
    data = tmp_path / "data"
    crash_at("upsert:3", data, corpora["corpus"])  # vectors in Chroma, catalog not committed
    crash_at("delete:1", data, corpora["corpus"])  # dies while recovery deletes those vectors
    _resume_and_compare(data, corpora["corpus"], corpora["reference"])


def test_the_real_command_killed_from_outside_mid_run_converges(corpora, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 150, seed=9)
    data = tmp_path / "data"
    lexcite = Path(sys.executable).parent / "lexcite"
    proc = subprocess.Popen([str(lexcite), "ingest", str(corpus)], env=ingest_env(data),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catalog = data / "catalog.sqlite3"
    deadline = time.monotonic() + 120
    landed = 0
    while proc.poll() is None and time.monotonic() < deadline and not landed:
        if catalog.exists():
            try:
                with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1) as con:
                    landed = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                pass
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert 0 < landed < 150
    clean = load_settings(env={}, data_dir=tmp_path / "clean")
    Ingestor(clean, HashEmbedder()).run([corpus])
    _resume_and_compare(data, corpus, snapshot(clean))
