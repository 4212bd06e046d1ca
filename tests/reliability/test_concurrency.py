"""Concurrency as users meet it: people keep asking while an ingest runs, someone starts a second
ingest, several processes append to the audit log and the feedback file at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from assistant.service import Assistant
from ingest.embedder import HashEmbedder
from ingest.index import Index
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import assert_consistent, change_document, snapshot, write_corpus
from lexcite.text.jsonl import append_jsonl, read_jsonl

pytestmark = pytest.mark.unit


def versions(index: Index) -> dict[tuple[str, str], set[str]]:
    """{(source, doc_hash): chunk ids} of every document as committed right now."""
    out: dict[tuple[str, str], set[str]] = {}
    for c in index.iter_chunks():
        out.setdefault((c.source, c.doc_hash), set()).add(c.id)
    return out


class SlowHashEmbedder(HashEmbedder):
    """The hash embedder with a model-like pause per call, so readers get many turns during an ingest."""

    def embed(self, texts):
        time.sleep(0.03)
        return super().embed(texts)


@pytest.fixture(params=["embedded", pytest.param("server", marks=[pytest.mark.server, pytest.mark.slow])])
def store_settings(request, settings):
    """The same test against the embedded store and against a real `chroma run` on loopback."""
    if request.param == "embedded":
        return settings
    server = request.getfixturevalue("chroma_server")
    return settings.with_overrides(chroma_url=server.url, collection=f"concurrency-{os.getpid()}-{id(request)}")


def test_questions_during_an_ingest_never_fail_and_only_ever_see_whole_committed_documents(
        store_settings, tmp_path, monkeypatch):
    settings = store_settings
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 16, articles=3)
    Ingestor(settings, HashEmbedder()).run([corpus])
    reader = Index(settings, HashEmbedder())
    before = versions(reader)
    for p in paths[::2]:
        change_document(p)
    for p in paths[1:4]:
        p.unlink()
    write_corpus(tmp_path / "new", 20)
    for p in sorted((tmp_path / "new").iterdir())[16:]:
        p.rename(corpus / p.name.replace("act-", "new-act-"))
    monkeypatch.setattr(pipeline, "EMBED_BATCH", 8)  # one document per write: many commits to race with

    # The race is about the index; the heuristic verifier keeps each question quick enough to ask many
    # during the ingest (the grounding model would make it ~1 question per ingest on 2 busy cores).
    assistant = Assistant.from_settings(settings.with_overrides(verifier="heuristics"), HashEmbedder())
    stop = threading.Event()
    problems: list[str] = []
    results: list[tuple[str, list]] = []  # (what, chunks) as each reader saw them
    rounds = {"dense": 0, "lexical": 0, "ask": 0, "invariant": 0}

    def loop(name, fn):
        while not stop.is_set():
            try:
                results.append((name, fn()))
                rounds[name] += 1
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                problems.append(f"{name}: {type(exc).__name__}: {exc}")
                return

    def ask():
        answer = assistant.ask("What do the consent rules of the register provide?")
        return [(c.source, None, c.chunk_id) for c in answer.citations]

    def invariant():
        """In one read transaction: every document has exactly its declared chunks, all of its doc_hash."""
        con = reader.catalog.connect().con
        con.execute("BEGIN")
        try:
            bad = con.execute(
                "SELECT d.source FROM documents d LEFT JOIN chunks c ON c.source = d.source "
                "GROUP BY d.source HAVING count(c.id) != d.n_chunks OR sum(c.doc_hash != d.doc_hash) > 0"
            ).fetchall()
            orphans = con.execute("SELECT count(*) FROM chunks WHERE source NOT IN (SELECT source FROM documents)"
                                  ).fetchone()[0]
        finally:
            con.execute("COMMIT")
        if bad or orphans:
            problems.append(f"half a document visible: {[r[0] for r in bad]}, {orphans} orphan rows")
        return []

    readers = [
        threading.Thread(target=loop, args=("dense", lambda: [(c.source, c.doc_hash, c.id) for c, _ in reader.dense_search("consent register offence", 8)])),
        threading.Thread(target=loop, args=("lexical", lambda: [(c.source, c.doc_hash, c.id) for c, _ in reader.lexical_search("rules document provide", 8)])),
        threading.Thread(target=loop, args=("ask", ask)),
        threading.Thread(target=loop, args=("invariant", invariant)),
    ]
    for t in readers:
        t.start()
    try:
        report = Ingestor(settings, SlowHashEmbedder()).run([corpus])
    finally:
        stop.set()
        for t in readers:
            t.join()
    after = versions(reader)
    valid = before | after
    for name, hits in results:
        hashes: dict[str, str] = {}
        for source, doc_hash, cid in hits:
            ids = valid.get((source, doc_hash), set()) if doc_hash else set().union(
                *(v for (s, _), v in valid.items() if s == source))
            if cid not in ids:
                problems.append(f"{name} returned a chunk of no committed version: {source} {cid}")
            if doc_hash and hashes.setdefault(source, doc_hash) != doc_hash:
                problems.append(f"{name} mixed two versions of {source} in one result")
    assert (report.added, report.updated, report.removed) == (4, 7, 3)
    assert problems == []
    assert min(rounds.values()) >= 2, rounds  # every reader really ran during the ingest
    assert_consistent(snapshot(settings))


LOCK_HOLDER = """
import pathlib, sys, time
import ingest.embedder as e
real = e.HashEmbedder.embed
release = pathlib.Path(sys.argv.pop(1))
def held(self, texts):  # pause inside the ingest (the lock is held) until the test says go
    while not release.exists():
        time.sleep(0.05)
    return real(self, texts)
