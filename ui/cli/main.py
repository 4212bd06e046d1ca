"""`lexcite`: parse, call the core, print. Each command group lives in ui/cli/commands/."""

from __future__ import annotations

import logging
import os
import sys

import click

from lexcite.errors import LexciteError
from lexcite.settings import load_settings
from ui.services import Runtime


UNEXPECTED_EXIT = 1  # a failure the core did not foresee (its details are logged with -v)


def quiet_progress_bars(stream=None) -> None:
    """Progress bars only on a terminal: when stderr is redirected (a log file, a pipe, a test) no library
    draws one (transformers' "Loading weights", huggingface_hub's, tqdm's defaults). The environment is set
    before those libraries are imported (the CLI imports them lazily); ones already imported are told too."""
    stream = sys.stderr if stream is None else stream
    try:
        if stream.isatty():
            return
    except (AttributeError, ValueError):  # a closed or odd stream is no terminal
        pass
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # tqdm's default; the CLI's own bars say disable= explicitly
    if "huggingface_hub.utils" in sys.modules:
        sys.modules["huggingface_hub.utils"].disable_progress_bars()
    if "transformers.utils.logging" in sys.modules:
        sys.modules["transformers.utils.logging"].disable_progress_bar()


class LexciteGroup(click.Group):
    def invoke(self, ctx):
        import sqlite3

        try:
            return super().invoke(ctx)
        except LexciteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (OSError, sqlite3.Error, UnicodeError) as exc:  # the disk, the catalog or the terminal said no
            logging.getLogger("lexcite").debug("unexpected failure", exc_info=True)
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            why = getattr(exc, "strerror", None) or str(exc)
            click.echo(f"error: {type(exc).__name__}{where}: {why}; check the data directory and the input "
                       "(run with -v for details)", err=True)
            sys.exit(UNEXPECTED_EXIT)


@click.group(cls=LexciteGroup)
@click.option("--data-dir", type=click.Path(), default=None, help="Index location (LEXCITE_DATA_DIR).")
@click.option("--config", type=click.Path(), default=None, help="A lexcite.toml settings file.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging on stderr.")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, config: str | None, verbose: bool) -> None:
    """Lexcite: answers from your documents, every sentence cited."""
    quiet_progress_bars()
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("chromadb", "httpx", "sentence_transformers", "transformers", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from pathlib import Path

    try:
        settings = load_settings(config_file=Path(config) if config else None, data_dir=data_dir)
    except LexciteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    ctx.obj = Runtime(settings)  # settings loaded once here; the heavy objects are built on first use


def _register() -> None:
    import importlib
    import pkgutil

    import ui.cli.commands as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        m = importlib.import_module(f"ui.cli.commands.{mod.name}")
        for name in getattr(m, "COMMANDS", ()):
            main.add_command(getattr(m, name))


_register()
