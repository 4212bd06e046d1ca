"""A freshly started server: the first questions all arrive at once, every one gets its answer, and
the audit log holds each answer exactly once under the name of the person who signed in."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from lexcite.text.jsonl import read_jsonl
from tests.support.serve_process import Server, cli_env, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "golden" / "shipped.jsonl"
USERS = [("officer", "correct-horse-battery"), ("trainer", "staple-battery-horse")]
AT_ONCE = 8


def _questions(n: int) -> list[str]:
    out = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if not item.get("history") and item["question"] not in out:
            out.append(item["question"])
    return out[:n]


def test_simultaneous_first_questions_on_a_fresh_server_all_get_answers_audited_under_their_user(
        tmp_path, shipped_corpus):
    from gradio_client import Client

    data = tmp_path / "data"
    env = cli_env(data, LEXCITE_AUTH=",".join(f"{u}:{p}" for u, p in USERS))
    done = run_cli(["ingest", str(shipped_corpus)], env, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]

    server = Server(env, tmp_path).wait_ready()
    try:
        questions = _questions(AT_ONCE)
        assert len(questions) == AT_ONCE
        clients = [Client(server.url, auth=USERS[i % 2], verbose=False) for i in range(AT_ONCE)]
        start = threading.Barrier(AT_ONCE)
        results: dict[int, dict] = {}
        errors: list[str] = []
        seconds: list[float] = []

        def one(i: int) -> None:
            start.wait()
            t0 = time.perf_counter()
            try:
                results[i] = clients[i].predict(question=questions[i], history=[], backend="", api_name="/ask")
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"{questions[i][:50]}: {type(exc).__name__}: {exc}")
            seconds.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(AT_ONCE)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        print(f"cold start: {len(errors)} of {AT_ONCE} failed; slowest answer {max(seconds):.1f} s")
        log = server.log.read_text()
        assert not errors, "\n".join(errors) + "\n" + log[-3000:]
        assert all(results[i]["status"] in ("answered", "insufficient_evidence") for i in range(AT_ONCE))
        assert "Traceback" not in log, log[-3000:]
    finally:
        server.stop()

    audit = list(read_jsonl(data / "audit.jsonl"))
    assert sorted(r["question"] for r in audit) == sorted(questions)  # every answer once
    assert {r["question"]: r["user"] for r in audit} == {q: USERS[i % 2][0] for i, q in enumerate(questions)}
