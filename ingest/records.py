"""Typed records at the ingestion boundary."""

from __future__ import annotations

import hashlib
import json
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
    label: str = ""  # the page number the page prints itself ("14", "L 180/31", "xii"), when it prints one
    ocr: bool = False  # the page's text came from OCR (no text layer)


@dataclass(frozen=True)
class RemovedLine:
    """A line a loader kept out of the text (running header/footer, page number, status note), for `inspect`."""

    page: int | None
    text: str
    reason: str  # header | footer | page-number | repeated-note


@dataclass(frozen=True)
class Region:
    """A span of `Document.text` that is not body text (kind "footnote"): chunked apart and labelled."""

    start: int
    end: int
    kind: str
    label: str = ""


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
    removed: tuple[RemovedLine, ...] = ()
    regions: tuple[Region, ...] = ()

    def span_at(self, offset: int) -> PageSpan | None:
        for span in self.pages:
            if span.start <= offset < span.end:
                return span
        if self.pages and offset >= self.pages[-1].end:
            return self.pages[-1]
        return None

    def page_at(self, offset: int) -> int | None:
        span = self.span_at(offset)
        return span.page if span else None

    def page_breaks(self, start: int, end: int) -> tuple[tuple[int, int, str], ...]:
        """(offset, page, label) for every page that starts inside (start, end), in order."""
        return tuple((p.start, p.page, p.label) for p in self.pages if start < p.start < end and p.start < p.end)


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
    page_label: str = ""  # the printed page number of `page`, when the page prints one
    language: str = ""  # ISO 639-1 code of the chunk's text ("" = unknown)
    ocr: bool = False  # text read by OCR from a scanned page
    kind: str = "body"  # body | footnote
    # pages that start inside the chunk: (document offset, page, printed label); a quote's page is the
    # page of its first character (`page_at`), not the chunk's start page
    page_breaks: tuple[tuple[int, int, str], ...] = ()
    # the provision's heading ("Article 33 Prohibition of expulsion or return"), embedded with the text of a
    # chunk that does not begin with it, so a paragraph deep in an article is still found by its title
    context: str = ""

    def embedding_text(self) -> str:
        """What the embedding model reads: the text, preceded by its provision's heading when it lacks it."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    def page_at(self, offset: int) -> tuple[int | None, str]:
        """(page, printed label) of the document offset `offset` inside this chunk."""
        page, label = self.page, self.page_label
        for start, p, lab in self.page_breaks:
            if start <= offset:
                page, label = p, lab
        return page, label

    def extra(self) -> dict:
        """The fields added after the first schema, stored as one JSON column in the catalog."""
        return {"page_label": self.page_label, "language": self.language, "ocr": self.ocr, "kind": self.kind,
                "page_breaks": [list(b) for b in self.page_breaks], "context": self.context}

    @staticmethod
    def extra_fields(extra: dict) -> dict:
        return {"page_label": str(extra.get("page_label") or ""), "language": str(extra.get("language") or ""),
                "ocr": bool(extra.get("ocr", False)), "kind": str(extra.get("kind") or "body"),
                "page_breaks": tuple((int(a), int(b), str(c)) for a, b, c in extra.get("page_breaks") or ()),
                "context": str(extra.get("context") or "")}

    def to_dict(self) -> dict:
        d = asdict(self)
        d["page_breaks"] = [list(b) for b in self.page_breaks]
        return d

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
            "page_label": self.page_label,
            "language": self.language,
            "ocr": self.ocr,
            "kind": self.kind,
            "page_breaks": json.dumps([list(b) for b in self.page_breaks]),
            "context": self.context,
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
            **cls.extra_fields({**meta, "page_breaks": json.loads(meta.get("page_breaks") or "[]")}),
        )


@dataclass(frozen=True)
class Provenance:
    """How a document's text was made, so anyone can re-check a quote against the file: the sha256 of the
    file's bytes as ingested, the reader that extracted its text (library and version, OCR if any, the
    loader version) and the chunker version. Empty strings for documents ingested before it was recorded."""

    sha256: str = ""
    extractor: str = ""  # e.g. "PDF: pypdf 6.1.0, Lexcite loader 2"
    chunker_version: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "Provenance":
        d = d or {}
        return cls(sha256=str(d.get("sha256") or ""), extractor=str(d.get("extractor") or ""),
                   chunker_version=str(d.get("chunker_version") or ""))


@dataclass(frozen=True)
class FailedFile:
    path: str
    error: str


@dataclass
class IngestReport:
    """The summary `lexcite ingest` prints (docs/CONTRACTS.md, plus timings_s)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(
        default_factory=lambda: {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "store": 0.0, "sentences": 0.0, "total": 0.0}
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
