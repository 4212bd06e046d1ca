"""The ingest pipeline, as a user sees it: re-runs change nothing, edits replace exactly their own
chunks, deletions disappear, bad files are listed and never stop the batch."""

from __future__ import annotations

import os
import threading

import pytest

from tests.support import docs
from ingest.embedder import HashEmbedder
from ingest.index import Index
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import assert_consistent, change_document, snapshot, write_corpus

pytestmark = pytest.mark.unit


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting what it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts):
        self.calls += 1
        self.texts += list(texts)
        return super().embed(texts)


def ingest(settings, paths, embedder=None):
    return Ingestor(settings, embedder or HashEmbedder()).run(paths)


def test_reingesting_an_unchanged_corpus_embeds_nothing_and_changes_nothing(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    first = ingest(settings, [corpus])
    before = snapshot(settings)
    counting = CountingEmbedder()
    second = ingest(settings, [corpus], counting)
    assert (first.added, first.failed) == (6, [])
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 6, 0)
    assert counting.calls == 0
    assert snapshot(settings) == before
    assert_consistent(before)


def test_small_documents_share_embedding_calls(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12, articles=2)
    counting = CountingEmbedder()
    report = ingest(settings.with_overrides(sentence_vectors=False), [corpus], counting)  # chunk vectors only
    assert report.added == 12
    assert counting.calls < 12  # batched across documents
    assert len(counting.texts) == report.chunks


def test_a_changed_document_replaces_exactly_its_own_chunks(settings, tmp_path):
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 4)
    ingest(settings, [corpus])
    index = Index(settings, HashEmbedder())
    before = {p: set(index.catalog.chunk_ids(f"corpus/{p.name}")) for p in paths}
    change_document(paths[1])
    counting = CountingEmbedder()
    report = ingest(settings.with_overrides(sentence_vectors=False), [corpus], counting)  # chunk vectors only
    after = {p: set(index.catalog.chunk_ids(f"corpus/{p.name}")) for p in paths}
    assert (report.updated, report.unchanged) == (1, 3)
    assert all(after[p] == before[p] for p in paths if p != paths[1])
    new_ids = after[paths[1]] - before[paths[1]]
    gone = before[paths[1]] - after[paths[1]]
    assert new_ids and gone
    assert len(counting.texts) == len(new_ids)  # unchanged chunks of the edited file reuse their vectors
    assert not index.vectors.existing(sorted(gone))
    snap = snapshot(settings)
    assert_consistent(snap)
    doc_hash = next(d["doc_hash"] for d in snap["documents"] if d["source"] == f"corpus/{paths[1].name}")
    assert {m["doc_hash"] for m in snap["chroma_metadatas"] if m["source"] == f"corpus/{paths[1].name}"} == {doc_hash}


def test_a_deleted_file_leaves_the_index(settings, tmp_path):
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 3)
    ingest(settings, [corpus])
    gone = Index(settings, HashEmbedder()).catalog.chunk_ids(f"corpus/{paths[0].name}")
    paths[0].unlink()
    report = ingest(settings, [corpus])
    index = Index(settings, HashEmbedder())
    assert report.removed == 1
    assert not index.catalog.document(f"corpus/{paths[0].name}")
    assert not index.vectors.existing(gone)
    assert not index.lexical_search("document 0 consent", 50, sources=[f"corpus/{paths[0].name}"])
    assert_consistent(snapshot(settings))


def test_two_folders_keep_their_own_documents(settings, tmp_path):
    a, b = tmp_path / "treaties", tmp_path / "statutes"
    write_corpus(a, 2, seed=1)
    write_corpus(b, 3, seed=2)
    both = ingest(settings, [a, b])
    only_a = ingest(settings, [a])  # b is not in scope: nothing of it is removed
    (b / "act-000.txt").unlink()
    only_b = ingest(settings, [b])
    sources = [d.source for d in Index(settings, HashEmbedder()).documents()]
    assert both.added == 5 and only_a.unchanged == 2 and only_a.removed == 0
    assert only_b.removed == 1
    assert sources == ["statutes/act-001.md", "statutes/act-002.txt", "treaties/act-000.txt", "treaties/act-001.md"]


