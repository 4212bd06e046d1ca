"""The Evaluate tab (maintainers): run the answer eval on a golden set and read the result in the tab.

One table of metrics under their readable names (`eval.results.METRICS`) with their gates, the report's
plots drawn in the tab, and the full HTML report opened in a new browser tab (fetched and shown as a page,
not downloaded). One progress bar, on the summary.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from lexcite.errors import LexciteError
from ui.web import render
from ui.services import Services

log = logging.getLogger(__name__)

METRIC_HEADERS = ["Metric", "Value", "Gate", "Status"]
# Opens the report (the hidden file component's link) as a page in a new tab: the server sends HTML files
# as downloads, so the page fetches it and shows it from a blob (the window is opened first, on the click).
OPEN_REPORT_JS = """
async () => {
  const a = document.querySelector('#lx-report-file a[href]');
  if (!a) return;
  const w = window.open('', '_blank');
  const html = await (await fetch(a.href, { credentials: 'same-origin' })).text();
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  if (w) { w.location.href = url; } else { window.location.href = url; }
}
"""


@dataclass(frozen=True)
class EvalView:
    summary: str  # Markdown: whether every gate holds, which fail, where the report is
    rows: list[list[str]]  # METRIC_HEADERS
    files: list[str] = field(default_factory=list)  # report.html, report.json
    plots_html: str = ""

    @property
    def report_html(self) -> str | None:
        return next((f for f in self.files if f.endswith(".html")), None)


def golden_allowed(services: Services, path: Path) -> bool:
    """A golden set may be the shipped default or a file under the data directory (checked before
    looking at the file, so the answer never tells whether some other path exists)."""
    default = services.evaluate.default_golden if services.evaluate else None
    real = Path(path).resolve()
    return (default is not None and real == Path(default).resolve()) or \
        real.is_relative_to(Path(services.settings.data_dir).resolve())


def metric_label(key: str, k: Any = None) -> str:
    """"citation_precision" -> "Citation precision" (the eval's own name when it has one)."""
    try:
        from eval.results import METRICS

        label = METRICS[key][0]
    except (ImportError, KeyError):
        label = key.replace("_at_", "@").replace("_", " ")
    if k is not None:
        label = label.replace("@k", f"@{k}")
    return label[:1].upper() + label[1:]


def _value(key: str, v: Any) -> str:
    try:
        from eval.report import fmt

        return fmt(key, v)
    except (ImportError, KeyError, TypeError, ValueError):
        if isinstance(v, float):
            return "n/a" if math.isnan(v) else f"{v:.3f}"
        return str(v)


def metric_rows(run: Any) -> list[list[str]]:
    """One row per metric the run measured (or a gate asks for), with its gates and whether they hold."""
    metrics = getattr(run, "metrics", {}) or {}
    gates = getattr(run, "gates", []) or []
    try:
        from eval.report import shown_metrics

        shown = shown_metrics(run)
    except (ImportError, AttributeError, TypeError):
        shown = list(metrics.items())
    by_metric: dict[str, list] = {}
    for g in gates:
        by_metric.setdefault(getattr(g, "metric", ""), []).append(g)
    k = (getattr(run, "meta", {}) or {}).get("k")
    rows = []
    for key, v in shown:
        gs = by_metric.get(key, [])
        gate = ", ".join(("≥ " if getattr(g, "op", "min") == "min" else "≤ ") + _value(key, g.threshold)
                         for g in gs) or "—"
        status = "no gate" if not gs else "pass" if all(g.passed for g in gs) else "FAIL"
        rows.append([metric_label(key, k), _value(key, v), gate, status])
    return rows


def plots_html(run: Any) -> str:
    """The report's plots as inline images (nothing when the run has no items to plot)."""
    if not getattr(run, "items", None):
        return ""
    try:
        from eval import plots

        images = [("Support scores", plots.support_scores(run)), ("Latency", plots.latency(run)),
                  ("By tag", plots.per_tag(run))]
    except Exception:  # a plot is a help; the metrics table still shows
        log.exception("drawing the eval plots failed")
        return ""
    return '<div class="lx-plots">' + "".join(
        f'<img alt="{render.esc(name)}" title="{render.esc(name)}" src="data:image/png;base64,{b64}">'
        for name, b64 in images if b64) + "</div>"


def run_eval(services: Services, golden: str, progress=None, user: str | None = None,
             uploaded: str | None = None) -> EvalView:
    from ui.web.handlers import require_admin

    require_admin(services, user, "run evaluations")
    if services.evaluate is None:
        raise gr.Error("The evaluation harness is not installed on this server.")
    path = Path(uploaded or (golden or "").strip() or str(services.evaluate.default_golden or ""))
    if not uploaded and not golden_allowed(services, path):
        raise gr.Error(f"Only the shipped golden set, files under the data directory ({services.settings.data_dir}) "
                       "or an uploaded .jsonl file can be evaluated.")
    if path.suffix != ".jsonl" or not path.is_file():
        raise gr.Error(f"No golden set at {path}; give the path of a golden .jsonl file on the server.")
    report_dir = Path(services.settings.data_dir) / "eval-reports" / time.strftime("%Y%m%d-%H%M%S")

    def step(i: int, n: int, name: str) -> None:
        if progress is not None:
            progress((i, max(n, 1)), desc=f"Question {name}" if name else "Writing the report")

    try:
        try:
            run = services.evaluate.run_answer_eval(services.assistant, path, report_dir=report_dir, progress=step)
        except TypeError:  # an older signature without progress
            run = services.evaluate.run_answer_eval(services.assistant, path, report_dir=report_dir)
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("evaluation failed")
        raise gr.Error("The evaluation failed; the details are in the server log.") from None
    gates = getattr(run, "gates", []) or []
    passed = getattr(run, "passed", all(getattr(g, "passed", True) for g in gates))
    failing = [g for g in gates if not getattr(g, "passed", True)]
    head = f"### {'All gates hold' if passed else f'{len(failing)} of {len(gates)} gates fail'}\n"
    if failing:
        head += "\n".join(f"- {render._md_text(g.describe() if hasattr(g, 'describe') else str(g))}"
                          for g in failing) + "\n"
    files = [str(p) for p in (report_dir / "report.html", report_dir / "report.json") if p.is_file()]
    return EvalView(head + f"\nReport folder on the server: `{report_dir}`", metric_rows(run), files,
                    plots_html(run))


def eval_tab(services: Services) -> None:
    default = str(services.evaluate.default_golden or "") if services.evaluate else ""
    golden = gr.Textbox(default, label="Golden set (the shipped one, or a .jsonl file under the data directory)")
    uploaded = gr.File(label="…or upload a golden set (.jsonl)", file_types=[".jsonl"], type="filepath")
    go = gr.Button("Run evaluation", variant="primary", elem_id="lx-eval-run")
    summary = gr.Markdown(elem_id="lx-eval-summary")
    open_report = gr.Button("Open the full report", visible=False, elem_id="lx-open-report")
    table = gr.Dataframe(headers=METRIC_HEADERS, interactive=False, elem_id="lx-eval-metrics")
    plots = gr.HTML(elem_id="lx-eval-plots")
    report_file = gr.File(visible="hidden", elem_id="lx-report-file", interactive=False)
    downloads = gr.File(label="Download the report files", file_count="multiple", interactive=False)

    def on_run(path, upload, request: gr.Request, progress=gr.Progress()):
        v = run_eval(services, path, progress, getattr(request, "username", None) or None, upload)
        return (v.summary, v.rows, v.plots_html, v.report_html, gr.Button(visible=bool(v.report_html)),
                v.files or None)

    go.click(on_run, [golden, uploaded], [summary, table, plots, report_file, open_report, downloads],
             api_visibility="private", concurrency_limit=1, concurrency_id="eval", show_progress_on=[summary])
    open_report.click(None, None, None, js=OPEN_REPORT_JS)
