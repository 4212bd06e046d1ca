"""A real `chroma run` on loopback for server-mode tests: start on a free port, wait for the
heartbeat, stop (and start again on the same port and data, to test a server that goes away)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_executable() -> str | None:
    here = Path(sys.executable).parent / "chroma"
    return str(here) if here.exists() else shutil.which("chroma")


class ChromaServer:
    def __init__(self, path: Path, port: int | None = None):
        self.path = Path(path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = self.path.parent / f"chroma-{self.port}.log"

    def start(self, timeout: float = 60.0) -> "ChromaServer":
        exe = chroma_executable()
        if exe is None:
            raise RuntimeError("the `chroma` command is not installed (pip install chromadb)")
        self.path.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"ANONYMIZED_TELEMETRY": "False"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [exe, "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.path)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}: {self.log.read_text()[-500:]}")
            if self.alive():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"chroma run on port {self.port} gave no heartbeat within {timeout:.0f} s")

    def alive(self) -> bool:
        for version in ("v2", "v1"):
            try:
                with urllib.request.urlopen(f"{self.url}/api/{version}/heartbeat", timeout=1) as r:
                    if r.status == 200 and json.loads(r.read() or b"{}") is not None:
                        return True
            except (OSError, ValueError):
                continue
        return False

    def stop(self, kill: bool = False) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
