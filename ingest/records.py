"""Typed records at the ingestion boundary."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Literal

SourceType = Literal["primary_law", "official_guidance", "secondary"]
SOURCE_TYPES: tuple[str, ...] = ("primary_law", "official_guidance", "secondary")


@dataclass(frozen=True)
class PageSpan:
    """Where a page starts and ends in a document's extracted text (1-based page number)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Heading:
    """A structural marker found by a loader (HTML/Markdown/DOCX headings) at a char offset."""

    start: int
    level: int
    text: str


@dataclass(frozen=True)
class Document:
    """One file's extracted text plus what we know about it.

    `source` is the path relative to the corpus root (posix). `text` is the extracted text that all
    char offsets (chunks, citations) refer to. `pages` is empty for formats without pages.
    """

    source: str
    title: str
    text: str
    doc_hash: str
    source_type: str = "secondary"
    language: str = "en"
    pages: tuple[PageSpan, ...] = ()
    headings: tuple[Heading, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        if self.pages and offset >= self.pages[-1].end:
            return self.pages[-1].page
        return None


def chunk_id(source: str, text: str, occurrence: int = 0) -> str:
    """Content hash of the document identity and the chunk text (and its repeat count)."""
    h = hashlib.sha256()
    h.update(source.encode("utf-8"))
    h.update(b"\x00")
    h.update(text.encode("utf-8"))
    if occurrence:
        h.update(f"\x00{occurrence}".encode())
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. `start`/`end` are char offsets in the document's extracted text."""

    id: str
    text: str
    source: str
    title: str
    page: int | None
    section: str
    start: int
    end: int
    source_type: str
    doc_hash: str

    def to_dict(self) -> dict:
        return asdict(self)

    def metadata(self) -> dict:
        """Chroma metadata (no None values allowed there)."""
        return {
            "source": self.source,
            "title": self.title,
            "page": self.page if self.page is not None else -1,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "source_type": self.source_type,
            "doc_hash": self.doc_hash,
        }

    @classmethod
    def from_metadata(cls, id: str, text: str, meta: dict) -> "Chunk":
        page = meta.get("page", -1)
        return cls(
            id=id,
            text=text,
            source=meta["source"],
            title=meta.get("title", ""),
            page=None if page is None or page < 0 else int(page),
            section=meta.get("section", ""),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            source_type=meta.get("source_type", "secondary"),
            doc_hash=meta.get("doc_hash", ""),
        )


@dataclass(frozen=True)
class FailedFile:
    path: str
    error: str


@dataclass
class IngestReport:
    """The summary `lexcite ingest` prints (DESIGN.md contract, plus timings_s)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(
        default_factory=lambda: {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "store": 0.0, "total": 0.0}
    )

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks": self.chunks,
            "failed": [{"path": f.path, "error": f.error} for f in self.failed],
            "skipped": list(self.skipped),
            "timings_s": {k: round(v, 4) for k, v in self.timings_s.items()},
        }
