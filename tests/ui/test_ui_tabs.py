"""Trainers and maintainers see Quiz and Evaluate tabs only when those tools are installed."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest

from ui.web.app import build_app


def tab_labels(demo: gr.Blocks) -> list[str]:
    return [b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)]


def api_names(demo: gr.Blocks) -> list[str]:
    return [fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"]


@pytest.mark.unit
def test_without_quiz_and_eval_tools_their_tabs_are_hidden_not_stubbed(ui_services):
    demo = build_app(ui_services)
    assert tab_labels(demo) == ["Ask", "Library"]
    assert api_names(demo) == ["ask"]  # one public endpoint, for asking


@pytest.mark.unit
def test_with_quiz_and_eval_tools_their_tabs_appear(ui_services):
    from ui.services import EvalTools, QuizTools

    ui_services.quiz = QuizTools(lambda *a, **kw: [], lambda items, fmt: b"")
    ui_services.evaluate = EvalTools(lambda *a, **kw: None)
    assert tab_labels(build_app(ui_services)) == ["Ask", "Library", "Quiz", "Evaluate"]


@pytest.fixture(scope="module")
def live_services(shipped_index, real_embedder):
    from ui.services import services_from_settings

    return services_from_settings(shipped_index, real_embedder)


@pytest.mark.integration
def test_a_trainer_generates_a_cited_quiz_and_exports_it(live_services):
    from ui.web import extra_tabs

    if live_services.quiz is None:
        pytest.skip("quiz.generator / quiz.export are not importable in this checkout")
    items = extra_tabs.generate(live_services, 3, "", ["mcq", "true_false"], "", 0)
    assert items, "the shipped corpus should yield quiz items"
    shown = extra_tabs.quiz_html(items)
    assert shown.count("lx-quiz-item") == len(items) and "Answer:" in shown
    path = Path(extra_tabs.export(live_services, items, "json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data) == len(items) and all(d["citation"]["quote"] for d in data)
    with pytest.raises(gr.Error):
        extra_tabs.generate(live_services, 3, "", [], "", 0)


@pytest.mark.integration
def test_a_maintainer_runs_the_answer_eval_on_a_small_golden_set(live_services, tmp_path):
    from ui.web import extra_tabs

    if live_services.evaluate is None:
        pytest.skip("eval.answers is not importable in this checkout")
    default = live_services.evaluate.default_golden
    assert default is not None and default.is_file()
    small = Path(live_services.settings.data_dir) / "golden-sets" / f"{tmp_path.name}.jsonl"  # evals read the data dir
    small.parent.mkdir(exist_ok=True)
    small.write_text("\n".join(default.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    view = extra_tabs.run_eval(live_services, str(small))
    assert "gates" in view.summary.lower() and view.report_html.endswith("report.html")
    labels = [r[0] for r in view.rows]
    assert "Citation precision" in labels and not any("_" in x for x in labels)  # readable names, each once
    assert len(labels) == len(set(labels)) and view.plots_html.count("<img") == 3
    with pytest.raises(gr.Error, match="golden"):
        extra_tabs.run_eval(live_services, "/etc/passwd")
