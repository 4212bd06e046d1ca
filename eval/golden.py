"""Golden sets: typed records, a loader that names the line and field at fault, and validation.

A golden set is JSONL, one question per line:
    {"id": "q01", "question": "...", "history": [["earlier question", "earlier answer"]],
     "answerable": true, "evidence": [{"source": "corpus/x.txt", "quote": "verbatim text"}
                                      | {"source": "corpus/x.txt", "start": 120, "end": 180}],
     "tags": ["paraphrase"], "document": "corpus/x.txt"}
`history` is optional; `evidence` is empty for unanswerable questions and non-empty otherwise.

Legal sets also say where each evidence stands, per evidence item (an answer may need two provisions):
    {"source": "docs/reg.pdf", "quote": "...", "article": "Article 13", "paragraph": "1", "page": 10}
- `article`: the provision as the text numbers it: "Article 21", "Article IX", "Recital 19", "Annex I",
  "Schedule, Paragraph 5" (an instrument prefix, "Protocol, Article IX", is optional);
- `paragraph`: the label of its first-level subdivision as printed ("2", "a", "F"), or null;
- `page`: the 1-based PDF page holding the evidence's first character, or null (formats without pages).
All three are optional and null by default; `paragraph` and `page` need an `article`. The optional item
field `document` names the document a question is about (also for an unanswerable one), for per-document
figures. Files without these fields stay valid.

`eval.evidence.validate_golden` checks every quote is verbatim in the extracted text of the file it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lexcite.errors import LexciteError

DEFAULT_GOLDEN = Path(__file__).resolve().parent / "golden" / "shipped.jsonl"
KNOWN_TAGS = frozenset({"paraphrase", "lexical", "follow-up", "multi-hop", "unanswerable", "adversarial"})


class GoldenError(LexciteError):
    """A golden file that cannot be read or whose evidence is not in the corpus."""


@dataclass(frozen=True)
class Evidence:
    """Where the answer lies: a verbatim quote, or a char span, in the extracted text of `source`."""

    source: str
    quote: str = ""
    start: int | None = None
    end: int | None = None
    article: str | None = None  # "Article 21", "Recital 19", "Schedule, Paragraph 5"
    paragraph: str | None = None  # "2", "a", "F"
    page: int | None = None  # 1-based PDF page of the evidence's first character

    @property
    def label(self) -> str:
        return f"{self.source}: \"{self.quote[:60]}\"" if self.quote else f"{self.source}[{self.start}:{self.end}]"


@dataclass(frozen=True)
class GoldenItem:
    id: str
    question: str
    answerable: bool
    evidence: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()
    document: str | None = None  # the document the question is about, for per-document figures


    def to_dict(self) -> dict:
        out = {
            "id": self.id, "question": self.question, "answerable": self.answerable,
            "history": [list(t) for t in self.history], "tags": list(self.tags),
            "evidence": [{k: v for k, v in (("source", e.source), ("quote", e.quote), ("start", e.start),
                                             ("end", e.end), ("article", e.article), ("paragraph", e.paragraph),
                                             ("page", e.page)) if v not in ("", None)} for e in self.evidence],
        }
        return out | ({"document": self.document} if self.document else {})


def json_lines(path: Path):
    """(line number, "file:line", object) for each non-blank line of a JSONL file; GoldenError naming the
    line when one is not JSON."""
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            yield n, where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldenError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); fix that line") from None


def load_golden(path: Path) -> list[GoldenItem]:
    """Read a golden JSONL file; raise GoldenError naming the line and the field to fix."""
    path = Path(path)
    if not path.is_file():
        raise GoldenError(f"golden set {path} not found; pass --golden FILE.jsonl (default: {DEFAULT_GOLDEN})")
    items: list[GoldenItem] = []
    seen: dict[str, int] = {}
    for n, where, raw in json_lines(path):
        item = parse_item(raw, where)
        if item.id in seen:
            raise GoldenError(f"{where}: id {item.id!r} already used on line {seen[item.id]}; ids must be unique")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise GoldenError(f"golden set {path} has no questions; add one JSON object per line")
    return items


def parse_item(raw: object, where: str = "item") -> GoldenItem:
    if not isinstance(raw, dict):
        raise GoldenError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    for name in ("id", "question", "answerable"):
        if name not in raw:
            raise GoldenError(f"{where}: missing field {name!r} (required: id, question, answerable, evidence)")
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise GoldenError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(raw["question"], str) or not raw["question"].strip():
        raise GoldenError(f"{where}: 'question' must be a non-empty string")
    if not isinstance(raw["answerable"], bool):
        raise GoldenError(f"{where}: 'answerable' must be true or false, got {raw['answerable']!r}")
    answerable = raw["answerable"]
    if "evidence" not in raw and answerable:
        raise GoldenError(f"{where}: missing field 'evidence' (an answerable question needs at least one)")
    evidence = tuple(_evidence(e, f"{where}: evidence[{i}]") for i, e in enumerate(raw.get("evidence") or []))
    if answerable and not evidence:
        raise GoldenError(f"{where}: answerable question with empty 'evidence'; add a quote or mark it unanswerable")
    if not answerable and evidence:
        raise GoldenError(f"{where}: unanswerable question with evidence; empty 'evidence' or set answerable true")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise GoldenError(f"{where}: 'tags' must be a list of strings")
    document = raw.get("document")
    if document is not None and (not isinstance(document, str) or not document):
        raise GoldenError(f"{where}: 'document' must be a corpus path such as corpus/file.pdf, or absent")
    return GoldenItem(raw["id"], raw["question"], answerable, evidence, tuple(tags),
                      _history(raw.get("history"), where), document)


def _evidence(raw: object, where: str) -> Evidence:
    if not isinstance(raw, dict):
        raise GoldenError(f"{where}: expected an object with 'source' and 'quote' (or 'start'/'end')")
    source = raw.get("source")
    if not isinstance(source, str) or not source:
        raise GoldenError(f"{where}: missing field 'source' (a corpus path such as corpus/file.pdf)")
    provision = _provision(raw, where)
    quote = raw.get("quote", "")
    if quote:
        if not isinstance(quote, str):
            raise GoldenError(f"{where}: 'quote' must be a string")
        return Evidence(source, quote=quote, **provision)
    start, end = raw.get("start"), raw.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or not 0 <= start < end:
        raise GoldenError(f"{where}: give a non-empty 'quote', or integer 'start' < 'end' (char offsets)")
    return Evidence(source, start=start, end=end, **provision)


def _provision(raw: dict, where: str) -> dict:
    """The optional `article`, `paragraph` and `page` of an evidence item, checked."""
    article, paragraph, page = raw.get("article"), raw.get("paragraph"), raw.get("page")
    if article is not None and (not isinstance(article, str) or not article.strip()):
        raise GoldenError(f"{where}: 'article' must be the provision as the text numbers it "
                          "(\"Article 21\", \"Recital 19\", \"Annex I\") or null")
    if paragraph is not None and (not isinstance(paragraph, str) or not paragraph.strip()):
        raise GoldenError(f"{where}: 'paragraph' must be a subdivision label (\"2\", \"a\", \"F\") or null")
    if page is not None and (not isinstance(page, int) or isinstance(page, bool) or page < 1):
        raise GoldenError(f"{where}: 'page' must be a 1-based page number or null, got {page!r}")
    if article is None and (paragraph is not None or page is not None):
        raise GoldenError(f"{where}: 'paragraph' and 'page' need an 'article' (the provision they belong to)")
    return {"article": article, "paragraph": paragraph, "page": page}


def _history(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    if raw in (None, []):
        return ()
    ok = isinstance(raw, list) and all(
        isinstance(t, (list, tuple)) and len(t) == 2 and all(isinstance(s, str) for s in t) for t in raw
    )
    if not ok:
        raise GoldenError(f"{where}: 'history' must be a list of [question, answer] pairs of strings")
    return tuple((q, a) for q, a in raw)
