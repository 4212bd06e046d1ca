"""A legal-dev folder (`../shared/legal-dev`: `docs/`, `questions.jsonl`) as a golden set and its index.

    python -m eval.legal_dev ../shared/legal-dev -o legal-dev.jsonl     # convert only
    lexcite eval answers --legal-dev ../shared/legal-dev --report out/   # ingest, convert, run, gate

`questions.jsonl` holds `{"id", "question", "type": "answerable" | "unanswerable", "doc", "article",
"paragraph", "evidence", "page"}` per line; `convert` turns each into a golden item (eval/golden.py):
`answerable` from `type`, one evidence `{"source": "docs/<doc>", "quote": evidence, "article", "paragraph",
"page"}`, `document` = the same source (unanswerable questions keep the document they seem to be about),
tag `unanswerable` for those. The source is the name `lexcite ingest DIR/docs` stores ("docs/<doc>").

The documents are read where they lie and never copied: `ensure_index` ingests `DIR/docs` with the given
embedder into a data folder of its own (unchanged documents are skipped on a second run), so the user's
index is never touched.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from eval.golden import GoldenError

LEGAL_GATES = Path(__file__).resolve().parent / "gates-legal.toml"
_KEYS = ("id", "question", "type", "doc", "article", "paragraph", "evidence", "page")


def _docs(folder: Path) -> Path:
    folder = Path(folder)
    if not (folder / "questions.jsonl").is_file() or not (folder / "docs").is_dir():
        raise GoldenError(f"{folder} is not a legal-dev folder: it needs questions.jsonl and docs/ "
                          "(e.g. --legal-dev ../shared/legal-dev)")
    return folder / "docs"


def convert_row(row: object, where: str, prefix: str = "docs") -> dict:
    """One legal-dev question as a golden item (a dict eval.golden.parse_item accepts)."""
    if not isinstance(row, dict):
        raise GoldenError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [k for k in _KEYS if k not in row]
    if missing:
        raise GoldenError(f"{where}: missing field(s) {', '.join(map(repr, missing))} (a legal-dev question has "
                          f"{', '.join(_KEYS)})")
    if row["type"] not in ("answerable", "unanswerable"):
        raise GoldenError(f"{where}: 'type' must be answerable or unanswerable, got {row['type']!r}")
    source = f"{prefix}/{row['doc']}"
    item = {"id": row["id"], "question": row["question"], "answerable": row["type"] == "answerable",
            "evidence": [], "tags": [], "document": source}
    if item["answerable"]:
        if not row["evidence"]:
            raise GoldenError(f"{where}: an answerable question needs its 'evidence' text")
        item["evidence"] = [{"source": source, "quote": row["evidence"], "article": row["article"],
                             "paragraph": row["paragraph"], "page": row["page"]}]
    else:
        item["tags"] = ["unanswerable"]
    return item


def convert(folder: Path) -> list[dict]:
    """Every question of `folder/questions.jsonl` as a golden item, checked by the golden loader's rules."""
    from eval.golden import json_lines, parse_item

    docs = _docs(folder)
    path = Path(folder) / "questions.jsonl"
    out = []
    for _n, where, row in json_lines(path):
        item = convert_row(row, where, docs.name)
        if not (docs / row["doc"]).is_file():
            raise GoldenError(f"{where}: document {row['doc']!r} is not in {docs}")
        parse_item(item, where)
        out.append(item)
    if not out:
        raise GoldenError(f"{path} has no questions")
    return out


def write_golden(folder: Path, out: Path) -> Path:
    """Convert `folder` and write the golden JSONL to `out` (its parent folder is created)."""
    items = convert(folder)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return out


def ensure_index(folder: Path, settings, embedder, data_dir: Path | None = None,
                 progress: Callable[[int, int, str], None] | None = None):
    """Settings for an index holding exactly `folder/docs`, ingested into `data_dir` (default: the
    `eval-legal-dev` folder inside the settings' data dir); raises when a document fails to ingest."""
    from ingest.pipeline import Ingestor
    from lexcite.errors import LexciteError

    docs = _docs(folder)
    s = settings.with_overrides(data_dir=Path(data_dir or settings.data_dir / "eval-legal-dev"), corpus_dir=docs,
                                chroma_url="", audit_log=False)
    report = Ingestor(s, embedder).run([docs], progress=progress)
    if report.failed:
        raise LexciteError("legal-dev documents failed to ingest: "
                           + "; ".join(f"{f.path}: {f.error}" for f in report.failed))
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Convert a legal-dev folder's questions.jsonl to a golden set.")
    ap.add_argument("folder", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True, help="golden JSONL to write")
    args = ap.parse_args(argv)
    try:
        path = write_golden(args.folder, args.output)
    except GoldenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"{path}: {n} questions. With {args.folder / 'docs'} ingested: "
          f"lexcite eval answers --golden {path} --gates {LEGAL_GATES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
