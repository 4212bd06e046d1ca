"""Reports of an answer eval: report.json (everything, machine-readable), report.html and report.md.

The HTML is one self-contained file (inline CSS, plots as base64 PNG): a pass/fail banner, the
metric table against the gates (with deltas to a baseline run), plots, per-document rows and a
per-document plot when the items name their document, the worst cases with their question, answer,
verdicts and passages (with provision and page), and every item in a collapsible table. report.md has
the metric and per-document tables and the worst cases' ids, for pasting into a pull request.
Metrics the golden set cannot measure (NaN) and that no gate asks for are left out of the tables.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eval.results import AnswerEvalRun, ItemResult

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1f2933;
background:#f5f7fa;margin:0;padding:24px 32px}h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 10px}
.meta{color:#616e7c;font-size:12px;margin-top:4px}.banner{display:flex;align-items:center;gap:16px;padding:16px 20px;
border-radius:10px;color:#fff;margin-bottom:18px}.banner.pass{background:#2e9d5b}.banner.fail{background:#d1495b}
.banner .big{font-size:26px;font-weight:700;letter-spacing:.5px}.card{background:#fff;border-radius:10px;
box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 18px;margin-bottom:14px}
table{border-collapse:collapse;width:100%}th,td{padding:6px 10px;text-align:left;border-bottom:1px solid #e4e7eb;
vertical-align:top}th{font-size:12px;text-transform:uppercase;color:#616e7c;letter-spacing:.4px}
td.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.chip{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600}
.ok{background:#e3f5ea;color:#1e7a45}.bad{background:#fbe4e7;color:#b02a3e}.na{background:#eef1f4;color:#616e7c}
.up{color:#1e7a45}.down{color:#b02a3e}.flat{color:#9aa5b1}.grid{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.grid img,.wide img{max-width:100%}.case h3{font-size:15px;margin:0 0 4px}.tag{background:#e8eef7;color:#3a6ea5;
border-radius:4px;padding:0 6px;font-size:11px;margin-right:4px}.sent{margin:4px 0;padding:4px 8px;border-left:3px solid}
.sent.ok{border-color:#2e9d5b;background:#f3fbf6}.sent.bad{border-color:#d1495b;background:#fdf3f4}
.passage{font-size:12.5px;background:#f8f9fb;border:1px solid #e4e7eb;border-radius:6px;padding:6px 10px;margin:4px 0}
.passage .src{color:#616e7c;font-size:11px}mark{background:#fff3b0}mark.ev{background:#c9f0d6}
.label{font-size:11px;text-transform:uppercase;color:#616e7c;letter-spacing:.4px;margin-top:8px}
details summary{cursor:pointer;font-weight:600}.small{font-size:12px}
"""


def write_report(run: "AnswerEvalRun", out_dir: Path) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json.dumps(run.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render_html(run), encoding="utf-8")
    (out_dir / "report.md").write_text(render_markdown(run), encoding="utf-8")
    return json_path, html_path


def fmt(metric: str, v: float | None) -> str:
    from eval.results import METRICS

    if v is None or math.isnan(v):
        return "n/a"
    kind = METRICS.get(metric, ("", "", "num"))[2]
    return f"{v:.0%}" if kind == "pct" else f"{v:,.0f}" if kind in ("ms", "int") else f"{v:.3f}"


def _delta(metric: str, d: float | None) -> str:
    from eval.results import METRICS

    if d is None or math.isnan(d):
        return '<span class="flat">n/a</span>'
    kind, better = METRICS[metric][2], METRICS[metric][1]
    if abs(d) < 1e-9:
        return '<span class="flat">±0</span>'
    good = (d > 0) == (better == "higher")
    arrow = "▲" if d > 0 else "▼"
    text = (f"{d * 100:+.1f} pt" if kind == "pct" else f"{d:+,.0f} ms" if kind == "ms" else f"{d:+.0f}"
            if kind == "int" else f"{d:+.3f}")
    return f'<span class="{"up" if good else "down"}">{arrow} {text}</span>'


