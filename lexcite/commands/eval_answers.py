"""`lexcite eval answers`: the end-to-end grounding eval on a golden set, gated (exit 1 on regression)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from lexcite.commands.eval_cmd import eval_group

COMMANDS: tuple[str, ...] = ()  # attached to `lexcite eval`, not to the top level


@eval_group.command("answers")
@click.option("--golden", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Golden set JSONL (default: the shipped eval/golden/shipped.jsonl).")
@click.option("--backend", default=None, help="Answer backend: extractive | openai | ollama | local.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.json and report.html into this folder.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="report.json of an earlier run: show the change of every metric.")
@click.option("--gates", "gates_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Gate thresholds (default: eval/gates.toml).")
@click.option("--k", type=click.IntRange(min=1), default=None, help="Passages retrieved (default: setting k).")
@click.option("--json", "as_json", is_flag=True, help="Print report.json's summary (metrics, gates) on stdout.")
@click.pass_obj
def answers(obj, golden: Path | None, backend: str | None, report_dir: Path | None, baseline: Path | None,
            gates_path: Path | None, k: int | None, as_json: bool) -> None:
    """Run the assistant over a golden set; exit 0 when every gate holds, 1 otherwise."""
    from tqdm import tqdm

    from assistant.service import Assistant
    from eval.answers import METRICS, run_answer_eval
    from eval.gates import DEFAULT_GATES
    from eval.golden import DEFAULT_GOLDEN
    from eval.report import fmt

    settings = obj.settings.with_overrides(backend=backend, k=k, audit_log=False)  # eval questions are not users'
    assistant = Assistant.from_settings(settings, obj.embedder)
    bar = tqdm(total=0, unit="q", file=sys.stderr, leave=False, disable=not sys.stderr.isatty())

    def progress(i: int, n: int, name: str) -> None:
        bar.total = n
        bar.n = i
        bar.set_postfix_str(name)
        bar.refresh()

    run = run_answer_eval(assistant, golden or DEFAULT_GOLDEN, report_dir, baseline, backend=backend,
                          gates_path=gates_path or DEFAULT_GATES, k=k, progress=progress)
    bar.close()
    if as_json:
        d = run.to_dict()
        click.echo(json.dumps({key: d[key] for key in ("meta", "passed", "metrics", "gates", "deltas", "by_tag")}))
    else:
        gates = {}
        for g in run.gates:
            gates.setdefault(g.metric, []).append(g)
        deltas = run.deltas()
        for m, v in run.metrics.items():
            gs = gates.get(m, [])
            mark = "" if not gs else ("  ok" if all(g.passed for g in gs) else "  FAIL")
            limit = ", ".join(("≥ " if g.op == "min" else "≤ ") + fmt(m, g.threshold) for g in gs)
            d = deltas.get(m)
            delta = "" if d is None or math.isnan(d) else f"  ({d:+.3f} vs baseline)"
            label = METRICS[m][0].replace("@k", f"@{run.meta['k']}")
            click.echo(f"{label:24s} {fmt(m, v):>8s}  {limit:10s}{mark}{delta}")
        n_ok = sum(r.correct for r in run.items)
        click.echo(f"{n_ok}/{len(run.items)} questions handled correctly; "
                   + ("all gates hold" if run.passed else f"{sum(not g.passed for g in run.gates)} gate(s) fail"))
    if report_dir is not None:
        click.echo(f"report: {report_dir / 'report.html'}", err=True)
    if not run.passed:
        for g in run.gates:
            if not g.passed:
                click.echo(f"gate failed: {g.describe()}", err=True)
        sys.exit(1)
