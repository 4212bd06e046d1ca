"""`lexcite ingest` and `lexcite status`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

COMMANDS = ("ingest", "status")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_obj
def ingest(obj, paths: tuple[str, ...], as_json: bool) -> None:
    """Ingest files or folders (default: the corpus folder). Exit 0 all landed, 3 some failed."""
    from tqdm import tqdm

    from ingest.pipeline import Ingestor

    targets = [Path(p) for p in paths] or [obj.settings.corpus_dir]
    bar = tqdm(total=0, unit="file", disable=not sys.stderr.isatty(), file=sys.stderr)

    def progress(i: int, n: int, name: str) -> None:
        bar.total = n
        bar.n = i
        bar.set_postfix_str(name[-40:])
        bar.refresh()

    report = Ingestor(obj.settings, obj.embedder).run(targets, progress=progress)
    bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        click.echo(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"removed {report.removed}, failed {len(report.failed)}; {report.chunks} chunks indexed "
            f"({report.timings_s['total']:.1f} s)"
        )
        for f in report.failed:
            click.echo(f"  failed: {f.path}: {f.error}", err=True)
        if report.skipped:
            click.echo(f"  skipped {len(report.skipped)} unsupported file(s): {', '.join(report.skipped[:5])}", err=True)
    sys.exit(3 if report.failed else 0)


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(obj, as_json: bool) -> None:
    """What is indexed: documents, chunks, store, model."""
    from ingest.index import Index

    st = Index(obj.settings, obj.embedder).status()
    if as_json:
        click.echo(json.dumps(st.to_dict()))
    else:
        click.echo(f"{st.documents} documents, {st.chunks} chunks in {st.store} store at {st.data_dir} "
                   f"(model {st.embedding_model})")
