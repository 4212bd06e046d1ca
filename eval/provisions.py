"""Provision-level ingest quality on real legal documents with known answers (a folder laid out like
`../shared/legal-dev`: `docs/`, `questions.jsonl`, and `articles.json` or the article sets given here).

    python -m eval.provisions ../shared/legal-dev            # table per document
    python -m eval.provisions ../shared/legal-dev --json     # the same as JSON

Per document: article precision / recall (the set of article labels found in chunk sections against the
document's own), evidence located (each question's verbatim evidence lies in one chunk), section right (that
chunk's section names the expected article and a paragraph range holding the expected paragraph), page
right (the page of the evidence's first character is the expected page), running header/footer lines
left in chunks, sections that are bare numbers, chunks, and ingest seconds (load + chunk, no embedding).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eval.metrics.provision import names_provision  # the matching rules live with the metrics
from eval.normalise import normalise, normalise_with_map
from ingest import chunker, loaders
from ingest.records import Chunk, Document
from ingest.structure import number_value

_LABEL = re.compile(r"(?:(?P<inst>[^,]+), )?(?P<art>(?:Article|Artikel|Recital|Recitals|Annex|Schedule)\b[^(]*?)"
                    r"(?:\((?P<p1>\w+)\)(?:–\((?P<p2>\w+)\))?)?$")


@dataclass
class DocumentFigures:
    doc: str
    articles_expected: int = 0
    articles_found: int = 0
    article_precision: float = float("nan")
    article_recall: float = float("nan")
    questions: int = 0
    evidence_found: int = 0
    section_right: int = 0
    page_right: int = 0
    pages_asked: int = 0
    header_footer_in_chunks: int = 0
    bare_number_sections: int = 0
    chunks: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def article_key(section: str) -> str | None:
    """"Protocol, Article IX(2)" -> "Protocol|Article 9"; None for a section that is not an article."""
    m = _LABEL.match(section)
    if not m or not m.group("art").startswith("Article"):
        return None
    word, _, number = m.group("art").strip().partition(" ")
    value = number_value(number.strip())
    if value is None:
        return None
    return f"{m.group('inst') or ''}|{value}"


def locate(chunks: list[Chunk], evidence: str) -> list[tuple[Chunk, int]]:
    """Every chunk holding `evidence`, with the document offset of its first character (the same words
    may stand in a recital and in an article)."""
    needle = normalise(evidence)
    out = []
    for c in chunks:
        norm, where = normalise_with_map(c.text)
        k = norm.find(needle)
        if k >= 0:
            out.append((c, c.start + where[k]))
    return out


def measure(folder: Path, docs: list[str] | None = None) -> list[DocumentFigures]:
    folder = Path(folder)
    questions = [json.loads(x) for x in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    manifest = json.loads((folder / "articles.json").read_text(encoding="utf-8")) if (folder / "articles.json").exists() \
        else ARTICLES
    names = docs or sorted(p.name for p in (folder / "docs").iterdir())
    out = []
    for name in names:
        t = time.perf_counter()
        doc = loaders.load(folder / "docs" / name, name, {})
        chunks = chunker.chunk(doc)
        fig = DocumentFigures(name, seconds=round(time.perf_counter() - t, 2), chunks=len(chunks))
        _score_articles(fig, doc, chunks, manifest.get(name, {}))
        _score_questions(fig, chunks, [q for q in questions if q["doc"] == name and q["type"] == "answerable"])
        _score_cleanliness(fig, folder / "docs" / name, chunks)
        out.append(fig)
    return out


def _main_language(chunks: list[Chunk], doc: Document) -> str:
    """The document's declared language when its chunks have it (a translation may be longer than it)."""
    langs = [c.language for c in chunks if c.language]
    if not langs or doc.language in langs:
        return doc.language
    return max(set(langs), key=langs.count)


def _score_articles(fig: DocumentFigures, doc: Document, chunks: list[Chunk], expected: dict[str, list[int]]) -> None:
    """Instruments are matched by order: the n-th instrument prefix found is the n-th expected instrument."""
    main = _main_language(chunks, doc)
    order: list[str] = []
    found: set[tuple[int, int]] = set()
    for c in chunks:
        if (c.language or main) != main or not (key := article_key(c.section)):
            continue
        prefix, number = key.split("|")
        if prefix not in order:
            order.append(prefix)
        found.add((order.index(prefix), int(number)))
    want = {(i, n) for i, numbers in enumerate(expected.values()) for n in numbers}
    fig.articles_expected, fig.articles_found = len(want), len(found)
    if not want:
        return
    hit = len(want & found)
    fig.article_precision = round(hit / len(found), 3) if found else float("nan")
    fig.article_recall = round(hit / len(want), 3)
    fig.misses += [f"article not found: instrument {i + 1}, {n}" for i, n in sorted(want - found)[:8]]
    fig.misses += [f"extra article: instrument {i + 1}, {n}" for i, n in sorted(found - want)[:8]]


