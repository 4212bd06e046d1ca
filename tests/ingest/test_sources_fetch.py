"""`lexcite sources fetch` against a real HTTP server on loopback: files land atomically in the corpus and
ingest; wrong content types, oversize bodies and HTTP errors are refused; offline is one line."""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support import docs
from ingest.fetch import OfflineError, fetch_sources
from ingest.manifest import load_manifest

pytestmark = pytest.mark.unit

TYPES = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8", ".docx": "application/octet-stream"}


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, tuple[bytes, str]] = {}

    def do_GET(self):  # noqa: N802 (http.server API)
        name = self.path.lstrip("/")
        if name not in self.files:
            self.send_error(404, "Not Found")
            return
        body, ctype = self.files[name]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if not name.startswith("nolength"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serves generated documents on 127.0.0.1: good ones, a wrong type, an oversize body."""
    src = tmp_path / "site"
    src.mkdir()
    good = {"convention.pdf": docs.legal_pdf(src / "convention.pdf"),
            "principles.html": docs.make_html(src / "principles.html"),
            "guide.docx": docs.make_docx(src / "guide.docx")}
    files = {name: (p.read_bytes(), TYPES[p.suffix]) for name, p in good.items()}
    files["wrong-type.pdf"] = (b"<html><body>Please log in</body></html>", "text/html")
    files["disguised.pdf"] = (b"<html>not a pdf</html>", "application/pdf")
    files["huge.pdf"] = (b"%PDF-1.7\n" + b"0" * 300_000, "application/pdf")
    files["nolength-huge.pdf"] = (b"%PDF-1.7\n" + b"0" * 300_000, "application/pdf")
    handler = type("Handler", (_Handler,), {"files": files})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _manifest(folder: Path, base: str, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {".pdf": "primary_law", ".html": "official_guidance", ".docx": "official_guidance"}
    body = "".join(f'[[documents]]\nfile = "{n}"\ntitle = "Title of {n}"\nsource_type = "{kinds[Path(n).suffix]}"\n'
                   f'url = "{base}/{n}"\n\n' for n in names)
    (folder / "sources.toml").write_text(body, encoding="utf-8")
    return folder


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_listed_documents_are_downloaded_and_then_ingest(server, tmp_path, settings, hash_embedder):
    from ingest.pipeline import Ingestor

    corpus = _manifest(tmp_path / "corpus", server, ["convention.pdf", "principles.html", "guide.docx"])
    results = fetch_sources(load_manifest(corpus), corpus, max_bytes=1_000_000)
    assert [r.status for r in results] == ["fetched"] * 3
    assert (corpus / "convention.pdf").read_bytes().startswith(b"%PDF-")
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no temp files left behind
    report = Ingestor(settings, hash_embedder).run([corpus])
    assert (report.added, report.failed) == (3, [])
    again = fetch_sources(load_manifest(corpus), corpus, max_bytes=1_000_000)
    assert [r.status for r in again] == ["present"] * 3


def test_a_wrong_content_type_or_body_is_refused_and_nothing_is_written(server, tmp_path):
    corpus = _manifest(tmp_path / "corpus", server, ["wrong-type.pdf", "disguised.pdf", "convention.pdf"])
    by_file = {r.file: r for r in fetch_sources(load_manifest(corpus), corpus, max_bytes=1_000_000)}
    assert by_file["wrong-type.pdf"].status == "failed" and "content type text/html" in by_file["wrong-type.pdf"].detail
    assert by_file["disguised.pdf"].status == "failed" and "not a .pdf" in by_file["disguised.pdf"].detail
    assert by_file["convention.pdf"].status == "fetched"
    assert sorted(p.name for p in corpus.iterdir()) == ["convention.pdf", "sources.toml"]


def test_an_oversize_response_is_refused_with_or_without_a_content_length(server, tmp_path):
    corpus = _manifest(tmp_path / "corpus", server, ["huge.pdf", "nolength-huge.pdf"])
    results = fetch_sources(load_manifest(corpus), corpus, max_bytes=100_000)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("0.1 MB" in r.detail and "LEXCITE_MAX_FILE_MB" in r.detail for r in results)
    assert sorted(p.name for p in corpus.iterdir()) == ["sources.toml"]


def test_a_missing_document_reports_the_http_status_and_the_page_to_visit(server, tmp_path):
    corpus = _manifest(tmp_path / "corpus", server, ["moved.pdf", "convention.pdf"])
    moved = fetch_sources(load_manifest(corpus), corpus, max_bytes=1_000_000)[0]
    assert moved.status == "failed" and "HTTP 404" in moved.detail and "save it by hand" in moved.detail


def test_base_url_overrides_every_listed_address(server, tmp_path):
    corpus = _manifest(tmp_path / "corpus", "https://unreachable.invalid", ["principles.html"])
    results = fetch_sources(load_manifest(corpus), corpus, base_url=server, max_bytes=1_000_000)
    assert [r.status for r in results] == ["fetched"]


def test_offline_is_one_line_and_a_non_zero_exit_without_traceback(tmp_path):
    from ui.cli.main import main

    corpus = _manifest(tmp_path / "corpus", f"http://127.0.0.1:{_closed_port()}", ["convention.pdf"])
    with pytest.raises(OfflineError):
        fetch_sources(load_manifest(corpus), corpus, max_bytes=1_000_000, timeout=5)
    result = CliRunner().invoke(main, ["sources", "fetch", "--dest", str(corpus), "--no-ingest", "--timeout", "5"])
    assert result.exit_code == 4
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: offline: could not reach 127.0.0.1")
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_the_command_fetches_then_ingests_and_exits_3_when_something_was_refused(server, tmp_path, monkeypatch):
    from ingest.embedder import HashEmbedder
    from ui.cli.main import main

    monkeypatch.setattr("ingest.embedder.get_embedder", lambda *a, **k: HashEmbedder())
    corpus = _manifest(tmp_path / "corpus", server, ["convention.pdf", "wrong-type.pdf"])
    result = CliRunner().invoke(main, ["sources", "fetch", "--dest", str(corpus)])
    assert result.exit_code == 3, result.output
    assert "fetched  convention.pdf" in result.output
    assert "failed   wrong-type.pdf: refused: content type text/html" in result.output
    assert "ingested: added 1" in result.output
    ok = CliRunner().invoke(main, ["sources", "fetch", "--dest", str(corpus), "--no-ingest", "convention.pdf"])
    assert ok.exit_code == 0 and "present  convention.pdf" in ok.output


def test_sources_list_shows_what_is_present(tmp_path, server):
    from ui.cli.main import main

    corpus = _manifest(tmp_path / "corpus", server, ["convention.pdf", "guide.docx"])
    docs.legal_pdf(corpus / "convention.pdf")
    result = CliRunner().invoke(main, ["sources", "list", "--manifest", str(corpus / "sources.toml")])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[0].startswith("present") and lines[1].startswith("missing")
