"""`lexcite inspect FILE`: what ingest makes of one file (provision tree, removed lines, languages, chunks)."""

from __future__ import annotations

import json
from pathlib import Path

import click

COMMANDS = ("inspect",)


@click.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
def inspect(file: str, as_json: bool) -> None:
    """Show how FILE is read: its provision tree, each page's removed header/footer lines and printed
    page number, language blocks and chunk boundaries. Nothing is written to the index."""
    from ingest.inspect import inspect_file, render
    from lexcite.errors import LoaderError

    try:
        report = inspect_file(Path(file))
    except LoaderError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False) if as_json else render(report))
