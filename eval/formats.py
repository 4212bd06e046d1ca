"""Do answers hold when the same instruments come as HTML, Word or plain text? A legal-dev folder's Markdown
instruments, written out in each format a deployment may add them in, each ingested into its own index and
asked the same questions.

    python -m eval.formats ../shared/legal-dev --out /tmp/lexcite-formats      # ~1 min per format

The formats, made from the Markdown (its links reduced to their text, its headings kept as what they were):
- `md`: the files as they are (the baseline);
- `html-headings`: `<h1>`-`<h6>` for the headings, a page `<title>` (the first heading), navigation and footer;
- `html-flat`: the same page with the headings as `<p class="ti-art">` paragraphs, as many legal databases serve
  them;
- `docx-headings`: Word headings; `docx-flat`: the headings as bold Normal paragraphs;
- `txt`: plain text, the headings as lines of their own;
- `pdf`: a real PDF (reportlab, the `dev` extra), the text wrapped at 95 characters, 48 lines a page, headings in
  bold, a running header that alternates sides as a journal's does and a page number in the footer; each
  question's page is the page its evidence is printed on.

The questions are the folder's questions about those documents, with the file's new name and no page (but in
the pdf format: the page it printed the evidence on). Each format's figures are printed side by side; `--out` keeps each format's folder,
index and report. Nothing here knows a document: it converts whatever Markdown the folder holds.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from pathlib import Path

FORMATS = {"md": ".md", "html-headings": ".html", "html-flat": ".html", "docx-headings": ".docx",
           "docx-flat": ".docx", "txt": ".txt", "pdf": ".pdf"}
PDF_LINES = 48  # lines a page
PDF_WIDTH = 95  # characters a line
SHOWN = (("article_hit_at_k", "article hit"), ("evidence_hit", "evidence hit"), ("page_accuracy", "page"),
         ("cited_article_precision", "cited-article P"), ("citation_recall", "citation R"),
         ("refusal_recall", "refusal R"), ("false_refusals", "false refusals"))
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")


def blocks(markdown: str) -> list[tuple[int, str]]:
    """The Markdown's headings (level 1-6) and paragraphs (level 0), in order, links reduced to their text."""
    out = []
    for line in markdown.splitlines():
        line = _LINK.sub(r"\1", line).strip()
        if not line or line.startswith("<meta"):
            continue
        m = _HEADING.match(line)
        if m:
            if m.group(2).strip():
                out.append((len(m.group(1)), m.group(2).strip()))
        else:
            out.append((0, line))
    return out


def write_as(fmt: str, parts: list[tuple[int, str]], target: Path) -> None:
    if fmt.startswith("html"):
        body = []
        for level, text in parts:
            t = html.escape(text)
            if level and fmt == "html-headings":
                body.append(f"<h{level}>{t}</h{level}>")
            elif level:
                kind = "ti-art" if re.match(r"(?i)article\b", text) else "sti-art"
                body.append(f'<p class="{kind}">{t}</p>')
            else:
                body.append(f"<p>{t}</p>")
        title = html.escape(next((t for lv, t in parts if lv), target.stem))
        target.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                          f"<nav>Home | Search</nav><main>{''.join(body)}</main><footer>Legal notice</footer></body></html>",
                          encoding="utf-8")
    elif fmt.startswith("docx"):
        import docx

        d = docx.Document()
        for level, text in parts:
            if level and fmt == "docx-headings":
                d.add_heading(text, level=min(level, 4))
            elif level:
                d.add_paragraph().add_run(text).bold = True
            else:
                d.add_paragraph(text)
        d.save(str(target))
    else:
        target.write_text("\n\n".join(t for _, t in parts) + "\n", encoding="utf-8")


