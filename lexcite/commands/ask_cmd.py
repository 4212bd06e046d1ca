"""`lexcite ask`: one question, or a JSONL file of questions answered in one process."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from lexcite.errors import ConfigError

COMMANDS = ("ask",)


def read_questions(path: Path) -> list[dict]:
    """Lines `{"id": …, "question": …, "history": [[user, assistant], …]?}`; blank lines skipped."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{n}: not valid JSON ({exc.msg}); one object per line") from None
            if not isinstance(item, dict) or not str(item.get("question", "")).strip():
                raise ConfigError(f'{path}:{n}: needs a "question" field, e.g. {{"id": "q1", "question": "…"}}')
            items.append(item)
    return items


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): the audit log records null
        return None


def _print_human(a) -> None:
    click.echo(a.answer)
    for s in a.sentences:
        if not s.supported:
            click.echo(f"  (unverified: \"{s.text[:120]}\")")
    for c in a.citations:
        where = ", ".join(x for x in (c.source, f"p. {c.page}" if c.page else "", c.section) if x)
        click.echo(f"  [{c.n}] {where}: \"{c.quote[:200]}\"")


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer (DESIGN.md contract).")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "question", "history"?}; one answer line each, with its id.')
@click.option("--backend", default=None, help="extractive | openai | ollama | local (LEXCITE_BACKEND).")
@click.option("--k", type=int, default=None, help="Passages retrieved per question (LEXCITE_K).")
@click.pass_obj
def ask(obj, question, as_json, questions, backend, k) -> None:
    """Answer QUESTION from the indexed documents, citing every sentence."""
    from assistant.service import Assistant

    if not question and not questions:
        raise click.UsageError("give a QUESTION or --questions FILE.jsonl")
    if question and questions:
        raise click.UsageError("give either a QUESTION or --questions FILE.jsonl, not both")
    settings = obj.settings.with_overrides(backend=backend, k=k)
    items = read_questions(questions) if questions else [{"question": question}]
    assistant = Assistant.from_settings(settings, obj.embedder)
    assistant.index.require_nonempty()
    user = _os_user()
    for item in items:
        history = [tuple(t) for t in item.get("history") or []]
        a = assistant.ask(item["question"], history=history, user=user)
        if as_json or questions:
            record = ({"id": item.get("id")} if questions else {}) | a.to_dict()
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            _print_human(a)