e.HashEmbedder.embed = held
from ui.cli.main import main
main()
"""


def _lock_is_held(lock: Path) -> bool:
    """Whether some process holds an flock on `lock`, read from /proc/locks (taking it ourselves would race)."""
    if not lock.exists():
        return False
    ino = lock.stat().st_ino
    return any(line.split()[5].endswith(f":{ino}") for line in Path("/proc/locks").read_text().splitlines()
               if "FLOCK" in line)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks to see the lock")
def test_two_ingests_at_once_the_second_is_refused_and_the_index_equals_a_clean_one(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    data, clean = tmp_path / "data", tmp_path / "clean"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    env |= {"LEXCITE_EMBEDDING_MODEL": "hash", "LEXCITE_DATA_DIR": str(data)}
    release = tmp_path / "release"
    first = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(release), "ingest", str(corpus), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _lock_is_held(data / "ingest.lock"):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-c", "from ui.cli.main import main; main()", "ingest", str(corpus)],
                                capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    finally:
        release.touch()
        out, err = first.communicate(timeout=120)
    assert second.returncode == 2
    assert second.stderr.strip().count("\n") == 0 and "another `lexcite ingest` is running" in second.stderr
    assert "Traceback" not in second.stderr + err
    assert first.returncode == 0 and json.loads(out)["added"] == 6
    from lexcite.settings import load_settings

    clean_settings = load_settings(env={}, data_dir=clean)
    Ingestor(clean_settings, HashEmbedder()).run([corpus])
    got = snapshot(load_settings(env={}, data_dir=data))
    assert_consistent(got)
    assert got == snapshot(clean_settings)


# ---- JSONL under concurrent writers ---------------------------------------------------------------


def _writer(kind: str, path: str, worker: int, n: int) -> None:
    """One process appending `n` records through the real writers (audit log, feedback, raw helper)."""
    import hashlib

    from assistant.audit import AuditLog
    from assistant.records import Answer, Sentence
    from ui.web.feedback import make_feedback, record_feedback

    for i in range(n):
        body = f"{worker}-{i}-" + "x" * (1 + (i * 7919) % 150_000)  # up to 150 KB: far beyond PIPE_BUF
        answer = Answer(f"q {worker}-{i}", "answered", body, [Sentence(body[:50], (1,), True, 0.9)])
        if kind == "audit":
            AuditLog(Path(path)).write(answer, [], user=f"w{worker}")
        elif kind == "feedback":
            record_feedback(Path(path), make_feedback(answer, "helpful", comment=f"w{worker}"))
        else:
            append_jsonl(Path(path), {"worker": worker, "i": i, "body": body,
                                      "sha": hashlib.sha256(body.encode()).hexdigest()})


@pytest.mark.parametrize("kind", ["audit", "feedback", "raw"])
def test_jsonl_files_stay_valid_with_several_processes_appending_at_once(tmp_path, kind):
    path = tmp_path / f"{kind}.jsonl"
    workers, per_worker = 4, 60
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(kind, str(path), w, per_worker)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    records = list(read_jsonl(path))  # raises on any torn or interleaved line
    assert len(records) == workers * per_worker
    assert path.read_bytes().count(b"\n") == workers * per_worker
    if kind == "raw":
        import hashlib

        assert all(hashlib.sha256(r["body"].encode()).hexdigest() == r["sha"] for r in records)
        for w in range(workers):  # each writer's records arrive whole and in its own order
            assert [r["i"] for r in records if r["worker"] == w] == list(range(per_worker))
    else:  # every record whole: its answer is the body written with its question
        for r in records:
            w, i = map(int, r["question"].removeprefix("q ").split("-"))
            assert r["answer"] == f"{w}-{i}-" + "x" * (1 + (i * 7919) % 150_000)
        assert len({r["question"] for r in records}) == workers * per_worker
