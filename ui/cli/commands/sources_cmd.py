"""`lexcite sources list` and `lexcite sources fetch`: the corpus manifest (corpus/sources.toml)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ui.cli.text import plural

COMMANDS = ("sources",)


@click.group("sources")
def sources() -> None:
    """The documents listed in the corpus manifest (sources.toml)."""


def _manifest(obj, manifest: str | None, dest: str | None):
    from ingest.manifest import load_manifest

    """The manifest and the folder its files live in: --dest, else the manifest's folder, else the corpus."""
    folder = Path(dest) if dest else Path(manifest).parent if manifest else obj.settings.corpus_dir
    return load_manifest(Path(manifest) if manifest else folder), folder


@sources.command("list")
@click.option("--manifest", type=click.Path(dir_okay=False), help="A sources.toml (default: <corpus>/sources.toml).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document.")
@click.pass_obj
def list_sources(obj, manifest: str | None, as_json: bool) -> None:
    """What the manifest lists, and which files are present in the corpus folder."""
    m, folder = _manifest(obj, manifest, None)
    for e in m:
        present = (folder / e.file).is_file()
        if as_json:
            click.echo(json.dumps({"file": e.file, "title": e.title, "source_type": e.source_type,
                                   "language": e.language, "url": e.url, "present": present}))
        else:
            click.echo(f"{'present' if present else 'missing':8} {e.source_type:17} {e.file}  {e.short_title or e.title}")


@sources.command("fetch")
@click.argument("names", nargs=-1)
@click.option("--dest", type=click.Path(file_okay=False), help="Folder to write into (default: the manifest's folder, else the corpus folder).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="A sources.toml (default: <dest>/sources.toml).")
@click.option("--base-url", default="", help="Fetch every file as BASE_URL/<file> instead of its listed url (mirrors, tests).")
@click.option("--ingest/--no-ingest", "do_ingest", default=True, show_default=True, help="Ingest the folder afterwards.")
@click.option("--force", is_flag=True, help="Download files that are already present again.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
@click.pass_obj
def fetch(obj, names: tuple[str, ...], dest: str | None, manifest: str | None, base_url: str, do_ingest: bool,
          force: bool, timeout: float) -> None:
    """Download the listed instruments (or NAMES) into the corpus, then ingest.

    Exit 0 when all landed, 3 when some failed, 4 when offline, 2 on a bad manifest."""
    from ingest.fetch import fetch_sources

    from tqdm import tqdm

    m, folder = _manifest(obj, manifest, dest)
    bar = tqdm(unit="file", disable=not sys.stderr.isatty(), file=sys.stderr, bar_format="{desc}")
    try:
        results = fetch_sources(m, folder, names=names, base_url=base_url, timeout=timeout, force=force,
                                max_bytes=int(obj.settings.max_file_mb * 1_000_000),
                                progress=lambda msg: bar.set_description_str(f"fetching {msg}"[:100]))
    finally:
        bar.close()
    failed = [r for r in results if r.status in ("failed", "unreachable")]
    for r in results:
        if r.status == "fetched":
            click.echo(f"fetched  {r.file} ({r.bytes / 1e6:.2f} MB)")
        elif r.status == "present":
            click.echo(f"present  {r.file}")
        else:
            click.echo(f"failed   {r.file}: {r.detail}", err=True)
    if not results:
        click.echo(f"nothing to fetch: no entry in {m.path} has a url with fetch = true", err=True)
    code = 3 if failed else 0
    if do_ingest and any(r.status == "fetched" for r in results):
        report = obj.ingestor().run([folder])
        click.echo(f"ingested: added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
                   f"failed {len(report.failed)}; {plural(report.chunks, 'chunk')} indexed")
        for f in report.failed:
            click.echo(f"  failed: {f.path}: {f.error}", err=True)
        code = 3 if report.failed or failed else 0
    sys.exit(code)