def _metric_table(run: "AnswerEvalRun") -> str:
    from eval.results import METRICS

    gates = {}
    for g in run.gates:
        gates.setdefault(g.metric, []).append(g)
    deltas = run.deltas()
    rows = []
    for m, v in shown_metrics(run):
        label = METRICS[m][0].replace("@k", f"@{run.meta.get('k')}")
        gs = gates.get(m, [])
        gate = ", ".join(("≥ " if g.op == "min" else "≤ ") + fmt(m, g.threshold) for g in gs) or "—"
        if not gs:
            status = '<span class="chip na">no gate</span>'
        elif all(g.passed for g in gs):
            status = '<span class="chip ok">pass</span>'
        else:
            status = '<span class="chip bad">FAIL</span>'
        base = ""
        if run.baseline is not None:
            base = (f'<td class="num">{fmt(m, run.baseline.get(m))}</td>'
                    f'<td class="num">{_delta(m, deltas.get(m))}</td>')
        rows.append(f'<tr><td>{escape(label)}</td><td class="num"><b>{fmt(m, v)}</b></td>{base}'
                    f'<td class="num">{gate}</td><td>{status}</td></tr>')
    head = "<th>metric</th><th>value</th>" + ("<th>baseline</th><th>Δ</th>" if run.baseline is not None else "")
    return f'<table><tr>{head}<th>gate</th><th></th></tr>{"".join(rows)}</table>'


def shown_metrics(run: "AnswerEvalRun") -> list[tuple[str, float]]:
    """The run's metrics minus those it could not measure (NaN) and no gate asks for."""
    gated = {g.metric for g in run.gates}
    return [(m, v) for m, v in run.metrics.items() if m in gated or not (v is None or math.isnan(v))]


# per-document columns: (key in by_document rows, header)
DOC_COLUMNS = (("article_hit_at_k", "article hit@k"), ("evidence_hit", "evidence hit"), ("page_accuracy", "page"),
               ("cited_article_precision", "cited-article P"), ("span_recall", "span R"),
               ("refusal_recall", "refusal R"), ("false_refusals", "false refusals"),
               ("non_verbatim_quotes", "non-verbatim"))


def _doc_cells(row: dict) -> list[str]:
    return [fmt(key, row.get(key)) for key, _ in DOC_COLUMNS]


def _documents_table(run: "AnswerEvalRun") -> str:
    if not run.by_document:
        return ""
    head = "".join(f"<th>{escape(h.replace('@k', '@' + str(run.meta.get('k'))))}</th>" for _, h in DOC_COLUMNS)
    rows = "".join(
        f'<tr><td>{escape(d)}</td><td class="num">{int(r["n"])} ({int(r["answerable"])})</td>'
        f'<td class="num">{fmt("evidence_hit", r["correct"])}</td>'
        + "".join(f'<td class="num">{c}</td>' for c in _doc_cells(r)) + "</tr>"
        for d, r in run.by_document.items())
    return (f'<h2>By document</h2><div class="card"><table><tr><th>document</th><th>questions (answerable)</th>'
            f'<th>correct</th>{head}</tr>{rows}</table></div>')


def _documents_plot(run: "AnswerEvalRun") -> str:
    """Grouped bars per document: article hit@k, evidence hit, page accuracy (base64 PNG)."""
    from eval import plots

    series = (("article_hit_at_k", f"article hit@{run.meta.get('k')}", plots.BLUE),
              ("evidence_hit", "evidence hit", plots.GREEN), ("page_accuracy", "page accuracy", plots.AMBER))
    labels = [f"{d.rsplit('/', 1)[-1][:48]} (n={int(run.by_document[d]['n'])})" for d in run.by_document]
    return plots.grouped_bars(run.by_document, labels, series, "By document")


def render_markdown(run: "AnswerEvalRun") -> str:
    """The metric table against the gates, the per-document table, and the worst cases' ids."""
    from eval.results import METRICS

    gates: dict[str, list] = {}
    for g in run.gates:
        gates.setdefault(g.metric, []).append(g)
    k = str(run.meta.get("k"))
    lines = [f"# Lexcite answer eval: {'all gates pass' if run.passed else 'GATES FAIL'}", "",
             f"{run.meta.get('golden')} · {run.meta.get('items')} questions ({run.meta.get('answerable')} answerable)"
             f" · backend {run.meta.get('backend')} · k={k} · {run.meta.get('created')}", "",
             "| metric | value | gate | |", "|---|---|---|---|"]
    for m, v in shown_metrics(run):
        gs = gates.get(m, [])
        gate = ", ".join(("≥ " if g.op == "min" else "≤ ") + fmt(m, g.threshold) for g in gs) or "—"
        status = "" if not gs else "pass" if all(g.passed for g in gs) else "**FAIL**"
        lines.append(f"| {METRICS[m][0].replace('@k', '@' + k)} | {fmt(m, v)} | {gate} | {status} |")
    if run.by_document:
        lines += ["", "| document | questions (answerable) | correct | "
                  + " | ".join(h.replace("@k", "@" + k) for _, h in DOC_COLUMNS) + " |",
                  "|---" * (len(DOC_COLUMNS) + 3) + "|"]
        for d, r in run.by_document.items():
            lines.append(f"| {d} | {int(r['n'])} ({int(r['answerable'])}) | {fmt('evidence_hit', r['correct'])} | "
                         + " | ".join(_doc_cells(r)) + " |")
    worst = run.worst(8)
    if worst:
        lines += ["", "Worst cases: " + ", ".join(f"{r.id} ({r.status})" for r in worst)]
    return "\n".join(lines) + "\n"


