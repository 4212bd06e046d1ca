"""`lexcite` run as a real process: ingest a folder, serve the app on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CLI = ["-c", "import sys; from ui.cli.main import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    env |= {"LEXCITE_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"}
    return env | extra


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *CLI, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def wait_for_http(proc: subprocess.Popen, url: str, log: Path, name: str, timeout: float,
                  ready=lambda body: True) -> None:
    """Until `url` answers 200 (and `ready(body)` holds); fails with the end of `log` if `proc` exits or time runs out."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"{name} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200 and ready(r.read()):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{name} did not come up in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop_process(proc: subprocess.Popen, out, grace: float) -> None:
    """Terminate, then kill after `grace` seconds; close its log file."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    out.close()


class Server:
    """`lexcite serve` in its own process (a fresh interpreter: nothing loaded, nothing cached)."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = cwd / f"serve-{self.port}.log"
        self._out = open(self.log, "w")
        self.proc = subprocess.Popen([sys.executable, *CLI, "serve", "--port", str(self.port)], env=env, cwd=cwd,
                                     stdout=self._out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 300) -> "Server":
        wait_for_http(self.proc, self.url, self.log, "the server", timeout)
        return self

    def stop(self) -> None:
        stop_process(self.proc, self._out, grace=30)
