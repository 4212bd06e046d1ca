"""A running app sees documents that `lexcite ingest`, another process, adds to its data directory,
without a restart (the embedded Chroma keeps its vector index in each process's memory)."""

from __future__ import annotations

import pytest

from assistant.retrieval import make_retriever
from ingest.embedder import HashEmbedder
from ingest.index import Index
from tests.support.serve_process import cli_env, run_cli

pytestmark = pytest.mark.integration

OLD = "Article 1. The donor register is kept by the national transplant authority.\n"
NEW = "Article 7. Hospitals report every organ retrieval to the regional coordination centre within a day.\n"


def test_documents_ingested_by_the_cli_are_found_by_the_running_app_and_removed_ones_are_gone(
        settings, tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.index.REOPEN_EVERY_S", 0.0)  # the app reloads at most this often; no waiting in a test
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "register.md").write_text(OLD, encoding="utf-8")
    env = cli_env(settings.data_dir, LEXCITE_EMBEDDING_MODEL="hash")
    assert run_cli(["ingest", str(corpus)], env, tmp_path).returncode == 0

    app = Index(settings, HashEmbedder())  # the running app's index, already answering questions
    assert [c.source for c, _ in app.dense_search(OLD, 5)] == ["corpus/register.md"]

    (corpus / "retrieval.md").write_text(NEW, encoding="utf-8")
    done = run_cli(["ingest", str(corpus)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    searched = make_retriever(app).retrieve(NEW, 5)  # the path the app's answers take: hybrid retrieval
    assert searched and searched[0].chunk.source == "corpus/retrieval.md" and searched[0].dense_rank == 1
    hits = app.dense_search(NEW, 5)
    assert hits and hits[0][0].source == "corpus/retrieval.md" and hits[0][1] > 0.99

    (corpus / "register.md").unlink()
    assert run_cli(["ingest", str(corpus)], env, tmp_path).returncode == 0
    assert [c.source for c, _ in app.dense_search(OLD, 5)] == ["corpus/retrieval.md"]
    assert {p.chunk.source for p in make_retriever(app).retrieve(OLD, 5)} == {"corpus/retrieval.md"}
