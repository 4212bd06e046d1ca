"""The `lexcite eval` group. Subcommands live in their own modules and attach to `eval_group`."""

from __future__ import annotations

import click

COMMANDS = ("eval_group",)


@click.group("eval")
def eval_group() -> None:
    """Evaluate retrieval, grounding and answers."""
