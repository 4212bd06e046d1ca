"""`lexcite quiz`: grounded quiz items with answer keys and citations, exported to LMS formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lexcite.registry import BACKENDS
from ui.cli.text import plural

COMMANDS = ("quiz",)


@click.command()
@click.option("--n", "n", type=int, default=10, show_default=True, help="Number of items.")
@click.option("--topic", default=None, help="Only ask about passages on this topic.")
@click.option("--types", default="mcq,true_false,short_answer", show_default=True,
              help="Comma-separated item types: mcq, true_false, short_answer.")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), default=None)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same quiz.")
@click.option("--format", "fmt", type=click.Choice(["json", "gift", "aiken", "csv", "md", "qti", "moodle"]),
              default=None, help="Export format (default: a readable listing). moodle = Moodle XML.")
@click.option("--document", "documents", multiple=True,
              help="Only this document (file name or title, part of it is enough); repeatable.")
@click.option("--section", "sections", multiple=True,
              help="Only this section, e.g. 'Article 21' (holds 'Article 21(1)–(2)', not 'Article 2'); repeatable.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to FILE instead of stdout.")
@click.option("--backend", type=click.Choice(BACKENDS.names), default="extractive",
              show_default=True, help="extractive: offline, no LLM; otherwise the LLM drafts and the verifier checks.")
@click.option("--stats", is_flag=True, help="Print generation statistics (gate rejections, time) to stderr.")
@click.pass_obj
def quiz(obj, n, topic, types, difficulty, seed, fmt, documents, sections, output, backend, stats) -> None:
    """Quiz items from the indexed documents; every answer cites the passage that proves it."""
    from quiz.export import export_report
    from quiz.generator import QuizGenerator

    if fmt == "qti" and not output:
        raise click.UsageError("--format qti writes a zip package: give -o FILE.zip")
    # the assistant owns the chat model; it shares the runtime's index and verifier
    chat_model = obj.assistant.chat_model(backend) if backend != "extractive" else None
    index, verifier = obj.index, obj.verifier
    index.require_nonempty()
    run = QuizGenerator(index, verifier, obj.embedder).run(
        n=n, topic=topic, types=types.split(","), difficulty=difficulty, seed=seed, chat_model=chat_model,
        documents=documents, sections=sections)
    if stats:
        click.echo(f"quiz stats: {run.summary()}", err=True)
    if stats or len(run.items) < n:
        for line in run.unbuilt():  # why a requested type could not be built
            click.echo(f"why: {line}", err=True)
    if not run.items:
        click.echo("no item passed the quality gates: try another --topic, more --types or no --difficulty", err=True)
    if len(run.items) < n:
        click.echo(f"only {len(run.items)} of {plural(n, 'item')} passed the quality gates", err=True)
    carried = len(run.items)
    if fmt:
        exported = export_report(run.items, fmt)
        carried = exported.carried
        data = exported.data
        if exported.skipped:
            click.echo(f"note: {fmt} could not carry {len(exported.skipped)} of {plural(len(run.items), 'item')} "
                       f"(short-answer items were left out):", err=True)
            for line in exported.notes():
                click.echo(f"  {line}", err=True)
    else:
        data = listing(run.items).encode("utf-8")
    if output:
        Path(output).write_bytes(data)
        left = f" ({len(run.items) - carried} left out, see above)" if carried < len(run.items) else ""
        click.echo(f"wrote {plural(carried, 'item')} to {output}{left}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def listing(items) -> str:
    """A readable listing for people: question, options, answer, and where the answer is proven."""
    from quiz.export import LETTERS, where

    out = []
    for k, it in enumerate(items, 1):
        out.append(f"{k}. [{it.type}, {it.difficulty}] {it.stem}")
        for j, o in enumerate(it.options):
            mark = "*" if o == it.answer else " "
            out.append(f"   {mark} {LETTERS[j]}. {o}")
        if it.type != "mcq":
            out.append(f"   answer: {it.answer}")
        out.append(f"   source: {where(it)}")
        out.append(f"   quote:  \"{it.citation.quote}\"")
        out.append(f"   why:    {it.explanation}")
        out.append(f"   level:  {it.difficulty_reason}")
        out.append("")
    return "\n".join(out)
