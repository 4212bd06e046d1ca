"""`export_items(items, fmt) -> bytes` for json | gift | aiken | csv | md | qti (a zip package) | moodle.

`export_report(items, fmt) -> Export` is the same with the items the format could not carry and why:
Aiken has multiple choice only, so true/false is written as a two-option question and short-answer
items are left out (and listed). Every other format carries every item.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from quiz.records import QuizError, QuizItem

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("json", "gift", "aiken", "csv", "md", "qti", "moodle")
EXTENSIONS = {"qti": "zip", "gift": "gift.txt", "aiken": "aiken.txt", "moodle": "moodle.xml"}
LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class Export:
    """The exported bytes, and (item id, reason) for every item the format could not carry."""

    data: bytes
    fmt: str
    carried: int
    skipped: tuple[tuple[str, str], ...] = ()

    def notes(self) -> list[str]:
        """One line per left-out item, for the CLI and the app."""
        return [f"{self.fmt}: left out item {i}: {why}" for i, why in self.skipped]


def cannot_carry(item: QuizItem, fmt: str) -> str | None:
    """Why `fmt` cannot hold `item`, or None."""
    if fmt == "aiken" and item.type == "short_answer":
        return "Aiken holds multiple choice only (short-answer items have no options)"
    if fmt == "aiken" and len(item.options) > len(LETTERS):
        return f"Aiken letters run to {LETTERS[-1]}: more than {len(LETTERS)} options"
    return None


def export_report(items: Sequence[QuizItem], fmt: str) -> Export:
    skipped = tuple((i.id, why) for i in items if (why := cannot_carry(i, fmt)))
    data = export_items(items, fmt)
    return Export(data, fmt, len(items) - len(skipped), skipped)


def export_items(items: Sequence[QuizItem], fmt: str) -> bytes:
    writers: dict[str, Callable[[Sequence[QuizItem]], bytes]] = {
        "json": to_json, "gift": to_gift, "aiken": to_aiken, "csv": to_csv, "md": to_markdown, "qti": _qti,
        "moodle": _moodle,
    }
    if fmt not in writers:
        raise QuizError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writers[fmt](items)


def _moodle(items: Sequence[QuizItem]) -> bytes:
    from quiz.moodle import to_moodle_xml

    return to_moodle_xml(items)


def _qti(items: Sequence[QuizItem]) -> bytes:
    from quiz.qti import to_qti_package

    return to_qti_package(items)


def where(item: QuizItem) -> str:
    c = item.citation
    parts = [c.title or c.source] + ([c.section] if c.section else []) + ([f"p. {c.page}"] if c.page else [])
    return ", ".join(parts)


def one_line(text: str) -> str:
    return " ".join(text.split())


# ---- JSON (docs/CONTRACTS.md) ----------------------------------------------------------------
def to_json(items: Sequence[QuizItem]) -> bytes:
    return (json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---- Moodle GIFT --------------------------------------------------------------------------------
_GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    """Backslash-escape GIFT's special characters (the backslash first); newlines become \\n."""
    out = []
    for ch in one_line(text):
        out.append("\\" + ch if ch in _GIFT_SPECIAL else ch)
    return "".join(out)


def to_gift(items: Sequence[QuizItem]) -> bytes:
    blocks = []
    for n, it in enumerate(items, 1):
        title = gift_escape(f"Q{n} {it.id}")
        feedback = "####" + gift_escape(it.explanation) if it.explanation else ""
        head = (f"// {one_line(it.type)} | {one_line(it.difficulty)} | {one_line(it.topic)} | "
                f"{one_line(where(it))} | chunk {it.citation.chunk_id}")
        if it.type == "mcq":
            opts = "\n".join(("=" if o == it.answer else "~") + gift_escape(o) for o in it.options)
            body = f"::{title}::{gift_escape(it.stem)} {{\n{opts}\n{feedback}\n}}"
        elif it.type == "true_false":
            body = f"::{title}::{gift_escape(it.stem)} {{{'TRUE' if it.answer == 'true' else 'FALSE'}{feedback}}}"
        else:
            body = f"::{title}::{gift_escape(it.stem)} {{={gift_escape(it.answer)}{feedback}}}"
        blocks.append(head + "\n" + body)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


