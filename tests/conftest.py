"""Shared fixtures. No test touches the user's index: LEXCITE_* is cleared and data_dir is a temp dir."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("LEXCITE_"):
            monkeypatch.delenv(key)
    data = tmp_path / "lexcite-data"
    monkeypatch.setenv("LEXCITE_DATA_DIR", str(data))
    return data


@pytest.fixture
def settings(tmp_path):
    from lexcite.settings import load_settings

    return load_settings(env={}, data_dir=tmp_path / "lexcite-data", corpus_dir=tmp_path / "corpus")


@pytest.fixture
def hash_embedder():
    from ingest.embedder import HashEmbedder

    return HashEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    from ingest.embedder import get_embedder

    return get_embedder("")


@pytest.fixture
def shipped_corpus(tmp_path) -> Path:
    """A copy of the shipped corpus/ folder (tests may modify it)."""
    dst = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory, real_embedder):
    """The shipped corpus ingested once per session with the real model (read-only for tests)."""
    from ingest.pipeline import Ingestor
    from lexcite.settings import load_settings

    base = tmp_path_factory.mktemp("shipped")
    corpus = base / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    s = load_settings(env={}, data_dir=base / "data", corpus_dir=corpus)
    report = Ingestor(s, real_embedder).run([corpus])
    assert not report.failed, report.failed
    return s


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port, shared by the session (tests use their own collections)."""
    from tests.support.chroma_server import ChromaServer

    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data").start()
    yield server
    server.stop()
