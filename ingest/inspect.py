"""What ingest makes of one file, for a maintainer asking why a page or an article came out as it did:
the provision tree, each page's removed header/footer lines and printed label, language blocks and chunk
boundaries. Nothing is written to the index.

    report = inspect_file(Path("corpus/act.pdf"))
    print(render(report))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest import chunker, loaders
from ingest.records import Chunk, Document
from ingest.structure import Marker, find_markers
from ingest.tokens import default_counter

_GROUP_KINDS = ("Part", "Title", "Chapter", "Section")


@dataclass(frozen=True)
class TreeNode:
    label: str
    kind: str
    start: int
    page: int | None
    depth: int
    subdivisions: tuple[str, ...] = ()  # paragraph / recital labels inside the unit


@dataclass(frozen=True)
class PageReport:
    page: int
    label: str
    ocr: bool
    chars: int
    removed: tuple[str, ...]


@dataclass(frozen=True)
class LanguageBlock:
    language: str
    start: int
    end: int
    chunks: int


@dataclass(frozen=True)
class ChunkRow:
    n: int
    section: str
    page: int | None
    page_label: str
    language: str
    kind: str
    start: int
    end: int
    words: int
    tokens: int
    opening: str


@dataclass
class InspectReport:
    source: str
    title: str
    source_type: str
    chars: int
    tree: list[TreeNode] = field(default_factory=list)
    pages: list[PageReport] = field(default_factory=list)
    removed_elsewhere: list[str] = field(default_factory=list)  # removed lines not tied to a page
    languages: list[LanguageBlock] = field(default_factory=list)
    chunks: list[ChunkRow] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def inspect_file(path: Path, source: str | None = None, meta: dict | None = None) -> InspectReport:
    """Load and chunk `path` exactly as `lexcite ingest` would, and report what came out."""
    path = Path(path)
    if meta is None:
        from ingest.manifest import load_manifest

        meta = load_manifest(path.parent).meta_for(path.name)
    doc = loaders.load(path, source or path.name, meta)
    chunks = chunker.chunk(doc)
    report = InspectReport(doc.source, doc.title, doc.source_type, len(doc.text))
    report.tree = _tree(doc, find_markers(doc))
    report.pages = _pages(doc)
    report.removed_elsewhere = [f"{r.reason}: {r.text}" for r in doc.removed if r.page is None]
    report.languages = _languages(chunks)
    counter = default_counter()
    report.chunks = [
        ChunkRow(i, c.section, c.page, c.page_label, c.language, c.kind, c.start, c.end, len(c.text.split()),
                 counter.count(c.text), " ".join(c.text.split()[:10]))
        for i, c in enumerate(chunks, start=1)
    ]
    return report


def _tree(doc: Document, markers: list[Marker]) -> list[TreeNode]:
    hard = [m for m in markers if m.hard and m.kind != "footnote"]
    soft = [m for m in markers if not m.hard]
    bounds = [m.start for m in hard] + [len(doc.text)]
    nodes = []
    for k, m in enumerate(hard):
        subs = tuple(s.label for s in soft if bounds[k] <= s.start < bounds[k + 1])
        depth = 0 if m.kind in _GROUP_KINDS or m.kind in ("Preamble", "heading") else 1
        nodes.append(TreeNode(m.label or "(untitled)", m.kind, m.start, doc.page_at(m.start), depth, subs))
    return nodes


def _pages(doc: Document) -> list[PageReport]:
    removed: dict[int, list[str]] = {}
    for r in doc.removed:
        if r.page is not None:
            removed.setdefault(r.page, []).append(f"{r.reason}: {r.text}")
    return [PageReport(p.page, p.label, p.ocr, p.end - p.start, tuple(removed.get(p.page, ()))) for p in doc.pages]


def _languages(chunks: list[Chunk]) -> list[LanguageBlock]:
    blocks: list[LanguageBlock] = []
    for c in chunks:
        if blocks and blocks[-1].language == c.language:
            b = blocks[-1]
            blocks[-1] = LanguageBlock(b.language, b.start, c.end, b.chunks + 1)
        else:
            blocks.append(LanguageBlock(c.language, c.start, c.end, 1))
    return blocks


def _span(subs: tuple[str, ...]) -> str:
    if not subs:
        return ""
    return f"  [{subs[0]}]" if len(subs) == 1 else f"  [{subs[0]} … {subs[-1]}, {len(subs)}]"


def render(report: InspectReport) -> str:
    """The report as text a person reads top to bottom."""
    out = [f"{report.source}: {report.title} ({report.source_type}), {report.chars:,} characters, "
           f"{len(report.pages)} page{'s' if len(report.pages) != 1 else ''}, {len(report.chunks)} "
           f"chunk{'s' if len(report.chunks) != 1 else ''}", "", "Provision tree"]
    for n in report.tree:
        page = f"  p. {n.page}" if n.page else ""
        out.append(f"  {'  ' * n.depth}{n.label}{_span(n.subdivisions)}{page}")
    if report.pages:
        out += ["", "Pages (PDF page, printed label, removed lines)"]
        for p in report.pages:
            flags = " OCR" if p.ocr else ""
            label = f"printed {p.label}" if p.label else "no printed number"
            out.append(f"  p. {p.page}: {label}{flags}, {p.chars:,} chars")
            out += [f"      − {line}" for line in p.removed]
    if report.removed_elsewhere:
        out += ["", "Removed lines (not tied to a page)"] + [f"  − {line}" for line in report.removed_elsewhere]
    out += ["", "Language blocks"]
    out += [f"  {b.language or '?'}: chars {b.start:,}–{b.end:,}, {b.chunks} chunk{'s' if b.chunks != 1 else ''}"
            for b in report.languages]
    out += ["", "Chunks (section | page | language | words / word pieces | opening)"]
    for c in report.chunks:
        page = "–" if c.page is None else (f"{c.page} ({c.page_label})" if c.page_label else str(c.page))
        kind = f" {c.kind}" if c.kind != "body" else ""
        out.append(f"  {c.n:4d}. {c.section or '(no section)'} | p. {page} | {c.language or '?'}{kind} | "
                   f"{c.words}/{c.tokens} | {c.opening}")
    return "\n".join(out)