def test_a_manifest_change_reingests_the_document(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    ingest(settings, [corpus])
    (corpus / "sources.toml").write_text(
        '[[documents]]\nfile = "act-000.txt"\ntitle = "The Example Act"\nsource_type = "primary_law"\n', encoding="utf-8")
    report = ingest(settings, [corpus])
    doc = Index(settings, HashEmbedder()).catalog.document("corpus/act-000.txt")
    assert (report.updated, report.unchanged) == (1, 1)
    assert (doc.title, doc.source_type) == ("The Example Act", "primary_law")


def test_bad_files_are_listed_one_line_each_and_the_rest_land(settings, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3)
    docs.legal_pdf(corpus / "convention.pdf")
    bad = {
        "empty.txt": docs.empty_file, "truncated.pdf": docs.truncated_pdf, "encrypted.pdf": docs.encrypted_pdf,
        "scan.pdf": docs.image_only_pdf, "noise.pdf": docs.binary_file, "noise.docx": docs.binary_file,
        "archive.docx": docs.zip_not_docx, "scripts.html": docs.html_only_scripts,
    }
    for name, make in bad.items():
        make(corpus / name)
    (corpus / "huge.txt").write_bytes(b"word " * 300_000)  # 1.5 MB, over the limit below
    outside = tmp_path / "outside.txt"
    outside.write_text("a secret outside the corpus folder", encoding="utf-8")
    os.symlink(outside, corpus / "escape.txt")
    os.symlink(corpus / "loop.txt", corpus / "loop.txt")
    os.symlink(tmp_path / "missing.txt", corpus / "dangling.txt")
    os.symlink(corpus, corpus / "self")  # a folder symlink loop
    (corpus / "two\nlines.txt").write_text("A file whose name has a newline.\n\nIt still ingests.", encoding="utf-8")
    (corpus / "notes.xyz").write_text("unsupported", encoding="utf-8")
    (corpus / "weird.txt").write_text("this file makes the parser crash", encoding="utf-8")
    import ingest.loaders as loaders

    real_load = loaders.load

    def crashing_load(path, source, meta=None):
        if path.name == "weird.txt":
            raise ZeroDivisionError("a parser bug")
        return real_load(path, source, meta)

    monkeypatch.setattr(loaders, "load", crashing_load)
    small = settings.with_overrides(max_file_mb=1.0)
    report = ingest(small, [corpus])
    failed = {f.path.removeprefix("corpus/"): f.error for f in report.failed}
    assert set(failed) == set(bad) | {"huge.txt", "escape.txt", "loop.txt", "dangling.txt", "weird.txt"}
    assert all("\n" not in e and e for e in failed.values())
    assert "LEXCITE_MAX_FILE_MB" in failed["huge.txt"]
    assert "outside" in failed["escape.txt"] and "ZeroDivisionError" in failed["weird.txt"]
    assert report.added == 5  # 3 generated acts, the PDF and the file with a newline in its name
    assert any("notes.xyz" in s for s in report.skipped) and any("self" in s for s in report.skipped)
    index = Index(small, HashEmbedder())
    assert index.catalog.document("corpus/two\nlines.txt")
    assert not index.lexical_search("secret outside", 5)
    assert_consistent(snapshot(small))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_reported(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    (corpus / "act-000.txt").chmod(0)
    report = ingest(settings, [corpus])
    assert [f.path for f in report.failed] == ["corpus/act-000.txt"]
    assert "permission" in report.failed[0].error and report.added == 1


def test_a_file_the_os_refuses_to_read_is_reported(settings, tmp_path, monkeypatch):
    """The same story when running as root (which bypasses permissions): the OS error is simulated."""
    import pathlib

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "act-000.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    report = ingest(settings, [corpus])
    assert [f.path for f in report.failed] == ["corpus/act-000.txt"]
    assert "permission denied" in report.failed[0].error and report.added == 1


def test_a_second_ingest_at_the_same_time_is_refused(settings, tmp_path):
    from ingest.pipeline import ingest_lock
    from lexcite.errors import IngestBusyError

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1)
    with ingest_lock(settings):
        errors = []
        t = threading.Thread(target=lambda: _capture(errors, lambda: ingest(settings, [corpus])))
        t.start()
        t.join()
    assert len(errors) == 1 and isinstance(errors[0], IngestBusyError)
    assert "another `lexcite ingest` is running" in str(errors[0])
    assert ingest(settings, [corpus]).added == 1  # the lock is released afterwards


def _capture(errors, fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        errors.append(exc)


def test_a_query_never_sees_a_document_whose_catalog_commit_has_not_happened(settings, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 2)
    ingest(settings, [corpus])
    (corpus / "zebra.txt").write_text("Zebra crossings: the zebra statute governs zebra permits.\n\n" * 5)
    reader = Index(settings, HashEmbedder())
    seen_in_window = {}
    from ingest.vectors import VectorStore

    real_upsert = VectorStore.upsert

    def upsert_then_query(self, ids, *args, **kwargs):
        real_upsert(self, ids, *args, **kwargs)
        raw = reader.vectors.query(reader.embedder.embed(["zebra statute"])[0], 5)
        seen_in_window["raw"] = [i for i, _ in raw]
        seen_in_window["dense"] = [c.source for c, _ in reader.dense_search("zebra statute", 5)]
        seen_in_window["lexical"] = [c.source for c, _ in reader.lexical_search("zebra statute", 5)]

    monkeypatch.setattr(VectorStore, "upsert", upsert_then_query)
    ingest(settings, [corpus])
    zebra_ids = set(reader.catalog.chunk_ids("corpus/zebra.txt"))
    assert zebra_ids & set(seen_in_window["raw"])  # the vectors were in Chroma...
    assert "corpus/zebra.txt" not in seen_in_window["dense"] + seen_in_window["lexical"]  # ...but invisible
    assert reader.dense_search("zebra statute", 1)[0][0].source == "corpus/zebra.txt"


def test_queries_during_an_ingest_never_fail_and_always_see_whole_documents(settings, tmp_path):
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 24, articles=3)
    ingest(settings, [corpus])
    for p in paths[::2]:
        change_document(p)
    reader = Index(settings, HashEmbedder())
    stop, problems, rounds = threading.Event(), [], [0]

    def read_loop():
        while not stop.is_set():
            try:
                hits = reader.dense_search("consent register offence", 10) + reader.lexical_search("rules document", 10)
                con = reader.catalog.connect().con
                con.execute("BEGIN")
                try:
                    for c, _ in hits:
                        row = con.execute("SELECT doc_hash, n_chunks FROM documents WHERE source=?", (c.source,)).fetchone()
                        n = con.execute("SELECT count(*) FROM chunks WHERE source=?", (c.source,)).fetchone()[0]
                        if row is None or row[1] != n:
                            problems.append(f"half a document: {c.source}")
                finally:
                    con.execute("COMMIT")
                rounds[0] += 1
            except Exception as exc:  # noqa: BLE001
                problems.append(repr(exc))

    t = threading.Thread(target=read_loop)
    t.start()
    try:
        report = ingest(settings, [corpus])
    finally:
        stop.set()
        t.join()
    assert report.updated == 12
    assert rounds[0] > 0 and problems == []


def test_a_file_reingested_on_its_own_is_still_removed_with_its_folder(settings, tmp_path):
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 2)
    ingest(settings, [corpus])
    change_document(paths[0])
    assert ingest(settings, [paths[0]]).updated == 1
    paths[0].unlink()
    assert ingest(settings, [corpus]).removed == 1