def _highlight(passage: str, quotes: list[tuple[str, str]]) -> str:
    """Escape the passage and wrap each (quote, css class) found in it in <mark>."""
    spans = []
    for quote, cls in quotes:
        i = passage.find(quote) if quote else -1
        if i >= 0:
            spans.append((i, i + len(quote), cls))
    spans.sort()
    out, pos = [], 0
    for s, e, cls in spans:
        if s < pos:
            continue
        out += [escape(passage[pos:s]), f'<mark class="{cls}">', escape(passage[s:e]), "</mark>"]
        pos = e
    out.append(escape(passage[pos:]))
    return "".join(out)


def _case(r: "ItemResult", k: int) -> str:
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in r.tags)
    expect = "should be answered" if r.answerable else "should be refused"
    verdict = '<span class="chip ok">correct</span>' if r.correct else '<span class="chip bad">wrong</span>'
    status = f'<b>{escape(r.status)}</b>'
    hist = "".join(f'<div class="small">earlier in the chat: <i>{escape(q)}</i></div>' for q, _ in r.history)
    if r.standalone_question and r.standalone_question != r.question:
        hist += f'<div class="small">searched as: <i>{escape(r.standalone_question)}</i></div>'
    sents = "".join(
        f'<div class="sent {"ok" if s["supported"] else "bad"}">{escape(s["text"])} '
        f'<span class="small">[{", ".join(map(str, s["citations"]))}] '
        f'{"✓ supported" if s["supported"] else "✗ unsupported"} ({s["score"]:.2f})</span></div>'
        for s in r.sentences) or f'<div class="sent bad">{escape(r.answer)}</div>'
    ev_quotes = [(e.get("quote", ""), "ev") for e in r.evidence]
    cites = "".join(
        f'<div class="passage"><div class="src">[{c["n"]}] {escape(c["source"])} {escape(c.get("section") or "")} '
        f'{_page(c.get("page"))}· chars {c["start"]}–{c["end"]} · {_rel(c.get("relevant"))}</div>'
        f'{_highlight(c.get("passage") or c["quote"], [(c["quote"], "")] + ev_quotes)}</div>'
        for c in r.citations)
    evidence = "".join(f'<div class="passage"><div class="src">{escape(e["source"])} {escape(_provision(e))}</div>'
                       f'<mark class="ev">{escape(e.get("quote") or "span " + str(e.get("spans")))}</mark></div>'
                       for e in r.evidence) or '<div class="small">none: the corpus does not answer this</div>'
    cited_ids = {c["chunk_id"] for c in r.citations}
    missed = "".join(
        f'<div class="passage"><div class="src">rank {i} · {escape(p["source"])} {escape(p.get("section") or "")} '
        f'· chars {p["start"]}–{p["end"]}</div>{_highlight(p["text"], ev_quotes)}</div>'
        for i, p in enumerate(r.retrieved, 1) if p["relevant"] and p["chunk_id"] not in cited_ids)
    if missed:
        missed = f'<div class="label">retrieved, holds the evidence, but not cited</div>{missed}'
    ranks = [i + 1 for i, p in enumerate(r.retrieved) if p["relevant"]]
    retrieval = (f"evidence at rank {', '.join(map(str, ranks))} of {len(r.retrieved)}" if ranks
                 else f"evidence not in the top {k}") if r.answerable else ""
    scores = (f'citation P {fmt("citation_precision", r.citation_precision)} · '
              f'R {fmt("citation_recall", r.citation_recall)} · {retrieval} · ' if r.answerable else "")
    if r.answerable and not math.isnan(r.article_hit):
        scores += (f'article {"in" if r.article_hit else "not in"} the top {k} · evidence '
                   f'{"quoted" if r.evidence_hit == 1.0 else "not quoted"} · ')
    if r.non_verbatim:
        scores += f'<span class="chip bad">not verbatim: {escape("; ".join(r.non_verbatim))}</span> · '
    return (f'<div class="card case"><h3>{escape(r.id)} · {escape(r.question)}</h3>{hist}'
            f'<div class="small">{tags} {expect} · got {status} {verdict} · {scores}{r.latency_ms:,.0f} ms</div>'
            f'<div class="label">answer and verifier verdicts</div>{sents}'
            f'<div class="label">cited passages (yellow: quoted, green: expected evidence)</div>'
            f'{cites or "<div class=small>none</div>"}'
            f'{missed}<div class="label">expected evidence</div>{evidence}</div>')


