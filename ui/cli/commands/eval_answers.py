"""`lexcite eval answers`: the end-to-end grounding eval on a golden set, gated (exit 1 on regression).

`--legal-dev DIR` runs a legal-dev folder instead (eval/legal_dev.py): its documents are ingested into an
index of their own (`<data_dir>/eval-legal-dev`), its questions converted to a golden set, and the gates
default to eval/gates-legal.toml; the figures are printed per document as well."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from lexcite.registry import BACKENDS
from ui.cli.commands.eval_cmd import eval_group
from ui.cli.text import plural

COMMANDS: tuple[str, ...] = ()  # attached to `lexcite eval`, not to the top level


@eval_group.command("answers")
@click.option("--golden", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Golden set JSONL (default: the shipped eval/golden/shipped.jsonl).")
@click.option("--legal-dev", "legal_dev", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A legal-dev folder (docs/ + questions.jsonl, e.g. ../shared/legal-dev): ingest its documents "
                   "into <data_dir>/eval-legal-dev and run its questions (gates: eval/gates-legal.toml).")
@click.option("--backend", default=None, help=f"Answer backend: {BACKENDS.help()}.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.json, report.html and report.md into this folder.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="report.json of an earlier run: show the change of every metric.")
@click.option("--gates", "gates_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Gate thresholds (default: eval/gates.toml).")
@click.option("--k", type=click.IntRange(min=1), default=None, help="Passages retrieved (default: setting k).")
@click.option("--json", "as_json", is_flag=True, help="Print report.json's summary (metrics, gates) on stdout.")
@click.pass_obj
def answers(obj, golden: Path | None, legal_dev: Path | None, backend: str | None, report_dir: Path | None,
            baseline: Path | None, gates_path: Path | None, k: int | None, as_json: bool) -> None:
    """Run the assistant over a golden set; exit 0 when every gate holds, 1 otherwise."""
    import tempfile

    from tqdm import tqdm

    from eval.answers import run_answer_eval
    from eval.results import METRICS
    from eval.gates import DEFAULT_GATES
    from eval.golden import DEFAULT_GOLDEN
    from eval.report import DOC_COLUMNS, fmt, shown_metrics

    if golden is not None and legal_dev is not None:
        raise click.UsageError("give --golden FILE or --legal-dev DIR, not both")
    settings = obj.settings.with_overrides(backend=backend, k=k, audit_log=False)  # eval questions are not users'
    bar = tqdm(total=0, file=sys.stderr, leave=False, disable=not sys.stderr.isatty())

    def progress(i: int, n: int, name: str) -> None:
        bar.total = n
        bar.n = i
        bar.set_postfix_str(name)
        bar.refresh()

    with tempfile.TemporaryDirectory(prefix="lexcite-eval-") as scratch:
        if legal_dev is not None:  # its own index, its converted questions (kept beside the report), its gates
            from eval.legal_dev import LEGAL_GATES, ensure_index, write_golden

            golden = write_golden(legal_dev, (report_dir or Path(scratch)) / "golden-legal-dev.jsonl")
            bar.set_description("ingest")
            settings = ensure_index(legal_dev, settings, obj.embedder, progress=progress)
            gates_path = gates_path or LEGAL_GATES
        bar.set_description("questions")
        assistant = obj.with_settings(settings).assistant
        run = run_answer_eval(assistant, golden or DEFAULT_GOLDEN, report_dir, baseline, backend=backend,
                              gates_path=gates_path or DEFAULT_GATES, k=k, corpus_dir=settings.corpus_dir,
                              progress=progress)
    bar.close()
    if as_json:
        d = run.to_dict()
        click.echo(json.dumps({key: d[key] for key in ("meta", "passed", "metrics", "gates", "deltas", "by_tag",
                                                       "by_document")}))
    else:
        gates = {}
        for g in run.gates:
            gates.setdefault(g.metric, []).append(g)
        deltas = run.deltas()
        for m, v in shown_metrics(run):
            gs = gates.get(m, [])
            mark = "" if not gs else ("  ok" if all(g.passed for g in gs) else "  FAIL")
            limit = ", ".join(("≥ " if g.op == "min" else "≤ ") + fmt(m, g.threshold) for g in gs)
            d = deltas.get(m)
            delta = "" if d is None or math.isnan(d) else f"  ({d:+.3f} vs baseline)"
            label = METRICS[m][0].replace("@k", f"@{run.meta['k']}")
            click.echo(f"{label:24s} {fmt(m, v):>8s}  {limit:10s}{mark}{delta}")
        if run.by_document:
            heads = [h.replace("@k", f"@{run.meta['k']}") for _, h in DOC_COLUMNS]
            width = max(len(d) for d in run.by_document)
            click.echo("\n" + f"{'document':{width}s} {'n':>3s}  " + "  ".join(heads))
            for doc, row in run.by_document.items():
                cells = "  ".join(f"{fmt(key, row.get(key)):>{len(h)}s}" for (key, _), h in zip(DOC_COLUMNS, heads))
                click.echo(f"{doc:{width}s} {int(row['n']):3d}  {cells}")
        n_ok = sum(r.correct for r in run.items)
        failing = sum(not g.passed for g in run.gates)
        click.echo(f"{n_ok}/{plural(len(run.items), 'question')} handled correctly; "
                   + ("all gates hold" if run.passed else f"{plural(failing, 'gate')} {'fails' if failing == 1 else 'fail'}"))
    if report_dir is not None:
        click.echo(f"report: {report_dir / 'report.html'}", err=True)
    if not run.passed:
        for g in run.gates:
            if not g.passed:
                click.echo(f"gate failed: {g.describe()}", err=True)
        sys.exit(1)
