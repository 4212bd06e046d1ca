"""A careless operator or a hostile input gets one line saying what is wrong and how to fix it, and
an exit code; never a traceback, never a silently different run. (The table in README.md.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CLI = ["-c", "import sys; from ui.cli.main import main; sys.exit(main())"]
DOC = "Article 1. The register records consent to organ removal.\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A corpus and a small index (hash embedder), shared by the cases; cases never write to it."""
    base = tmp_path_factory.mktemp("hostile-cli")
    (base / "corpus").mkdir()
    (base / "corpus" / "a.md").write_text(DOC, encoding="utf-8")
    done = run(base, ["--data-dir", "index", "ingest", "corpus"])
    assert done.returncode == 0, done.stderr
    return base


def run(cwd: Path, args: list, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LEXCITE_")}
    base |= {"LEXCITE_EMBEDDING_MODEL": "hash", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    argv = [os.fsencode(a) if isinstance(a, (str, bytes)) else a for a in [sys.executable, *CLI, *args]]
    return subprocess.run(argv, cwd=cwd, env=base | (env or {}), capture_output=True, timeout=300)


def write(path: Path, data: str | bytes) -> str:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path.name)


# (case, setup(cwd) -> (args, env), what the user reads, exit code)
CASES = [
    ("data dir is a file", lambda d: (["--data-dir", write(d / "afile", "x"), "ask", "what?"], {}),
     "is a file, not a folder", 2),
    ("ingest into a data dir that is a file", lambda d: (["--data-dir", write(d / "bfile", "x"), "ingest", "corpus"],
                                                       {}), "is a file, not a folder", 2),
    ("corrupted catalog", lambda d: (["--data-dir", _corrupt(d), "ask", "what?"], {}),
     "is damaged (file is not a database)", 2),
    ("question with invalid UTF-8 bytes", lambda d: (["--data-dir", "index", "ask", b"\xff\xfe consent?"], {}),
     "not valid text", 2),
    ("question that is not a string", lambda d: (["--data-dir", "index", "ask", "--questions",
                                                  write(d / "q1.jsonl", '{"id": "a", "question": 5}\n')], {}),
     '"question" must be non-empty text', 2),
    ("question with a lone surrogate", lambda d: (["--data-dir", "index", "ask", "--questions",
                                                   write(d / "q2.jsonl", '{"id": "a", "question": "\\ud800?"}\n')], {}),
     "lone surrogate", 2),
    ("questions file not UTF-8", lambda d: (["--data-dir", "index", "ask", "--questions",
                                             write(d / "q3.jsonl", b'{"id": "a", "question": "\xff"}\n')], {}),
     "is not UTF-8 text", 2),
    ("question line without an id", lambda d: (["--data-dir", "index", "ask", "--questions",
                                                write(d / "q4.jsonl", '{"question": "what?"}\n')], {}),
     'needs an "id"', 2),
    ("duplicate ids", lambda d: (["--data-dir", "index", "ask", "--questions", write(
        d / "q5.jsonl", '{"id": "a", "question": "x?"}\n{"id": "a", "question": "y?"}\n')], {}),
     "id 'a' is already used on line 1", 2),
    ('history "nope"', lambda d: (["--data-dir", "index", "ask", "--questions", write(
        d / "q6.jsonl", '{"id": "a", "question": "x?", "history": "nope"}\n')], {}),
     '"history" must be a list of [user, assistant] pairs', 2),
    ('lexcite = "x" in lexcite.toml', lambda d: (["--config", write(d / "t1.toml", 'lexcite = "x"\n'), "status"], {}),
     "`lexcite` must be a table", 2),
    ("k = 1e999", lambda d: (["--config", write(d / "t2.toml", "k = 1e999\n"), "status"], {}),
     "cannot read 'inf' as a whole number", 2),
    ("k = 1.5", lambda d: (["--config", write(d / "t3.toml", "k = 1.5\n"), "status"], {}),
     "cannot read '1.5' as a whole number", 2),
    ("max_file_mb = -5", lambda d: (["--config", write(d / "t4.toml", "max_file_mb = -5\n"), "status"], {}),
     "max_file_mb must be above 0", 2),
    ("huge LEXCITE_K", lambda d: (["status"], {"LEXCITE_K": "99999999999999999999"}),
     "must be a whole number from 1 to 100", 2),
]


def _corrupt(d: Path) -> str:
    bad = d / "corrupt"
    bad.mkdir(exist_ok=True)
    (bad / "catalog.sqlite3").write_bytes(b"this is not a database, whatever the name says " * 50)
    return "corrupt"


@pytest.mark.parametrize("case, setup, says, code", CASES, ids=[c[0] for c in CASES])
def test_a_hostile_input_gets_one_line_and_an_exit_code(workdir, case, setup, says, code):
    args, env = setup(workdir)
    done = run(workdir, args, env)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and says in err
    assert done.stdout == b""


def test_asking_on_a_missing_data_dir_says_how_to_build_one_and_creates_nothing(workdir):
    done = run(workdir, ["--data-dir", "no-such-index", "ask", "what?"])
    assert done.returncode == 2 and b"no index at no-such-index" in done.stderr and b"lexcite ingest" in done.stderr
    assert not (workdir / "no-such-index").exists()


def _mount(*args: str) -> bool:
    return shutil.which("mount") is not None and subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def read_only_index(workdir, tmp_path):
    """The index on a read-only mount (chmod does not stop root)."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(workdir / "index"), str(target)):
        pytest.skip("needs root and `mount` to make a read-only file system")
    try:
        if not _mount("-o", "remount,bind,ro", str(target)):
            pytest.skip("cannot remount read-only here")
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True)


def test_a_read_only_data_dir_is_named_with_the_fix(workdir, read_only_index):
    for args in (["ask", "what?"], ["ingest", "corpus"], ["status"]):
        done = run(workdir, ["--data-dir", str(read_only_index), *args])
        err = done.stderr.decode()
        assert done.returncode == 2 and "read-only" in err and "writable" in err and "Traceback" not in err, err


@pytest.fixture
def full_disk(tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(target)):
        pytest.skip("needs root and `mount` to make a small file system")
    try:
        with open(target / "filler", "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
            except OSError:
                pass
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True)


def test_a_full_disk_at_the_first_ingest_is_named_with_the_fix(workdir, full_disk):
    done = run(workdir, ["--data-dir", str(full_disk / "data"), "ingest", "corpus"])
    err = done.stderr.decode()
    assert done.returncode == 2 and "no space left" in err and "Traceback" not in err, err
