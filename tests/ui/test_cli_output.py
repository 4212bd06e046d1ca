"""What the CLI prints when its output goes to a file or a pipe: no progress bars on a redirected stderr,
counts with their plural forms ("1 document"), quotes cut after a whole word with an ellipsis."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.support.serve_process import CLI, cli_env
from ui.cli.main import main
from ui.cli.text import plural, snippet

REFUSED = "How many days does a donor have to withdraw consent?"


@pytest.mark.integration
def test_a_redirected_stderr_gets_no_loading_weights_bar(shipped_index, tmp_path):
    env = cli_env(shipped_index.data_dir)
    for inherited in ("HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"):  # the user's shell sets neither
        env.pop(inherited, None)
    done = subprocess.run([sys.executable, *CLI, "ask", "What must be done before an organ is removed from a "
                           "living donor?"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "consent" in done.stdout  # the real model and the grounding model were loaded and answered
    assert done.stderr == ""  # not "Loading weights: 100%|██████████| 103/103"


@pytest.mark.unit
def test_counts_read_as_english():
    assert [plural(n, "document") for n in (0, 1, 2)] == ["0 documents", "1 document", "2 documents"]
    assert plural(1, "query") == "1 query" and plural(3, "query") == "3 queries"


@pytest.mark.unit
def test_one_document_with_one_chunk_is_not_1_documents(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text("Article 1. The register records consent.\n", encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    ingested = CliRunner().invoke(main, [*data, "ingest", str(tmp_path / "corpus")], catch_exceptions=False)
    assert ingested.exit_code == 0 and "; 1 chunk indexed (" in ingested.stdout
    status = CliRunner().invoke(main, [*data, "status"], catch_exceptions=False)
    assert status.stdout.startswith("1 document, 1 chunk in the embedded store")


@pytest.mark.unit
def test_a_snippet_ends_after_a_whole_word_with_an_ellipsis():
    text = "Organ removal from a living donor may be carried out for the benefit of a recipient"
    cut = snippet(text, 40)
    assert cut == "Organ removal from a living donor may…" and len(cut) <= 40
    assert snippet("short\n\nenough", 40) == "short enough"  # whole text: one line, no ellipsis
    assert snippet("Supercalifragilistic", 10) == "Supercali…"  # one long word: cut inside it, marked


@pytest.mark.integration
def test_a_refusal_lists_its_closest_passages_cut_at_word_boundaries(shipped_index):
    data = ["--data-dir", str(shipped_index.data_dir)]
    as_json = json.loads(CliRunner().invoke(main, [*data, "ask", REFUSED, "--json"], catch_exceptions=False).stdout)
    assert as_json["status"] == "insufficient_evidence"
    human = CliRunner().invoke(main, [*data, "ask", REFUSED], catch_exceptions=False).stdout
    shown = re.findall(r'^  \[(\d+)\] .*?: "(.*)"$', human, re.M)
    assert len(shown) == len(as_json["citations"]) >= 2
    cut = 0
    for n, quote in shown:
        full = " ".join(as_json["citations"][int(n) - 1]["quote"].split())
        if quote.endswith("…"):
            cut += 1
            kept = quote[:-1]
            assert full.startswith(kept) and full[len(kept)] in " ,;:", (quote, full)  # a whole word, then "…"
        else:
            assert quote == full
    assert cut >= 1  # the long passages were shortened, never mid-word
