"""The ingest run: walk paths, skip unchanged files, load, chunk, embed, store; report."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ingest import chunker, loaders
from ingest.embedder import Embedder
from ingest.index import Index
from ingest.records import FailedFile, IngestReport
from lexcite.errors import IngestBusyError, LexciteError, LoaderError
from lexcite.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str  # corpus-relative name, e.g. "corpus/un-protocol.pdf"
    root: str  # absolute folder this file was found under (deletion scope)


def walk(paths: Sequence[Path]) -> tuple[list[SourceFile], list[str]]:
    """Files to ingest and the names of unsupported files skipped."""
    files: list[SourceFile] = []
    skipped: list[str] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            root = p.resolve()
            for f in sorted(root.rglob("*")):
                if f.is_file() and not f.name.startswith("."):
                    rel = f"{root.name}/{f.relative_to(root).as_posix()}"
                    if f.suffix.lower() in loaders.SUPPORTED:
                        files.append(SourceFile(f, rel, str(root)))
                    elif f.name != "sources.toml":
                        skipped.append(rel)
        elif p.is_file():
            root = p.resolve().parent
            files.append(SourceFile(p.resolve(), f"{root.name}/{p.name}", ""))
        else:
            raise LexciteError(f"{p} does not exist; give a file or folder to ingest")
    return files, skipped


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.data_dir / "ingest.lock", os.O_RDWR | os.O_CREAT, 0o644)
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


class Ingestor:
    def __init__(self, settings: Settings, embedder: Embedder, index: Index | None = None):
        self.settings = settings
        self.embedder = embedder
        self.index = index or Index(settings, embedder)

    def run(self, paths: Sequence[Path], progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
        t0 = time.perf_counter()
        report = IngestReport()
        with ingest_lock(self.settings):
            self.index.recover()
            files, report.skipped = walk(paths)
            known = {d.source: d for d in self.index.documents()}
            seen: set[str] = set()
            for i, sf in enumerate(files):
                if progress:
                    progress(i, len(files), sf.source)
                seen.add(sf.source)
                try:
                    self._one(sf, known.get(sf.source), report)
                except LoaderError as exc:
                    report.failed.append(FailedFile(sf.source, exc.reason))
                    log.warning("skipped %s", exc)
            roots = {sf.root for sf in files if sf.root} | {str(Path(p).resolve()) for p in paths if Path(p).is_dir()}
            for source, rec in known.items():
                if rec.root in roots and source not in seen:
                    self.index.remove_document(source)
                    report.removed += 1
            if progress:
                progress(len(files), len(files), "")
        report.chunks = self.index.catalog.count_chunks()
        report.timings_s["total"] = time.perf_counter() - t0
        return report

    def _one(self, sf: SourceFile, known, report: IngestReport) -> None:
        t = time.perf_counter()
        data = sf.path.read_bytes()
        digest = loaders.file_hash(data + chunker.CHUNKER_VERSION.encode())
        if known is not None and known.doc_hash == digest:
            report.unchanged += 1
            return
        doc = loaders.load(sf.path, sf.source)
        doc = type(doc)(**{**doc.__dict__, "doc_hash": digest})
        t1 = time.perf_counter()
        chunks = chunker.chunk(doc)
        t2 = time.perf_counter()
        if not chunks:
            raise LoaderError(sf.source, "no text could be extracted; if it is a scan, OCR it first")
        vectors = self.embedder.embed([c.text for c in chunks])
        t3 = time.perf_counter()
        self.index.replace_document(doc, chunks, vectors, root=sf.root)
        t4 = time.perf_counter()
        for key, dt in (("parse", t1 - t), ("chunk", t2 - t1), ("embed", t3 - t2), ("store", t4 - t3)):
            report.timings_s[key] += dt
        if known is None:
            report.added += 1
        else:
            report.updated += 1
