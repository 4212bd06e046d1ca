"""`lexcite ingest` and `lexcite status` through the command line: summaries, JSON, exit codes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.support import docs
from tests.support.legal_corpus import write_corpus
from ui.cli.main import main

pytestmark = pytest.mark.unit


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")

    def run(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ingest_json_prints_exactly_one_summary_object(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3)
    result = cli("ingest", str(corpus), "--json")
    summary = json.loads(result.stdout)  # the whole of stdout is one object
    assert result.exit_code == 0
    assert {k: summary[k] for k in ("added", "updated", "unchanged", "removed", "failed")} == {
        "added": 3, "updated": 0, "unchanged": 0, "removed": 0, "failed": []}
    assert summary["chunks"] > 3
    assert set(summary["timings_s"]) == {"parse", "chunk", "embed", "store", "sentences", "total"}


def test_some_bad_files_exit_3_with_one_line_each_and_no_traceback(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    docs.truncated_pdf(corpus / "broken.pdf")
    docs.empty_file(corpus / "empty\nname.txt")
    result = cli("ingest", str(corpus))
    assert result.exit_code == 3
    assert result.stdout.startswith("added 2, updated 0, unchanged 0, removed 0, failed 2;")
    failed_lines = [line for line in result.stderr.splitlines() if line.strip().startswith("failed:")]
    assert len(failed_lines) == 2
    assert any("corpus/empty\\nname.txt" in line for line in failed_lines)
    assert "Traceback" not in result.stderr


def test_json_lists_failures_and_still_exits_3(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    docs.binary_file(corpus / "fake.docx")
    result = cli("ingest", str(corpus), "--json")
    summary = json.loads(result.stdout)
    assert result.exit_code == 3 and summary["added"] == 1
    assert [f["path"] for f in summary["failed"]] == ["corpus/fake.docx"]


def test_a_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("ingest", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr


def test_an_unreachable_chroma_server_is_a_configuration_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LEXCITE_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    result = cli("ingest", str(corpus))
    assert result.exit_code == 2
    assert "cannot reach the Chroma server" in result.stderr and "chroma run" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_concurrent_ingest_is_refused_with_a_clear_message(cli, tmp_path):
    from ingest.pipeline import ingest_lock
    from lexcite.settings import load_settings

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    with ingest_lock(load_settings()):
        result = cli("ingest", str(corpus))
    assert result.exit_code == 2
    assert "another `lexcite ingest` is running" in result.stderr


def test_ingest_without_paths_uses_the_corpus_folder(cli, tmp_path, monkeypatch):
    corpus = tmp_path / "my-docs"
    write_corpus(corpus, 2)
    monkeypatch.setenv("LEXCITE_CORPUS_DIR", str(corpus))
    result = cli("ingest", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["added"] == 2


def test_status_on_an_empty_index_says_how_to_ingest(cli):
    result = cli("status")
    assert result.exit_code == 0
    assert "nothing indexed yet" in result.stdout and "lexcite ingest" in result.stdout


def test_status_json_reports_documents_chunks_store_and_model(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    chunks = json.loads(cli("ingest", str(corpus), "--json").stdout)["chunks"]
    st = json.loads(cli("status", "--json").stdout)
    assert (st["documents"], st["chunks"], st["vectors"], st["store"]) == (2, chunks, chunks, "embedded")
    assert st["embedding_model"] == "hash-embedder" and st["data_dir"]
    assert "2 documents" in cli("status").stdout


def test_status_does_not_load_the_embedding_model(tmp_path):
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom ui.cli.main import main\n"
        "r = CliRunner().invoke(main, ['status', '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(r.stdout.strip()); print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "LEXCITE_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    status_json, loaded = out.stdout.strip().splitlines()
    assert json.loads(status_json)["embedding_model"] == "all-MiniLM-L6-v2"
    assert loaded == "False False"


def test_changing_the_embedding_model_of_an_index_is_refused(cli, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    assert cli("ingest", str(corpus)).exit_code == 0
    monkeypatch.delenv("LEXCITE_EMBEDDING_MODEL")  # back to the real model: refused before it is loaded
    result = cli("ingest", str(corpus))
    assert result.exit_code == 2 and "was built with the embedding model 'hash-embedder'" in result.stderr
