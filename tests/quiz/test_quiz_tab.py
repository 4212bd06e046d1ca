"""A trainer uses the app's Quiz tab: scope by document and section, a reason when a type gives nothing,
the difficulty's basis on each item, and a Moodle XML download."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest


@pytest.fixture
def services(legal_index, verifier, tmp_path):
    from ui.services import Services, quiz_tools

    return Services(settings=legal_index.settings, assistant=SimpleNamespace(verifier=verifier), index=legal_index,
                    ingest=lambda paths, progress=None: None, supported_suffixes=(".md",), quiz=quiz_tools())


@pytest.mark.unit
def test_the_quiz_tab_scopes_explains_and_exports_moodle_xml(services):
    import gradio as gr

    from ui.web import extra_tabs

    docs = extra_tabs._documents(services)
    assert docs and docs[0][1].endswith("sample-regulation.md")
    items = extra_tabs.generate(services, 4, "", ["mcq"], "", 0, [docs[0][1]], "Article 2; Article 3")
    assert items and {i.citation.section for i in items} <= {"Article 2", "Article 3"}
    shown = extra_tabs.quiz_html(items)
    assert shown.count("lx-quiz-item") == len(items) and "evidence" in shown  # the difficulty's basis
    reason = extra_tabs.why_not(services, 5, "", ["short_answer"], "", 0, [], "Article 6")
    assert reason.startswith("only 2 of 5: the statements in scope ran out")
    assert "moodle" in extra_tabs._formats(services)
    path = Path(extra_tabs.export(services, items, "moodle"))
    assert path.name.endswith(".moodle.xml") and ET.parse(path).getroot().tag == "quiz"
    with gr.Blocks():
        extra_tabs.quiz_tab(services)  # the tab builds with the scope controls


@pytest.mark.unit
def test_a_trainer_deletes_edits_and_regenerates_items_before_export(legal_index, verifier):
    from quiz import review
    from quiz.generator import QuizGenerator
    from quiz.records import QuizError

    gen = QuizGenerator(legal_index, verifier)
    items = gen.run(n=4, types=("mcq",), seed=3).items
    assert len(items) == 4
    fewer = review.delete(items, 2)
    assert [i.id for i in fewer] == [items[0].id, items[2].id, items[3].id]
    edited = review.edit(items, 1, explanation="Read the article again.")
    assert edited[0].explanation == "Read the article again." and edited[0].answer == items[0].answer
    with pytest.raises(QuizError, match="reword"):
        review.edit(items, 1, stem=f"Moreover, {items[0].answer} is the answer: which is it?")
    with pytest.raises(QuizError, match="no item 9"):
        review.delete(items, 9)
    again = review.regenerate(gen, items, 1, seed=3)
    assert len(again) == 4 and again[0].id != items[0].id and again[1:] == items[1:]
    assert again[0].citation.section == items[0].citation.section


def test_the_quiz_tab_offers_every_export_format_with_moodle_first():
    from quiz.export import FORMATS
    from ui.services import QuizTools

    offered = QuizTools(lambda *a, **kw: [], lambda items, fmt: b"").formats
    assert set(offered) == set(FORMATS) and offered[0] == "moodle"
