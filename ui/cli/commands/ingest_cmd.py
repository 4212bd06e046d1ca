"""`lexcite ingest` and `lexcite status`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from ui.cli.text import plural

COMMANDS = ("ingest", "status")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(name: str) -> str:
    """A file name safe to print on one line (newlines and other control characters escaped)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), name)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object on stdout.")
@click.pass_obj
def ingest(obj, paths: tuple[str, ...], as_json: bool) -> None:
    """Ingest files or folders (default: the corpus folder).

    Adds new, replaces changed and removes deleted documents; unchanged files are skipped before
    parsing. Exit 0 when everything landed, 3 when some files failed (the rest landed), 2 on a usage
    or configuration error (missing path, Chroma server unreachable, another ingest running).
    """
    from tqdm import tqdm

    targets = [Path(p) for p in paths] or [obj.settings.corpus_dir]
    bar = tqdm(total=0, unit="file", disable=not sys.stderr.isatty(), file=sys.stderr, leave=False)

    def progress(i: int, n: int, name: str) -> None:
        bar.total = n
        bar.n = i
        bar.set_postfix_str(printable(name[-40:]), refresh=False)
        bar.refresh()

    try:
        report = obj.ingestor().run(targets, progress=progress)
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        click.echo(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"removed {report.removed}, failed {len(report.failed)}; {plural(report.chunks, 'chunk')} indexed "
            f"({report.timings_s['total']:.1f} s)"
        )
        for f in report.failed:
            click.echo(f"  failed: {printable(f.path)}: {printable(f.error)}", err=True)
        if report.skipped:
            names = ", ".join(printable(s) for s in report.skipped[:5])
            more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
            click.echo(f"  skipped {plural(len(report.skipped), 'unsupported file')}: {names}{more}", err=True)
    sys.exit(3 if report.failed else 0)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.pass_obj
def status(obj, as_json: bool) -> None:
    """What is indexed: documents, chunks, store, model (never loads the model)."""
    s = obj.settings
    if not s.catalog_path.exists():
        from ingest.embedder import vector_name

        st = {"documents": 0, "chunks": 0, "store": s.store_label, "data_dir": str(s.data_dir),
              "embedding_model": vector_name(s.embedding_model, s.encoder_backend), "vectors": 0, "last_ingest": None}
    else:
        st = obj.index.status().to_dict()
    if as_json:
        click.echo(json.dumps(st))
        return
    if not st["documents"]:
        click.echo(f"nothing indexed yet at {st['data_dir']} ({st['store']} store): "
                   f"run `lexcite ingest {s.corpus_dir}/` to index your documents")
        return
    click.echo(f"{plural(st['documents'], 'document')}, {plural(st['chunks'], 'chunk')} in the {st['store']} store at "
               f"{st['data_dir']} "
               f"(model {st['embedding_model']})")
    if st["vectors"] != st["chunks"]:
        click.echo(f"  note: the store holds {plural(st['vectors'], 'vector')} for {plural(st['chunks'], 'chunk')}; "
                   "the next `lexcite ingest` reconciles them", err=True)
