"""`lexcite ask`: one question, or a JSONL file of questions answered in one process."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from lexcite.errors import ConfigError, LexciteError, NoIndexError
from lexcite.registry import BACKENDS
from lexcite.text import is_text
from ui.cli.text import check_question, plural, snippet

COMMANDS = ("ask",)


def check_history(history: object, where: str) -> list[tuple[str, str]]:
    if history is None:
        return []
    if not isinstance(history, list) or not all(
            isinstance(t, list) and len(t) == 2 and all(is_text(x) for x in t) for t in history):
        raise ConfigError(f'{where}: "history" must be a list of [user, assistant] pairs of text, '
                          'e.g. [["What is X?", "X is …"]]')
    return [(t[0], t[1]) for t in history]


def read_questions(path: Path) -> list[dict]:
    """Lines `{"id": …, "question": …, "history": [[user, assistant], …]?}`; blank lines skipped.
    Every line needs its own id (a string or a whole number), so each answer line can be matched to it."""
    items = []
    seen: dict[object, int] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            lines = list(fh)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 JSONL") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg}); one object per line") from None
        if not isinstance(item, dict) or "question" not in item:
            raise ConfigError(f'{where}: needs a "question" field, e.g. {{"id": "q1", "question": "…"}}')
        check_question(item["question"], f'{where}: "question"')
        qid = item.get("id")
        if isinstance(qid, bool) or not (isinstance(qid, int) or (is_text(qid) and qid.strip())):
            raise ConfigError(f'{where}: needs an "id" (a string or a whole number) to match its answer line')
        if qid in seen:
            raise ConfigError(f"{where}: id {qid!r} is already used on line {seen[qid]}; give every line its own id")
        seen[qid] = n
        item["history"] = check_history(item.get("history"), where)
        items.append(item)
    if not items:
        raise ConfigError(f"{path} holds no questions; one JSON object per line")
    return items


def require_index(settings) -> None:
    """NoIndexError when the data directory holds no catalog (without creating anything there)."""
    data = Path(settings.data_dir)
    if data.exists() and not data.is_dir():
        raise ConfigError(f"the data directory {data} is a file, not a folder; point LEXCITE_DATA_DIR (or --data-dir) "
                          "at a folder")
    if not settings.catalog_path.is_file():
        raise NoIndexError(f"no index at {data}: run `lexcite ingest {settings.corpus_dir}/` first "
                           "(or point --data-dir / LEXCITE_DATA_DIR at an existing index)")


def os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): the audit log records null
        return None


def _print_human(a) -> None:
    click.echo(a.answer)
    for s in a.sentences:
        if not s.supported:
            click.echo(f"  (unverified: \"{snippet(s.text, 120)}\")")
    for c in a.citations:
        click.echo(f"  [{c.n}] {c.reference()} ({c.source}): \"{snippet(c.quote, 200)}\"")


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per answer (docs/CONTRACTS.md).")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "question", "history"?}; one answer line each, with its id.')
@click.option("--backend", default=None, help=f"{BACKENDS.help()} (LEXCITE_BACKEND).")
@click.option("--k", type=int, default=None, help="Passages retrieved per question (LEXCITE_K).")
@click.option("--export", "export_fmt", type=click.Choice(["md", "docx"]), default=None,
              help="Also write each answer as a record for a case file (question, answer, quotes with their "
                   "page, the document's sha256, extractor and chunker versions, time, backend, user).")
@click.option("--export-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for --export records (LEXCITE_EXPORT_DIR, default exports/).")
@click.pass_obj
def ask(obj, question, as_json, questions, backend, k, export_fmt, export_dir) -> None:
    """Answer QUESTION from the indexed documents, citing every sentence."""
    if not question and not questions:
        raise click.UsageError("give a QUESTION or --questions FILE.jsonl")
    if question and questions:
        raise click.UsageError("give either a QUESTION or --questions FILE.jsonl, not both")
    if export_dir is not None and not export_fmt:
        raise click.UsageError("--export-dir needs --export md or --export docx")
    settings = obj.settings.with_overrides(backend=backend, k=k, export_dir=export_dir)
    items = read_questions(questions) if questions else [{"question": check_question(question)}]
    require_index(settings)  # asking never creates a data directory
    assistant = obj.with_settings(settings).assistant
    assistant.index.require_nonempty()
    user = os_user()
    failed = 0
    exported: list[Path] = []
    for item in items:
        try:
            a = assistant.ask(item["question"], history=item.get("history") or [], user=user)
        except LexciteError as exc:
            if not questions:
                raise
            failed += 1  # one failing line (an LLM server down) does not end the batch: say why, go on
            click.echo(json.dumps({"id": item.get("id"), "question": item["question"], "status": "error",
                                   "error": str(exc)}, ensure_ascii=False))
            continue
        path = None
        if export_fmt:
            from ui.export import write_answer

            path = write_answer(a, assistant.index, export_fmt, settings.export_dir, user=user)
            exported.append(path)
        if as_json or questions:
            record = ({"id": item.get("id")} if questions else {}) | a.to_dict()
            if path is not None:
                record["export"] = str(path)  # added with the answer export (docs/CONTRACTS.md)
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            _print_human(a)
            if path is not None:
                click.echo(f"exported: {path}")
    if exported and (as_json or questions):
        click.echo(f"exported {plural(len(exported), 'answer record')} to {settings.export_dir}", err=True)
    if failed:
        click.echo(f"error: {failed} of {plural(len(items), 'question')} could not be answered (see their \"error\" "
                   "lines)", err=True)
        sys.exit(3)