def _score_questions(fig: DocumentFigures, chunks: list[Chunk], questions: list[dict]) -> None:
    for q in questions:
        fig.questions += 1
        hits = locate(chunks, q["evidence"])
        if not hits:
            fig.misses.append(f"{q['id']}: evidence not in any one chunk")
            continue
        fig.evidence_found += 1
        c, offset = next((h for h in hits if names_provision(h[0].section, q["article"], q["paragraph"])), hits[0])
        if names_provision(c.section, q["article"], q["paragraph"]):
            fig.section_right += 1
        else:
            fig.misses.append(f"{q['id']}: section {c.section!r}, expected {q['article']} ({q['paragraph']})")
        if q["page"] is not None:
            fig.pages_asked += 1
            page, _ = c.page_at(offset)
            if page == q["page"]:
                fig.page_right += 1
            else:
                fig.misses.append(f"{q['id']}: page {page}, expected {q['page']}")


def running_forms(pdf: Path) -> set[str]:
    """An oracle independent of the loader: the digit-masked lines among the first and last three of pypdf's
    raw page text that recur on a quarter of the pages or more, and ("…"-prefixed) the masked last four words
    of pages, where a footer runs into the last line ("… Member States. 4.5.2016 L 119/1 EN")."""
    from collections import Counter

    from pypdf import PdfReader

    counts: Counter = Counter()
    pages = PdfReader(str(pdf)).pages
    for page in pages:
        lines = [ln.strip() for ln in (page.extract_text() or "").split("\n") if ln.strip()]
        forms = {_mask(ln) for ln in lines[:3] + lines[-3:]}
        if lines:
            forms.add("…" + _mask(" ".join(lines[-1].split()[-4:])))
        counts.update(forms)
    return {form for form, n in counts.items() if n >= max(3, len(pages) // 4) and len(form) > 4}


def running_lines_left(chunks: list[Chunk], forms: set[str]) -> list[tuple[str, str]]:
    """(section, line or pattern) of every running header/footer form (`running_forms`) found in a chunk."""
    lines = {f for f in forms if not f.startswith("…")}
    tails = [re.compile(re.escape(f[1:]).replace("\\#", r"\d+").replace("\\ ", r"\s+")) for f in forms if f.startswith("…")]
    left = [(c.section, ln) for c in chunks for ln in c.text.split("\n") if _mask(ln) in lines]
    return left + [(c.section, t.pattern) for c in chunks for t in tails if t.search(c.text)]


def _mask(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _score_cleanliness(fig: DocumentFigures, path: Path, chunks: list[Chunk]) -> None:
    if path.suffix.lower() == ".pdf":
        fig.header_footer_in_chunks = len(running_lines_left(chunks, running_forms(path)))
    fig.bare_number_sections = sum(1 for c in chunks if re.fullmatch(r"[\d\s.,/()–-]*", c.section or "x"))


# The document's own article numbers, by instrument ("" = the file's only or first instrument).
ARTICLES: dict[str, dict[str, list[int]]] = {
    "coe-cets186-transplantation-protocol.md": {"": list(range(1, 35))},
    "un-smuggling-of-migrants-protocol.md": {"": list(range(1, 26))},
    "un-optional-protocol-sale-of-children.md": {"": list(range(1, 18))},
    "unhcr-refugee-convention-1951-protocol-1967.pdf": {"Convention": list(range(1, 47)), "Protocol": list(range(1, 12))},
    "eu-dublin-regulation-604-2013.pdf": {"": list(range(1, 50))},
    "eu-gdpr-2016-679.pdf": {"": list(range(1, 100))},
}


def table(figures: list[DocumentFigures]) -> str:
    head = f"{'document':48} {'art P':>6} {'art R':>6} {'evid':>5} {'sect':>5} {'page':>6} {'h/f':>4} {'bare':>4} {'chunks':>6} {'s':>6}"
    rows = [head]
    for f in figures:
        page = f"{f.page_right}/{f.pages_asked}" if f.pages_asked else "–"
        rows.append(f"{f.doc[:48]:48} {f.article_precision:6.3f} {f.article_recall:6.3f} {f.evidence_found:>2}/{f.questions:<2} "
                    f"{f.section_right:>2}/{f.questions:<2} {page:>6} {f.header_footer_in_chunks:4d} {f.bare_number_sections:4d} "
                    f"{f.chunks:6d} {f.seconds:6.1f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--doc", action="append", help="only this document (repeatable)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = ap.parse_args(argv)
    figures = measure(args.folder, args.doc)
    if args.json:
        print(json.dumps([asdict(f) for f in figures], indent=1))
    else:
        print(table(figures))
        if args.verbose:
            for f in figures:
                for m in f.misses:
                    print(f"  {f.doc}: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
