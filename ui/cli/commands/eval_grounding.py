"""`lexcite eval grounding --input FILE.jsonl [--output FILE]`: the verifier on (context, answer) pairs.

JSON lines out (docs/CONTRACTS.md): {"id", "grounded", "score", "sentences": [{"text", "start", "end",
"supported", "score"}]}. When the input lines carry `label`, precision/recall/F1 per class go to
stderr (and, with --metrics FILE, as JSON to that file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lexcite.registry import VERIFIERS
from ui.cli.commands.eval_cmd import eval_group

COMMANDS: tuple[str, ...] = ()  # attached to `lexcite eval`, not to the top level


@eval_group.command("grounding")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL of {id, context (string or list), answer[, label]}.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the JSON lines here instead of stdout.")
@click.option("--metrics", "metrics_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the labelled figures as JSON to this file.")
@click.option("--reasons", is_flag=True, help="Add each unsupported sentence's reasons to the output.")
@click.option("--verifier", "verifier_kind", type=click.Choice(VERIFIERS.names), default=None,
              help="Which verifier judges (default: the `verifier` setting): the grounding model or the heuristics.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
@click.pass_obj
def grounding(obj, input_path: Path, output: Path | None, metrics_path: Path | None, reasons: bool,
              verifier_kind: str | None, progress: bool | None) -> None:
    """Check whether each answer sentence is supported by its context."""
    from assistant.registry import VERIFIERS as BUILDERS
    from eval.grounding import check, load_pairs, report

    pairs = load_pairs(input_path)
    verifier = BUILDERS.build(verifier_kind or obj.settings.verifier or "auto", obj.settings, obj.embedder)
    click.echo(f"verifier: {verifier.kind} (threshold {verifier.threshold:.2f})", err=True)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show and pairs:
        from tqdm import tqdm

        bar = tqdm(total=len(pairs), desc="grounding", unit="pair", file=sys.stderr, leave=False)
    try:
        results = check(pairs, verifier, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    lines = [json.dumps(r.to_dict(with_reasons=reasons), ensure_ascii=False) for r in results]
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    else:
        for line in lines:
            click.echo(line)
    rep = report(pairs, results)
    if rep is not None:
        click.echo(rep.table(), err=True)
        if metrics_path:
            figures = rep.to_dict() | {"verifier": verifier.kind, "threshold": round(verifier.threshold, 4)}
            metrics_path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