def write_pdf(parts: list[tuple[int, str]], target: Path) -> list[str]:
    """A PDF of `parts` with a running header and footer; returns each page's text, whitespace collapsed."""
    import textwrap

    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas
    except ImportError:
        raise SystemExit("the pdf format needs reportlab: run `make dev`, or leave pdf out of --formats") from None
    lines = [(level, piece) for level, text in parts for piece in (textwrap.wrap(text, PDF_WIDTH) or [""]) + [""]]
    pages = [lines[i:i + PDF_LINES] for i in range(0, len(lines), PDF_LINES)]
    c = canvas.Canvas(str(target), pagesize=A4, invariant=1)
    width, height = A4
    texts = []
    for n, page in enumerate(pages, 1):
        journal, number = "Official Journal of the Sample Union", f"L 99/{n}"
        left, right = (number, journal) if n % 2 else (journal, number)
        c.setFont("Helvetica", 8)
        c.drawString(50, height - 35, f"{left}        EN        12.3.2005        {right}")
        y = height - 60
        for level, text in page:
            c.setFont("Helvetica-Bold" if level else "Helvetica", 10)
            c.drawString(50, y, text)
            y -= 14
        c.setFont("Helvetica", 8)
        c.drawString(width / 2, 30, str(n))
        c.showPage()
        texts.append(" ".join(" ".join(t for _, t in page).split()))
    c.save()
    return texts


def _page_of(evidence: str, pages: list[str]) -> int | None:
    words = " ".join(evidence.split())
    for probe in (words[:40], words[:20]):  # a quote wrapped over a page break: its first words
        found = next((i + 1 for i, t in enumerate(pages) if probe and probe in t), None)
        if found:
            return found
    return None


def make_folder(legal_dev: Path, fmt: str, out: Path) -> int:
    """`out/docs` with the folder's Markdown instruments in `fmt`, and `out/questions.jsonl` about them."""
    ext = FORMATS[fmt]
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    sources = sorted((legal_dev / "docs").glob("*.md"))
    printed: dict[str, list[str]] = {}  # a PDF's page texts, to give each question its page
    for md in sources:
        text = md.read_text(encoding="utf-8")
        if fmt == "md":
            (docs / md.name).write_text(text, encoding="utf-8")
        elif fmt == "pdf":
            printed[md.name] = write_pdf(blocks(text), docs / (md.stem + ext))
        else:
            write_as(fmt, blocks(text), docs / (md.stem + ext))
    names = {md.name for md in sources}
    n = 0
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        for line in (legal_dev / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("doc") in names:
                page = _page_of(row.get("evidence") or "", printed[row["doc"]]) if fmt == "pdf" else None
                row = dict(row, doc=row["doc"][:-3] + ext, page=page)
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def run(legal_dev: Path, out: Path, formats: list[str]) -> dict[str, dict]:
    from assistant.service import Assistant
    from eval.answers import run_answer_eval
    from eval.legal_dev import LEGAL_GATES, ensure_index, write_golden
    from ingest.embedder import embedder_for
    from lexcite.settings import load_settings

    results = {}
    for fmt in formats:
        folder = out / fmt
        n = make_folder(legal_dev, fmt, folder)
        if not n:
            raise SystemExit(f"{legal_dev} has no questions about Markdown documents to convert")
        base = load_settings(env={}, data_dir=folder / "data")
        settings = ensure_index(folder, base, embedder_for(base))
        golden = write_golden(folder, folder / "golden.jsonl")
        run_ = run_answer_eval(Assistant.from_settings(settings), golden, report_dir=folder / "report",
                               gates_path=LEGAL_GATES, corpus_dir=folder / "docs")
        results[fmt] = {**run_.metrics, "handled": sum(r.correct for r in run_.items), "questions": len(run_.items)}
        print(f"{fmt}: {results[fmt]['handled']}/{n} handled", file=sys.stderr, flush=True)
    return results


def table(results: dict[str, dict]) -> str:
    head = "| format | handled | " + " | ".join(label for _, label in SHOWN) + " |"
    rows = [head, "|" + "---|" * (len(SHOWN) + 2)]
    for fmt, m in results.items():
        cells = [f"{m['handled']}/{m['questions']}"] + [
            f"{m[k]:.0f}" if k == "false_refusals" else "–" if math.isnan(m[k]) else f"{m[k]:.2f}" for k, _ in SHOWN]
        rows.append(f"| {fmt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("legal_dev", type=Path, help="a legal-dev folder (docs/, questions.jsonl)")
    ap.add_argument("--out", type=Path, required=True, help="folder for each format's documents, index and report")
    ap.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, of {', '.join(FORMATS)}")
    args = ap.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        ap.error(f"unknown format(s) {', '.join(unknown)}; use {', '.join(FORMATS)}")
    print(table(run(args.legal_dev, args.out, formats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