# ---- Aiken --------------------------------------------------------------------------------------
def aiken_items(items: Sequence[QuizItem]) -> list[QuizItem]:
    """The items Aiken can hold (multiple choice and true/false)."""
    return [i for i in items if i.type in ("mcq", "true_false")]


def to_aiken(items: Sequence[QuizItem]) -> bytes:
    blocks = []
    skipped = 0
    for it in items:
        if cannot_carry(it, "aiken"):
            skipped += 1
            continue
        if it.type == "mcq":
            options = list(it.options)
        else:
            options = ["True", "False"]
        key = it.answer if it.type == "mcq" else it.answer.capitalize()
        lines = [one_line(it.stem)]
        lines += [f"{LETTERS[k]}. {one_line(o)}" for k, o in enumerate(options)]
        lines.append(f"ANSWER: {LETTERS[options.index(key)]}")
        blocks.append("\n".join(lines))
    if skipped:  # export_report lists them by id, with the reason
        log.info("Aiken holds multiple choice only: left out %d short-answer item(s)", skipped)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


# ---- CSV ----------------------------------------------------------------------------------------
def csv_columns(items: Sequence[QuizItem]) -> list[str]:
    n_opt = max([4] + [len(i.options) for i in items])
    return (["id", "type", "stem"] + [f"option_{LETTERS[k].lower()}" for k in range(n_opt)]
            + ["answer", "explanation", "difficulty", "topic", "source", "title", "page", "section", "chunk_id",
               "quote"])


def to_csv(items: Sequence[QuizItem]) -> bytes:
    cols = csv_columns(items)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n")
    w.writeheader()
    n_opt = sum(c.startswith("option_") for c in cols)
    for it in items:
        row = {"id": it.id, "type": it.type, "stem": it.stem, "answer": it.answer, "explanation": it.explanation,
               "difficulty": it.difficulty, "topic": it.topic, "source": it.citation.source,
               "title": it.citation.title, "page": "" if it.citation.page is None else it.citation.page,
               "section": it.citation.section, "chunk_id": it.citation.chunk_id, "quote": it.citation.quote}
        for k in range(n_opt):
            row[f"option_{LETTERS[k].lower()}"] = it.options[k] if k < len(it.options) else ""
        w.writerow(row)
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


# ---- Markdown (printable; answer key at the end) -------------------------------------------------
def to_markdown(items: Sequence[QuizItem]) -> bytes:
    sources = sorted({i.citation.source for i in items})
    out = ["# Quiz", "", f"{len(items)} questions from {len(sources)} document(s). Answer key at the end.", ""]
    for n, it in enumerate(items, 1):
        out.append(f"## Question {n}")
        out.append("")
        out.append(one_line(it.stem))
        out.append("")
        if it.type == "mcq":
            out += [f"- {LETTERS[k]}. {one_line(o)}" for k, o in enumerate(it.options)]
        elif it.type == "true_false":
            out += ["- True", "- False"]
        else:
            out.append("Answer: ______________________________")
        out.append("")
    out += ["---", "", "## Answer key", ""]
    for n, it in enumerate(items, 1):
        if it.type == "mcq":
            key = f"{LETTERS[it.options.index(it.answer)]}. {one_line(it.answer)}"
        elif it.type == "true_false":
            key = it.answer.capitalize()
        else:
            key = one_line(it.answer)
        out.append(f"{n}. **{key}** — {one_line(it.explanation)} (Source: {one_line(where(it))}; "
                   f"chunk `{it.citation.chunk_id}`)")
        if one_line(it.citation.quote).rstrip(".") not in one_line(it.explanation):  # never the quote twice
            out.append(f"   - Quote: “{one_line(it.citation.quote)}”")
        out.append(f"   - Difficulty: {one_line(it.difficulty_reason)}")
    return ("\n".join(out) + "\n").encode("utf-8")
