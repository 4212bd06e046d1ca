"""`lexcite ask`."""

from __future__ import annotations

import json

import click

COMMANDS = ("ask",)


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (DESIGN.md contract).")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False), help="JSONL file of {id, question}.")
@click.option("--backend", default=None, help="extractive | openai | ollama | local")
@click.option("--k", type=int, default=None, help="Passages to retrieve.")
@click.pass_obj
def ask(obj, question, as_json, questions, backend, k) -> None:
    """Answer QUESTION from the indexed documents, citing every sentence."""
    from assistant.service import Assistant

    if not question and not questions:
        raise click.UsageError("give a QUESTION or --questions FILE.jsonl")
    settings = obj.settings.with_overrides(backend=backend, k=k)
    assistant = Assistant.from_settings(settings, obj.embedder)
    if questions:
        with open(questions, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    item = json.loads(line)
                    a = assistant.ask(item["question"])
                    click.echo(json.dumps({"id": item.get("id"), **a.to_dict()}))
        return
    a = assistant.ask(question)
    if as_json:
        click.echo(json.dumps(a.to_dict()))
        return
    click.echo(a.answer)
    for c in a.citations:
        where = ", ".join(x for x in (c.source, f"p. {c.page}" if c.page else "", c.section) if x)
        click.echo(f"  [{c.n}] {where}: \"{c.quote[:160]}\"")