def _page(page) -> str:
    return f"· p. {page} " if page is not None else ""


def _provision(e: dict) -> str:
    """"Article 13(1), p. 10" for an evidence that names its provision."""
    if not e.get("article"):
        return ""
    para = f"({e['paragraph']})" if e.get("paragraph") else ""
    return f"{e['article']}{para}" + (f", p. {e['page']}" if e.get("page") else "")


def _rel(flag) -> str:
    if flag is None:
        return "no evidence expected"
    return "contains evidence" if flag else "no expected evidence"


def _items_table(run: "AnswerEvalRun") -> str:
    legal = any(not math.isnan(r.article_hit) for r in run.items)

    def extra(r) -> str:
        if not legal:
            return ""
        values = (r.article_hit, r.evidence_hit, r.page_hit)
        return "".join(f'<td class="num">{fmt("evidence_hit", v)}</td>' for v in values)

    rows = "".join(
        f'<tr><td>{escape(r.id)}</td><td>{escape(r.question)}</td><td>{" ".join(map(escape, r.tags))}</td>'
        f'<td>{escape(r.status)}</td><td>{"✓" if r.correct else "✗"}</td>'
        f'<td class="num">{fmt("hit_rate_at_k", r.hit)}</td><td class="num">{fmt("citation_precision", r.citation_precision)}</td>'
        f'<td class="num">{fmt("citation_recall", r.citation_recall)}</td><td class="num">{fmt("support_rate", r.support_rate)}</td>'
        f'{extra(r)}<td class="num">{r.latency_ms:,.0f}</td></tr>' for r in run.items)
    legal_head = "<th>article</th><th>evidence</th><th>page</th>" if legal else ""
    return ('<details class="card"><summary>All items</summary><table class="small"><tr><th>id</th><th>question</th>'
            '<th>tags</th><th>status</th><th>ok</th><th>hit</th><th>cit P</th><th>cit R</th><th>support</th>'
            f'{legal_head}<th>ms</th></tr>{rows}</table></details>')


def render_html(run: "AnswerEvalRun") -> str:
    from eval import plots

    m = run.meta
    failed = [g.describe() for g in run.gates if not g.passed]
    n_ok = sum(r.correct for r in run.items)
    failures = '<br><span class="small">' + "<br>".join(map(escape, failed)) + "</span>" if failed else ""
    banner = (f'<div class="banner {"pass" if run.passed else "fail"}"><span class="big">'
              f'{"ALL GATES PASS" if run.passed else f"{len(failed)} GATE(S) FAIL"}</span><span>'
              f'{n_ok} of {len(run.items)} questions handled correctly'
              f'{failures}</span></div>')
    meta = " · ".join(escape(str(x)) for x in (
        f'golden set {m.get("golden")}', f'{m.get("items")} questions ({m.get("answerable")} answerable)',
        f'backend {m.get("backend")}', f'k={m.get("k")}', m.get("embedding_model"), f'{m.get("seconds")} s',
        m.get("created")) if x)
    worst = run.worst(8)
    cases = "".join(_case(r, m.get("k", 0)) for r in worst) or '<div class="card">No failures: every item is fully correct.</div>'
    img = '<img alt="{}" src="data:image/png;base64,{}">'
    documents = _documents_table(run)
    if documents:
        documents += f'<div class="card wide">{img.format("per-document breakdown", _documents_plot(run))}</div>'
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Lexcite answer eval — {"pass" if run.passed else "FAIL"}</title><style>{CSS}</style></head><body>
<h1>Lexcite answer eval</h1><div class="meta">{meta}</div><br>{banner}
<div class="card">{_metric_table(run)}</div>
<div class="grid"><div class="card">{img.format("support scores", plots.support_scores(run))}</div>
<div class="card">{img.format("latency", plots.latency(run))}</div></div>
<div class="card wide">{img.format("per-tag breakdown", plots.per_tag(run))}</div>
{documents}
<h2>Worst cases</h2>{cases}
{_items_table(run)}
</body></html>"""
