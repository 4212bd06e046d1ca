"""Server mode: LEXCITE_CHROMA_URL pointing at a real `chroma run` on loopback.

Ingest, re-ingest and status behave as with the embedded store and give the same ids; a server that
is down is a one-line configuration error (exit 2); a server that goes away mid-run stops the ingest
with a clear error, and the next run, once the server is back, converges to the clean index.
"""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from tests.support.chroma_server import ChromaServer
from ingest.embedder import HashEmbedder
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import assert_consistent, assert_same_index, change_document, snapshot, write_corpus
from ui.cli.main import main
from lexcite.errors import StoreError
from lexcite.settings import load_settings

pytestmark = [pytest.mark.server, pytest.mark.integration]

_names = itertools.count()


def server_settings(tmp_path, server: ChromaServer, name: str | None = None):
    return load_settings(env={}, data_dir=tmp_path / f"data-{next(_names)}", chroma_url=server.url,
                         collection=name or f"lexcite-test-{next(_names)}")


def embedded_reference(tmp_path, corpus) -> dict:
    s = load_settings(env={}, data_dir=tmp_path / "embedded")
    Ingestor(s, HashEmbedder()).run([corpus])
    return snapshot(s)


def test_ingest_reingest_and_status_against_a_chroma_server(chroma_server, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 5)
    s = server_settings(tmp_path, chroma_server)
    first = Ingestor(s, HashEmbedder()).run([corpus])
    again = Ingestor(s, HashEmbedder()).run([corpus])
    snap = snapshot(s)
    assert (first.added, again.unchanged, again.added) == (5, 5, 0)
    assert_consistent(snap)
    assert_same_index(snap, embedded_reference(tmp_path, corpus))  # same ids, records, metadata and vectors

    change_document(paths[0])
    paths[1].unlink()
    changed = Ingestor(s, HashEmbedder()).run([corpus])
    assert (changed.updated, changed.removed, changed.unchanged) == (1, 1, 3)
    assert_consistent(snapshot(s))

    monkeypatch.setenv("LEXCITE_DATA_DIR", str(s.data_dir))
    monkeypatch.setenv("LEXCITE_CHROMA_URL", s.chroma_url)
    monkeypatch.setenv("LEXCITE_COLLECTION", s.collection)
    monkeypatch.setenv("LEXCITE_EMBEDDING_MODEL", "hash")
    st = json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)
    assert (st["documents"], st["store"], st["vectors"]) == (4, chroma_server.url, st["chunks"])


@pytest.fixture
def own_server(tmp_path):
    """A server this test may stop and restart (same port, same data)."""
    server = ChromaServer(tmp_path / "chroma").start()
    yield server
    server.stop()


def test_a_server_that_is_down_is_a_one_line_error_and_a_later_run_resumes(own_server, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3)
    s = server_settings(tmp_path, own_server)
    for key, value in (("DATA_DIR", str(s.data_dir)), ("CHROMA_URL", s.chroma_url), ("COLLECTION", s.collection),
                       ("EMBEDDING_MODEL", "hash")):
        monkeypatch.setenv(f"LEXCITE_{key}", value)
    own_server.stop()
    down = CliRunner().invoke(main, ["ingest", str(corpus)])
    assert down.exit_code == 2
    assert down.stderr.count("\n") == 1 and "cannot reach the Chroma server" in down.stderr
    own_server.start()
    up = CliRunner().invoke(main, ["ingest", str(corpus), "--json"])
    assert up.exit_code == 0 and json.loads(up.stdout)["added"] == 3


class StopsServer(HashEmbedder):
    """The hash embedder; on its second call the Chroma server dies (kill -9)."""

    def __init__(self, server: ChromaServer):
        super().__init__()
        self.server, self.calls = server, 0

    def embed(self, texts):
        self.calls += 1
        if self.calls == 2:
            self.server.stop(kill=True)
        return super().embed(texts)


def test_a_server_that_goes_away_mid_run_stops_cleanly_and_the_next_run_converges(own_server, tmp_path, monkeypatch):
    import ingest.pipeline

    monkeypatch.setattr(ingest.pipeline, "EMBED_BATCH", 16)
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    s = server_settings(tmp_path, own_server)
    with pytest.raises(StoreError) as err:
        Ingestor(s, StopsServer(own_server)).run([corpus])
    assert err.value.exit_code == 2 and "\n" not in str(err.value)
    assert "re-run" in str(err.value)
    own_server.start()
    report = Ingestor(s, HashEmbedder()).run([corpus])
    assert report.failed == [] and report.added > 0
    snap = snapshot(s)
    assert_consistent(snap)
    assert_same_index(snap, embedded_reference(tmp_path, corpus))


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["upsert:2", "commit:5"])
def test_an_ingest_killed_in_server_mode_converges(chroma_server, tmp_path, stage):
    from tests.support.crash import crash_at

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    s = server_settings(tmp_path, chroma_server)
    crash_at(stage, s.data_dir, corpus, {"LEXCITE_CHROMA_URL": s.chroma_url, "LEXCITE_COLLECTION": s.collection})
    assert Ingestor(s, HashEmbedder()).run([corpus]).failed == []
    snap = snapshot(s)
    assert_consistent(snap)
    assert_same_index(snap, embedded_reference(tmp_path, corpus))


def test_two_indexes_cannot_share_one_server_collection(chroma_server, tmp_path):
    from lexcite.errors import ConfigError

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    mine = server_settings(tmp_path, chroma_server, name="lexcite-shared")
    Ingestor(mine, HashEmbedder()).run([corpus])
    other = mine.with_overrides(data_dir=tmp_path / "another-data-dir")
    with pytest.raises(ConfigError, match="belongs to another Lexcite index"):
        Ingestor(other, HashEmbedder()).run([corpus])
    assert_consistent(snapshot(mine))  # the first index lost nothing
