"""The ingest run: walk paths, skip unchanged files, load, chunk, embed (batched), store; report.

A file is skipped before it is parsed when its hash (bytes + manifest metadata + chunker version)
matches the catalog record. Changed and new files are parsed and chunked one by one; their chunks
are embedded together in batches of about EMBED_BATCH (small documents share a model call), and
each document then lands whole or not at all through `Index.write_documents`. A bad file becomes
one `FailedFile` line and never stops the batch; store errors (Chroma down) stop the run.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ingest import chunker, loaders
from ingest.catalog import DocRecord
from ingest.embedder import Embedder
from ingest.index import DocumentWrite, Index
from ingest.records import Chunk, Document, FailedFile, IngestReport, Provenance
from ingest.sentence_cache import SentenceCache
from ingest.walk import SourceFile, walk
from lexcite.text.sentences import split_sentences
from lexcite.errors import IngestBusyError, LexciteError, LoaderError
from lexcite.settings import Settings

log = logging.getLogger(__name__)

EMBED_BATCH = 512  # chunks per embedding call: large enough to keep the model busy, small enough for memory
Progress = Callable[[int, int, str], None]


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingest per data directory at a time (an advisory lock the OS drops when the process dies)."""
    try:
        if settings.data_dir.exists() and not settings.data_dir.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(settings.data_dir))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(settings.data_dir / "ingest.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        from ingest.store_errors import open_error

        raise open_error(settings.catalog_path, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusyError(
                f"another `lexcite ingest` is running on {settings.data_dir}; wait for it to finish and run again"
            ) from None
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class _Parsed:
    file: SourceFile
    doc: Document
    chunks: tuple[Chunk, ...]
    is_new: bool
    provenance: Provenance = Provenance()


def _manifest_meta(folder: Path, relname: str, cache: dict) -> dict:
    """The manifest entry for a file (title, source_type, language...); {} without a manifest."""
    try:
        from ingest.manifest import load_manifest
    except ImportError:  # the manifest module is optional
        return {}
    key = str(folder)
    if key not in cache:
        cache[key] = load_manifest(folder)
    return dict(cache[key].meta_for(relname) or {})


def document_hash(data: bytes, meta: dict) -> str:
    """What decides whether a file must be re-ingested: its bytes, its metadata, the chunker version."""
    h = hashlib.sha256(data)
    h.update(b"\x00" + json.dumps(meta, sort_keys=True, default=str).encode())
    h.update(b"\x00" + chunker.CHUNKER_VERSION.encode())
    h.update(b"\x00" + str(getattr(loaders, "LOADER_VERSION", "")).encode())
    return h.hexdigest()


_LIBRARIES = {"PDF": "pypdf", "HTML": "beautifulsoup4", "Word .docx": "python-docx"}  # by loaders.READERS kind


@functools.cache
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


def provenance(path: Path, data: bytes, ocr_pages: int = 0) -> Provenance:
    """What an answer export records about a document: its bytes' sha256, the reader and versions that made its text."""
    kind = loaders.READERS.get(path.suffix.lower(), (path.suffix or "file", None))[0]
    lib = _LIBRARIES.get(kind)
    reader = f"{lib} {_version(lib)}" if lib else "Lexcite text reader"
    ocr = f" + Tesseract OCR on {ocr_pages} page{'s' if ocr_pages != 1 else ''}" if ocr_pages else ""
    return Provenance(sha256=hashlib.sha256(data).hexdigest(),
                      extractor=f"{kind}: {reader}{ocr}, Lexcite loader {loaders.LOADER_VERSION}",
                      chunker_version=chunker.CHUNKER_VERSION)


class Ingestor:
    def __init__(self, settings: Settings, embedder: Embedder, index: Index | None = None):
        self.settings = settings
        self.embedder = embedder
        self.index = index or Index(settings, embedder)

    def run(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        t0 = time.perf_counter()
        report = IngestReport()
        paths = [Path(p) for p in paths]
        for p in paths:
            if not p.exists():
                raise LexciteError(f"{p} does not exist; give a file or folder to ingest")
        with ingest_lock(self.settings):
            self.index.check_model()
            self.index.recover()
            found = walk(paths)
            report.skipped = found.skipped
            report.failed.extend(found.failed)
            known = {d.source: d for d in self.index.documents()}
            manifests: dict = {}
            batch: list[_Parsed] = []
            for i, sf in enumerate(found.files):
                if progress:
                    progress(i, len(found.files), sf.source)
                try:
                    parsed = self._prepare(sf, known.get(sf.source), manifests, report)
                except LoaderError as exc:
                    self._fail(report, sf.source, exc.reason)
                    continue
                except LexciteError:
                    raise
                except Exception as exc:  # a broken parser must not stop the batch
                    log.debug("unexpected error reading %s", sf.source, exc_info=True)
                    self._fail(report, sf.source, _unexpected(exc))
                    continue
                if parsed is not None:
                    batch.append(parsed)
                    if sum(len(p.chunks) for p in batch) >= EMBED_BATCH:
                        self._land(batch, report)
                        batch = []
            self._land(batch, report)
            seen = {sf.source for sf in found.files} | {f.path for f in found.failed}
            for source, rec in known.items():
                if rec.root and rec.root in found.roots and source not in seen:
                    self.index.remove_document(source)
                    report.removed += 1
            if progress:
                progress(len(found.files), len(found.files), "")
        report.chunks = self.index.catalog.count_chunks()
        report.timings_s["total"] = time.perf_counter() - t0
        return report

    @staticmethod
    def _fail(report: IngestReport, source: str, reason: str) -> None:
        reason = " ".join(str(reason).split())  # one line, whatever the loader said
        report.failed.append(FailedFile(source, reason))
        log.info("skipped %s: %s", source.encode("unicode_escape").decode(), reason)  # the summary lists it

    def _prepare(self, sf: SourceFile, known: DocRecord | None, manifests: dict, report: IngestReport) -> _Parsed | None:
        """Hash the file; if it changed, parse and chunk it. None when unchanged."""
        t = time.perf_counter()
        try:
            loaders.check_size(sf.path, sf.source, self.settings.max_file_mb)
            data = sf.path.read_bytes()
        except PermissionError:
            raise LoaderError(sf.source, "permission denied; make the file readable (chmod a+r) or move it out") from None
        except OSError as exc:
            raise LoaderError(sf.source, f"cannot be read ({exc.strerror or type(exc).__name__}); check the file") from None
        meta = _manifest_meta(Path(sf.manifest_dir), sf.relname, manifests)
        digest = document_hash(data, meta)
        if known is not None and known.doc_hash == digest:
            if sf.root and known.root != sf.root:
                self.index.catalog.set_root(sf.source, sf.root)
            if not known.provenance.sha256:  # ingested before provenance was kept (or cut off right after landing)
                ocr = {c.page for c in self.index.catalog.iter_chunks(sf.source) if c.ocr}
                self.index.catalog.set_provenance([(sf.source, provenance(sf.path, data, len(ocr)))])
            report.unchanged += 1
            report.timings_s["parse"] += time.perf_counter() - t
            return None
        doc = replace(loaders.load(sf.path, sf.source, meta), doc_hash=digest)
        t1 = time.perf_counter()
        chunks = tuple(chunker.chunk(doc))
        t2 = time.perf_counter()
        report.timings_s["parse"] += t1 - t
        report.timings_s["chunk"] += t2 - t1
        if not chunks:
            raise LoaderError(sf.source, "no text could be extracted; if it is a scan, run OCR on it first")
        if not sf.root and known is not None:  # a file named on its own keeps the folder it was found under
            sf = replace(sf, root=known.root)
        ocr_pages = sum(1 for p in doc.pages if p.ocr)
        return _Parsed(sf, doc, chunks, known is None, provenance(sf.path, data, ocr_pages))

    def _land(self, batch: list[_Parsed], report: IngestReport) -> None:
        """Embed the batch's chunks in one call (reusing vectors of unchanged chunks), then store."""
        if not batch:
            return
        t = time.perf_counter()
        reused = self.index.stored_vectors([c.id for p in batch for c in p.chunks])
        t1 = time.perf_counter()
        try:
            fresh = self._embed([c for p in batch for c in p.chunks if c.id not in reused])
        except Exception:  # isolate the document the model chokes on; the others still land
            log.debug("batch embedding failed; retrying document by document", exc_info=True)
            fresh = {}
            ok = []
            for p in batch:
                try:
                    fresh.update(self._embed([c for c in p.chunks if c.id not in reused]))
                    ok.append(p)
                except Exception as exc:
                    self._fail(report, p.file.source, f"could not be embedded ({_unexpected(exc)})")
            batch = ok
        t2 = time.perf_counter()
        vectors = reused | fresh
        writes = [
            DocumentWrite(p.doc, p.chunks, np.stack([vectors[c.id] for c in p.chunks]), p.file.root) for p in batch
        ]
        self.index.write_documents(writes)
        self.index.catalog.set_provenance([(p.doc.source, p.provenance) for p in batch])
        t3 = time.perf_counter()
        report.timings_s["store"] += (t1 - t) + (t3 - t2)
        report.timings_s["embed"] += t2 - t1
        if self.settings.sentence_vectors:
            embed_sentences(self.index.sentences, self.embedder, [c for p in batch for c in p.chunks if c.id in fresh])
            report.timings_s["sentences"] += time.perf_counter() - t3
        for p in batch:
            if p.is_new:
                report.added += 1
            else:
                report.updated += 1

    def _embed(self, chunks: Sequence[Chunk]) -> dict[str, np.ndarray]:
        if not chunks:
            return {}
        vecs = self.embedder.embed([c.embedding_text() for c in chunks])
        return {c.id: vecs[i] for i, c in enumerate(chunks)}


def embed_sentences(cache: SentenceCache, embedder: Embedder, chunks: Sequence[Chunk]) -> int:
    """Embed the sentences of `chunks` the cache lacks into it (ingest/sentence_cache.py), after the commit:
    a failure here costs answers speed, never the index. Returns how many were embedded."""
    texts = cache.missing([s.text for c in chunks for s in split_sentences(c.text) if s.text.strip()])
    try:
        for i in range(0, len(texts), EMBED_BATCH):
            part = texts[i:i + EMBED_BATCH]
            cache.put(part, embedder.embed(part))
    except Exception:  # noqa: BLE001 - a cache: the answer path embeds what is missing
        log.warning("embedding the sentences of %d chunks failed; questions embed them when needed", len(chunks),
                    exc_info=True)
        return 0
    return len(texts)


def _unexpected(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())[:160]
    return f"unexpected {type(exc).__name__}{': ' + msg if msg else ''}; the file may be damaged, run with -v for details"
