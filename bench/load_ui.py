"""Load on the web app: N concurrent chat sessions against one `lexcite serve` on loopback.

Each session is its own client (logged in) that asks `--turns` questions through the public `/ask`
endpoint, passing its own conversation as history (follow-ups): a gradio_client Client (`--client
gradio`, the default) or plain HTTP calls of Gradio's REST API (`--client rest`). The summary splits the
wall time into connecting and answering, and says how many CPU seconds the server and the bench's own
clients used (on one 2-core machine the 50 gradio_client clients take more than the server). Everything is bounded:
a fixed number of sessions and turns, a per-request timeout and a deadline for the whole run.

    .venv/bin/python bench/load_ui.py                      # 50 sessions x 2 turns, shipped corpus
    .venv/bin/python bench/load_ui.py --url http://127.0.0.1:7860 --auth user:pass   # a running server

Questions come from the golden set (eval/golden/shipped.jsonl) unless --questions names a JSONL file
with {"question": ...} lines. Prints a summary and writes bench/out/load_ui.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEXCITE = [sys.executable, "-c", "from ui.cli.main import main; main()"]
DEFAULT_QUESTIONS = REPO / "eval" / "golden" / "shipped.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_questions(path: Path) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not qs:
        raise SystemExit(f"no questions in {path}")
    return qs


def start_server(data_dir: Path, port: int, auth: str, env: dict) -> subprocess.Popen:
    env = env | {"LEXCITE_DATA_DIR": str(data_dir), "LEXCITE_AUTH": auth}
    proc = subprocess.Popen(LEXCITE + ["serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early:\n{proc.stderr.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "config", timeout=2)  # 401 without a login is fine too
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not come up within 300 s")


def session(url: str, auth: tuple[str, str], questions: list[str], sid: int, turns: int, timeout: float,
            start: threading.Barrier, deadline: float, released: list[float], kind: str = "gradio") -> list[dict]:
    out: list[dict] = []
    try:
        client = CLIENTS[kind](url, auth, timeout)
    except Exception as exc:
        start.abort()
        return [{"session": sid, "turn": 0, "ok": False, "error": f"connect: {exc}"[:300], "latency_s": None}]
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    released.append(time.perf_counter())
    history: list[list[str]] = []
    for t in range(turns):
        if time.monotonic() > deadline:
            out.append({"session": sid, "turn": t, "ok": False, "error": "deadline", "latency_s": None})
            break
        q = questions[(sid * turns + t) % len(questions)]
        t0 = time.perf_counter()
        try:
            ans = client.ask(q, history)
            dt = time.perf_counter() - t0
            ok = ans.get("status") in ("answered", "insufficient_evidence")
            out.append({"session": sid, "turn": t, "ok": ok, "status": ans.get("status"), "latency_s": dt,
                        "server_ms": ans.get("timings_ms", {}).get("total"), "error": None if ok else str(ans)[:200]})
            history.append([q, ans.get("answer", "")])
        except Exception as exc:
            out.append({"session": sid, "turn": t, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:300],
                        "latency_s": time.perf_counter() - t0})
    try:
        client.close()
    except Exception:
        pass
    return out


class RestSession:
    """One API user without gradio_client: its own cookie jar, a login, then Gradio's REST calls
    (POST /gradio_api/call/ask, then its result as a server-sent event), as `curl` users do."""

    def __init__(self, url: str, auth: tuple[str, str], timeout: float):
        import httpx

        self.url = url
        self.http = httpx.Client(timeout=timeout)
        got = self.http.post(url + "login", data={"username": auth[0], "password": auth[1]})
        if got.status_code != 200:
            raise RuntimeError(f"login: HTTP {got.status_code}")

    def ask(self, question: str, history: list[list[str]]) -> dict:
        got = self.http.post(self.url + "gradio_api/call/ask", json={"data": [question, history, ""]})
        got.raise_for_status()
        event = ""
        with self.http.stream("GET", self.url + f"gradio_api/call/ask/{got.json()['event_id']}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = json.loads(line.split(":", 1)[1])
                    if event == "error":
                        raise RuntimeError(f"server error: {data}")
                    return data[0]
        raise RuntimeError("the result stream ended without a result")

    def close(self) -> None:
        self.http.close()


class GradioSession:
    """One gradio_client Client (the documented Python client): config, API info and a session of its own."""

    def __init__(self, url: str, auth: tuple[str, str], timeout: float):
        from gradio_client import Client

        self.client, self.timeout = Client(url, auth=auth, verbose=False), timeout

    def ask(self, question: str, history: list[list[str]]) -> dict:
        job = self.client.submit(question=question, history=history, backend="", api_name="/ask")
        return job.result(timeout=self.timeout)

    def close(self) -> None:
        self.client.close()


CLIENTS = {"gradio": GradioSession, "rest": RestSession}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def cpu_seconds(pid: int | None = None) -> float | None:
    """CPU seconds (user + system, all threads) a process has used: the server's from /proc, or this one's."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def peak_rss_mb(pid: int) -> float | None:
    """The server process's peak resident memory (VmHWM), in MB; None where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def audit_check(path: Path, results: list[dict], questions: list[str], user: str, turns: int, warm_up: int) -> dict:
    """Every answered request logged exactly once, with the signed-in user: the audit log's records against
    the requests that got an answer (question text per session and turn)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if path.is_file() else []
    asked: dict[str, int] = {}
    for r in results:
        if r["ok"]:
            q = questions[(r["session"] * turns + r["turn"]) % len(questions)]
            asked[q] = asked.get(q, 0) + 1
    if warm_up:
        asked[questions[0]] = asked.get(questions[0], 0) + warm_up
    logged: dict[str, int] = {}
    for rec in records:
        logged[rec.get("question", "")] = logged.get(rec.get("question", ""), 0) + 1
    return {"records": len(records), "answers": sum(asked.values()),
            "with_user": sum(1 for rec in records if rec.get("user") == user),
            "each_answer_once": logged == asked}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=180.0, help="per request, seconds")
    ap.add_argument("--deadline", type=float, default=600.0, help="whole run, seconds")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--url", help="an already running server (else one is started on a free loopback port)")
    ap.add_argument("--auth", default="bench:bench-load-pass", help="user:pass for the login")
    ap.add_argument("--data-dir", type=Path, help="an existing index (else the shipped corpus is ingested fresh)")
    ap.add_argument("--client", choices=sorted(CLIENTS), default="gradio",
                    help="gradio: each session a gradio_client Client (heavy: on one machine the 50 clients use "
                         "more CPU than the server); rest: Gradio's REST API over plain HTTP, as curl users call it")
    ap.add_argument("--cold", action="store_true", help="no warm-up request: the sessions' first requests meet a "
                                                         "freshly started server")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 200 or not 1 <= args.turns <= 10:
        raise SystemExit("keep --sessions within 1..200 and --turns within 1..10")

    questions = load_questions(args.questions)
    user, _, password = args.auth.partition(":")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               ANONYMIZED_TELEMETRY="False")
    env = {k: v for k, v in env.items() if not k.startswith("LEXCITE_") or k == "LEXCITE_CONFIG"}
    tmp = None
    proc = None
    url = args.url
    try:
        if url is None:
            data_dir = args.data_dir
            if data_dir is None:
                tmp = Path(tempfile.mkdtemp(prefix="lexcite-load-"))
                data_dir = tmp / "data"
                t0 = time.perf_counter()
                subprocess.run(LEXCITE + ["--data-dir", str(data_dir), "ingest", "corpus"], cwd=REPO, env=env,
                               check=True, stdout=subprocess.DEVNULL)
                print(f"ingested the shipped corpus in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            port = free_port()
            t0 = time.perf_counter()
            proc = start_server(data_dir, port, args.auth, env)
            url = f"http://127.0.0.1:{port}/"
            print(f"server up at {url} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            if not args.cold:  # one warm-up request so model loading is not counted against the first sessions
                from gradio_client import Client

                Client(url, auth=(user, password), verbose=False).predict(question=questions[0], api_name="/ask")

        deadline = time.monotonic() + args.deadline
        barrier = threading.Barrier(args.sessions)
        released: list[float] = []
        server_cpu0, bench_cpu0 = cpu_seconds(proc.pid) if proc else None, cpu_seconds()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            futures = [pool.submit(session, url, (user, password), questions, i, args.turns, args.timeout,
                                   barrier, deadline, released, args.client) for i in range(args.sessions)]
            done, not_done = wait(futures, timeout=args.deadline + 60)
        wall = time.perf_counter() - t0
        answering = time.perf_counter() - min(released) if released else wall
        server_cpu = cpu_seconds(proc.pid) - server_cpu0 if proc and server_cpu0 is not None else None
        bench_cpu = cpu_seconds() - bench_cpu0
        results = [r for f in done for r in f.result()]
        lat = [r["latency_s"] for r in results if r["ok"]]
        errors = [r for r in results if not r["ok"]] + [{"error": "session did not finish"}] * len(not_done)
        summary = {
            "sessions": args.sessions, "turns": args.turns, "requests": args.sessions * args.turns,
            "completed": len(lat), "errors": len(errors),
            "p50_s": round(pct(lat, 50), 3), "p95_s": round(pct(lat, 95), 3), "max_s": round(max(lat or [0]), 3),
            "mean_server_ms": round(statistics.mean([r["server_ms"] for r in results if r.get("server_ms")] or [0]), 1),
            "wall_s": round(wall, 2), "throughput_rps": round(len(lat) / wall, 2) if wall else 0.0,
            # the sessions connect (login, config, a session each) before the barrier; then they all ask
            "connect_s": round(wall - answering, 2), "answering_s": round(answering, 2),
            "answering_rps": round(len(lat) / answering, 2) if answering else 0.0,
            # where the machine's cores went over the whole wall time: the server, and this bench's 50 clients
            "server_cpu_s": round(server_cpu, 2) if server_cpu is not None else None,
            "bench_cpu_s": round(bench_cpu, 2),
            "server_cpu_ms_per_answer": round(server_cpu / len(lat) * 1000, 1) if server_cpu and lat else None,
            "statuses": {s: sum(1 for r in results if r.get("status") == s) for s in ("answered", "insufficient_evidence")},
            "first_errors": [e["error"] for e in errors[:5]],
            "cpu_count": os.cpu_count(), "cold": bool(args.cold), "client": args.client,
        }
        if proc is not None:
            summary["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
            summary["audit"] = audit_check(data_dir / "audit.jsonl", results, questions, user, args.turns,
                                           warm_up=0 if args.cold else 1)
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / "load_ui.json").write_text(json.dumps(summary | {"results": results}, indent=1), encoding="utf-8")
        print(json.dumps(summary, indent=1))
        print(f"{summary['completed']}/{summary['requests']} answered requests, {summary['errors']} errors; "
              f"latency p50 {summary['p50_s']} s, p95 {summary['p95_s']} s over {summary['sessions']} concurrent "
              f"sessions ({summary['wall_s']} s wall, {summary['throughput_rps']} req/s)")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
