"""The Quiz (trainers) and Evaluate (maintainers) tabs. Built only when their tools are present; the
Evaluate tab lives in eval_view."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import gradio as gr

from lexcite.errors import LexciteError
from ui.web import render
from ui.services import Services, verifier_of

log = logging.getLogger(__name__)

QUIZ_TYPES = [("Multiple choice", "mcq"), ("True / false", "true_false"), ("Short answer", "short_answer")]
MAX_QUIZ_ITEMS = 50


# ---- quiz ----------------------------------------------------------------------------------------
def generate(services: Services, n: int, topic: str, types: Sequence[str], difficulty: str, seed: int,
             documents: Sequence[str] = (), sections: str = "") -> list:
    if services.quiz is None:
        raise gr.Error("The quiz generator is not installed on this server.")
    if not types:
        raise gr.Error("Pick at least one question type.")
    n = int(n or 0)
    if not 1 <= n <= MAX_QUIZ_ITEMS:
        raise gr.Error(f"Ask for between 1 and {MAX_QUIZ_ITEMS} questions.")
    verifier = verifier_of(services.assistant)
    scope = {}
    if documents or (sections or "").strip():  # only then: a stub generator without scope keeps working
        scope = {"documents": tuple(documents or ()),
                 "sections": tuple(s.strip() for s in (sections or "").split(";") if s.strip())}
    try:
        return list(services.quiz.generate(
            services.index, verifier, n=n, topic=(topic or "").strip() or None, types=tuple(types),
            difficulty=difficulty or None, seed=int(seed or 0), **scope,
        ))
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("quiz generation failed")
        raise gr.Error("Generating the quiz failed; the details are in the server log.") from None


def why_not(services: Services, n: int, topic: str, types: Sequence[str], difficulty: str, seed: int,
            documents: Sequence[str] = (), sections: str = "") -> str:
    """Why the requested types gave fewer items than asked (the generator's reasons), in words."""
    try:
        from quiz.generator import QuizGenerator

        run = QuizGenerator(services.index, verifier_of(services.assistant)).run(
            n=int(n or 1), topic=(topic or "").strip() or None, types=tuple(types), difficulty=difficulty or None,
            seed=int(seed or 0), documents=tuple(documents or ()),
            sections=tuple(s.strip() for s in (sections or "").split(";") if s.strip()))
    except Exception as exc:  # the reasons are a help, never a second failure
        return str(exc)
    return "; ".join(run.unbuilt())


def _item_dict(item: Any) -> dict:
    return item.to_dict() if hasattr(item, "to_dict") else dict(item)


def quiz_html(items: Sequence[Any]) -> str:
    if not items:
        return '<div class="lx-source lx-empty">No questions yet. Choose options and press Generate.</div>'
    out = []
    for i, item in enumerate(items, 1):
        d = _item_dict(item)
        answer = str(d.get("answer", ""))
        opts = ""
        if d.get("options"):
            opts = "<ol type='A'>" + "".join(
                f"<li class='{'lx-correct' if o == answer else ''}'>{render.esc(o)}</li>" for o in d["options"]
            ) + "</ol>"
        cit = d.get("citation") or {}
        where = " · ".join(str(x) for x in (cit.get("title") or cit.get("source"),
                                            f"p. {cit['page']}" if cit.get("page") else "", cit.get("section")) if x)
        level = d.get("difficulty_reason") or d.get("difficulty", "")
        out.append(
            f"<div class='lx-quiz-item'><div><b>{i}.</b> <span class='lx-badge lx-badge-other'>"
            f"{render.esc(d.get('type', ''))}</span> <span class='lx-badge lx-badge-secondary'>"
            f"{render.esc(level)}</span></div><p>{render.esc(d.get('stem', ''))}</p>{opts}"
            f"<div>Answer: <span class='lx-correct'>{render.esc(answer)}</span></div>"
            f"<div class='lx-meta'>{render.esc(d.get('explanation', ''))}</div>"
            + (f"<blockquote class='lx-passage'>{render.esc(cit.get('quote', ''))}</blockquote>"
               if " ".join(str(cit.get("quote", "")).split()).rstrip(".") not in " ".join(
                   str(d.get("explanation", "")).split()) else "") +
            f"<div class='lx-meta'>{render.esc(where)}</div></div>"
        )
    return "".join(out)


def export(services: Services, items: Sequence[Any], fmt: str) -> str:
    if services.quiz is None or not items:
        raise gr.Error("Generate a quiz first.")
    if fmt not in _formats(services):
        raise gr.Error(f"Choose one of {', '.join(_formats(services))}.")
    try:
        data = services.quiz.export(list(items), fmt)
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    try:
        from quiz.export import cannot_carry

        left_out = [why for it in items if hasattr(it, "type") and (why := cannot_carry(it, fmt))]
        if left_out:
            gr.Warning(f"{fmt}: {len(left_out)} of {len(items)} items left out — {left_out[0]}.")
    except ImportError:
        pass
    ext = {"qti": "zip", "gift": "gift.txt", "aiken": "aiken.txt", "moodle": "moodle.xml"}.get(fmt, fmt)
    out = Path(tempfile.mkdtemp(prefix="lexcite-quiz-")) / f"quiz-{time.strftime('%Y%m%d-%H%M%S')}.{ext}"
    out.write_bytes(data if isinstance(data, bytes) else str(data).encode("utf-8"))
    return str(out)


def _formats(services: Services) -> tuple[str, ...]:
    return tuple(services.quiz.formats) if services.quiz else ()


def _documents(services: Services) -> list:
    try:
        return [(d.title or d.source, d.source) for d in services.index.documents()]
    except Exception:  # a stub index: no scope choice
        return []


def quiz_tab(services: Services) -> None:
    items = gr.State([])
    with gr.Row():
        n = gr.Slider(1, MAX_QUIZ_ITEMS, value=10, step=1, label="Questions")
        topic = gr.Textbox(label="Topic (optional)", placeholder="leave empty for the whole library")
        difficulty = gr.Dropdown([("Any", ""), ("Easy", "easy"), ("Medium", "medium"), ("Hard", "hard")],
                                 value="", label="Difficulty")
        seed = gr.Number(0, precision=0, label="Seed")
    types = gr.CheckboxGroup(QUIZ_TYPES, value=[v for _, v in QUIZ_TYPES], label="Question types")
    with gr.Row():
        documents = gr.Dropdown(_documents(services), value=[], multiselect=True,
                                label="Documents (optional)", info="leave empty for every document")
        sections = gr.Textbox(label="Sections (optional)", placeholder="e.g. Article 21; Article 22")
    go = gr.Button("Generate quiz", variant="primary")
    shown = gr.HTML(quiz_html([]))
    with gr.Accordion("Review an item before export", open=False):
        with gr.Row():
            pick = gr.Number(1, precision=0, label="Item number")
            new_stem = gr.Textbox(label="New question text (optional)")
            new_expl = gr.Textbox(label="New explanation (optional)")
        with gr.Row():
            save_btn = gr.Button("Save edit")
            regen_btn = gr.Button("Regenerate item")
            delete_btn = gr.Button("Delete item", variant="stop")
    with gr.Row():
        fmt = gr.Dropdown(list(_formats(services)), value="moodle" if "moodle" in _formats(services) else "gift",
                          label="Export format")
        export_btn = gr.Button("Export")
        file = gr.File(label="Download", interactive=False)

    def on_generate(n_, topic_, types_, difficulty_, seed_, documents_, sections_):
        got = generate(services, n_, topic_, types_, difficulty_, seed_, documents_, sections_)
        built = {getattr(i, "type", "") for i in got}
        if not got or len(got) < int(n_ or 0) or not set(types_) <= built:
            reasons = why_not(services, n_, topic_, types_, difficulty_, seed_, documents_, sections_)
            head = "No questions could be built" if not got else f"{len(got)} questions built"
            gr.Warning(f"{head} for these options. {reasons}" if reasons else head + " for these options.")
        return got, quiz_html(got)

    go.click(on_generate, [n, topic, types, difficulty, seed, documents, sections], [items, shown],
             api_visibility="private", concurrency_id="answer")

    def on_review(action, its, k, stem_, expl_, seed_):
        from quiz import review

        try:
            if action == "delete":
                got = review.delete(its, k)
            elif action == "edit":
                got = review.edit(its, k, stem_, expl_)
            else:
                from quiz.generator import QuizGenerator

                gen = QuizGenerator(services.index, verifier_of(services.assistant))
                got = review.regenerate(gen, its, k, int(seed_ or 0))
        except LexciteError as exc:
            raise gr.Error(str(exc)) from None
        return got, quiz_html(got)

    for btn, action in ((save_btn, "edit"), (regen_btn, "regenerate"), (delete_btn, "delete")):
        btn.click(lambda its, k, st, ex, sd, a=action: on_review(a, its, k, st, ex, sd),
                  [items, pick, new_stem, new_expl, seed], [items, shown], api_visibility="private",
                  concurrency_id="answer")
    export_btn.click(lambda its, f: export(services, its, f), [items, fmt], file, api_visibility="private")


# ---- evaluate: ui/web/eval_view.py (re-exported here, where the app and the tests look for the tabs)
from ui.web.eval_view import EvalView, eval_tab, golden_allowed, run_eval  # noqa: E402

__all__ = ["quiz_tab", "generate", "why_not", "quiz_html", "export", "EvalView", "eval_tab", "golden_allowed",
           "run_eval"]
