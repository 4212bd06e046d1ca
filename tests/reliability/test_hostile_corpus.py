"""A hostile corpus through the real `lexcite ingest`: every bad file becomes one line a person can act
on, everything readable lands (the good files always), nothing outside the folder is read, no
traceback reaches the terminal, memory stays bounded, and a second run changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import hostile
from ingest.embedder import HashEmbedder
from ingest.index import Index
from tests.support.legal_corpus import assert_consistent, snapshot
from lexcite.settings import load_settings

pytestmark = pytest.mark.integration  # real Chroma, a real CLI subprocess (hash embedder: no model)

MAX_RSS_MB = 600  # the corpus holds a 1 GiB zip bomb: decompressing it would blow far past this


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    peak_rss_mb: float

    @property
    def summary(self) -> dict:
        return json.loads(self.stdout)


# A small launcher runs `lexcite ingest` as its own child and reports that child's peak RSS. Measuring
# the ingest as a direct child of pytest would be wrong: Linux carries the parent's high-water RSS
# across fork/vfork + exec into the child's ru_maxrss, so a big test process (models loaded) would
# show up as the ingest's memory.
LAUNCHER = (
    "import os, resource, subprocess, sys\n"
    "r = subprocess.run([sys.executable, '-c', 'from ui.cli.main import main; main()', *sys.argv[2:]])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(r.returncode)\n"
)


def run_ingest(workdir: Path, data: Path, *args: str) -> Run:
    """`lexcite ingest` in a grandchild process whose own peak RSS the launcher reports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    env |= {"LEXCITE_EMBEDDING_MODEL": "hash", "LEXCITE_DATA_DIR": str(data),
            "LEXCITE_MAX_FILE_MB": str(hostile.MAX_FILE_MB), "HF_HUB_OFFLINE": "1"}
    out, err, rss = workdir / "stdout", workdir / "stderr", workdir / "peak_rss_kb"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.run([sys.executable, "-c", LAUNCHER, str(rss), "ingest", *args],
                              stdout=o, stderr=e, stdin=subprocess.DEVNULL, env=env, cwd=workdir)
    return Run(proc.returncode, out.read_text("utf-8"), err.read_text("utf-8"), int(rss.read_text()) / 1024)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    expect = hostile.write_hostile_corpus(base / "corpus", base / "outside")
    data = base / "data"
    first = run_ingest(base, data, "corpus", "--json")
    settings = load_settings(env={}, data_dir=data, embedding_model="hash")
    after_first = snapshot(settings)
    second = run_ingest(base, data, "corpus", "--json")
    return expect, first, second, settings, after_first


def test_there_are_at_least_twenty_kinds_of_hostile_input(hostile_run):
    expect = hostile_run[0]
    assert len([k for k in expect if not k.startswith("good ")]) >= 20


def test_every_hostile_file_gets_one_actionable_line_or_lands_whole(hostile_run):
    expect, first, _, settings, _ = hostile_run
    summary = first.summary
    failed = {f["path"]: f["error"] for f in summary["failed"]}
    index = Index(settings, HashEmbedder())
    landed = {d.source for d in index.documents()}
    problems = []
    for kind, e in expect.items():
        if e.outcome == "fail":
            error = failed.get(e.source)
            if error is None:
                problems.append(f"{kind}: {e.source} not reported as failed")
            elif e.words not in error or "\n" in error or len(error) > 300:
                problems.append(f"{kind}: unhelpful error {error!r}")
        elif e.outcome == "land":
            text = " ".join(c.text for c in index.iter_chunks(e.source))
            if e.source not in landed or e.words not in " ".join(text.split()):
                problems.append(f"{kind}: {e.source} did not land with {e.words!r} (failed: {failed.get(e.source)})")
        elif not any(s.startswith(e.source) for s in summary["skipped"]):
            problems.append(f"{kind}: {e.source} not listed as skipped")
    expected_failures = {e.source for e in expect.values() if e.outcome == "fail"}
    problems += [f"unexpected failure {p}: {m}" for p, m in failed.items() if p not in expected_failures]
    assert problems == []
    assert first.exit_code == 3  # some files failed, the rest landed
    assert summary["added"] == len([e for e in expect.values() if e.outcome == "land"]) == len(landed)


def test_the_cli_prints_no_traceback_and_one_line_per_problem(hostile_run):
    _, first, second, _, _ = hostile_run
    for run in (first, second):
        assert "Traceback" not in run.stderr
        assert all(line.startswith("WARNING ") for line in run.stderr.splitlines()), run.stderr
        assert run.stdout.count("\n") == 1  # --json: exactly one object on stdout


def test_memory_stays_bounded_with_a_zip_bomb_and_deep_html_in_the_corpus(hostile_run):
    _, first, second, _, _ = hostile_run
    print(f"peak RSS of `lexcite ingest`: first run {first.peak_rss_mb:.0f} MB, second {second.peak_rss_mb:.0f} MB")
    assert 0 < first.peak_rss_mb < MAX_RSS_MB
    assert second.peak_rss_mb < MAX_RSS_MB


def test_nothing_outside_the_corpus_folder_is_indexed(hostile_run):
    _, _, _, settings, _ = hostile_run
    index = Index(settings, HashEmbedder())
    assert not any("OUTSIDE-SECRET" in c.text for c in index.iter_chunks())
    assert not index.lexical_search("OUTSIDE-SECRET never indexed", 5)
    assert not [d.source for d in index.documents() if d.source.startswith(("corpus/self/", "corpus/outside-dir/"))]


def test_a_second_run_over_the_hostile_corpus_changes_nothing(hostile_run):
    expect, first, second, settings, after_first = hostile_run
    s1, s2 = first.summary, second.summary
    assert (s2["added"], s2["updated"], s2["removed"]) == (0, 0, 0)
    assert s2["unchanged"] == s1["added"]
    assert s2["failed"] == s1["failed"] and second.exit_code == 3
    after_second = snapshot(settings)
    assert after_second == after_first
    assert_consistent(after_second)
