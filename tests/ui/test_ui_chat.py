"""An officer asks questions in the Ask tab: streamed, cited, escaped, with follow-ups and feedback."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from lexcite.text.jsonl import read_jsonl
from tests.support.ui_fakes import FakeAssistant, PlainAssistant
from ui.web import handlers, render

pytestmark = pytest.mark.unit


def run_turn(services, question, messages=None, answers=None, backend=None):
    updates = list(handlers.respond(services, question, messages, answers, backend))
    return updates, updates[-1]


def test_an_answer_streams_sentence_by_sentence_and_every_sentence_carries_a_clickable_citation(ui_services):
    updates, last = run_turn(ui_services, "What must states do?")
    bubbles = [u.messages[-1]["content"] for u in updates]
    assert bubbles[0] == handlers.PENDING  # the question shows at once, then the answer builds up
    assert any("Checking each sentence" in b for b in bubbles[1:-1])  # the stage is shown while it runs
    one = [b for b in bubbles[1:-1] if b.count('class="lx-sent') == 1]
    assert one and "lx-cursor" in one[0] and "lx-verified" in one[0]  # the first sentence, checked, alone
    assert last.done and bubbles[-1].count('class="lx-sent') == 2 and "lx-cursor" not in bubbles[-1]
    assert 'lx-t0 lx-n1' in bubbles[-1] and 'lx-t0 lx-n2' in bubbles[-1]
    assert [m["role"] for m in last.messages] == ["user", "assistant"]
    assert len(last.answers) == 1


def test_unsupported_sentences_are_visibly_marked(ui_services):
    _, last = run_turn(ui_services, "What must states do?")
    html = last.messages[-1]["content"]
    marked = html.split('lx-unsupported')[1]
    assert "not verified" in marked and "I-24/7" in marked  # the second (unsupported) sentence is flagged
    assert "1 sentence not verified" in html


def test_document_text_is_escaped_everywhere_it_is_shown(ui_services):
    _, last = run_turn(ui_services, "What about <script>alert(1)</script>?")
    bubble = last.messages[-1]["content"]
    assert "<b>I-24/7</b>" not in bubble and "&lt;b&gt;I-24/7&lt;/b&gt;" in bubble
    assert "<script>" not in last.messages[0]["content"]
    panel = handlers.open_citation(last.answers, 0, 2)
    assert "<b>" not in panel and "&lt;b&gt;" in panel and "&amp; notices" in panel
    assert "Law &lt;2&gt;" in panel


def test_the_source_panel_shows_title_badge_page_section_and_highlights_the_quote(ui_services):
    _, last = run_turn(ui_services, "What must states do?")
    turn, n = handlers.parse_cite_target("0:1:1712345678")
    panel = handlers.open_citation(last.answers, turn, n)
    assert "Primary law" in panel and "Page 2" in panel and "Article 3" in panel and "Law &lt;1&gt;" in panel
    assert "<mark>States shall adopt measures against trafficking in human organs.</mark>" in panel
    assert "Article 3. " in panel  # the surrounding passage is shown too
    assert "Official guidance" in handlers.open_citation(last.answers, 0, 2)
    assert handlers.open_citation(last.answers, 5, 1) == render.PANEL_PLACEHOLDER
    assert handlers.parse_cite_target("garbage") is None


def test_a_quote_is_found_in_its_passage_despite_different_spacing():
    assert render.locate("a  long\nquote here", "long quote") == (3, 13)
    assert render.highlight("x < y and z", "y and") == "x &lt; <mark>y and</mark> z"
    assert render.locate("abc", "zzz") is None


def test_insufficient_evidence_looks_different_and_lists_the_closest_passages(ui_services):
    _, last = run_turn(ui_services, "something unknown")
    bubble = last.messages[-1]["content"]
    assert "lx-insufficient" in bubble and "No answer in the documents" in bubble
    assert "Closest passages" in bubble and 'lx-n1' in bubble and "lx-sent" not in bubble
    assert "Secondary source" in handlers.open_citation(last.answers, 0, 1)


def test_a_follow_up_question_is_asked_with_the_conversation_so_far(ui_services, fake_assistant):
    _, first = run_turn(ui_services, "What must states do?")
    _, second = run_turn(ui_services, "And the police?", first.messages, first.answers)
    assert fake_assistant.calls[0]["history"] == []
    assert fake_assistant.calls[1]["history"] == [("What must states do?", first.answers[0].answer)]
    assert len(second.answers) == 2 and len(second.messages) == 4
    assert 'lx-t1 ' in second.messages[-1]["content"]


def test_an_empty_question_is_refused_with_a_readable_message(ui_services):
    with pytest.raises(gr.Error, match="Type a question"):
        next(handlers.respond(ui_services, "   ", [], [], None))
    with pytest.raises(gr.Error, match="under"):
        next(handlers.respond(ui_services, "x" * (handlers.MAX_QUESTION + 1), [], [], None))


def test_a_crash_shows_a_short_message_not_a_traceback_and_keeps_the_conversation(ui_services):
    _, first = run_turn(ui_services, "What must states do?")
    _, crashed = run_turn(ui_services, "boom", first.messages, first.answers)
    bubble = crashed.messages[-1]["content"]
    assert "Something went wrong" in bubble and "internal detail" not in bubble and "Traceback" not in bubble
    assert len(crashed.answers) == 1  # the earlier answer is still there; links keep pointing at it
    _, after = run_turn(ui_services, "Still there?", crashed.messages, crashed.answers)
    assert 'lx-t1 ' in after.messages[-1]["content"]


def test_an_empty_library_says_how_to_add_documents(ui_services):
    ui_services.assistant = FakeAssistant(empty=True)
    _, last = run_turn(ui_services, "anything")
    bubble = last.messages[-1]["content"]
    assert "Library" in bubble and "lexcite ingest" in bubble and not last.answers


def test_the_backend_picker_lists_configured_backends_and_passes_the_choice(ui_services):
    ui_services.assistant = FakeAssistant(backends=["extractive", "ollama"])
    assert handlers.backend_choices(ui_services) == ["extractive", "ollama"]
    _, last = run_turn(ui_services, "What must states do?", backend="ollama")
    assert ui_services.assistant.calls[-1]["backend"] == "ollama" and "ollama" in last.messages[-1]["content"]
    run_turn(ui_services, "What must states do?", backend="extractive")
    assert ui_services.assistant.calls[-1]["backend"] is None  # the default stays the assistant's choice


def test_the_picker_starts_on_the_configured_backend(ui_services):
    ui_services.settings = ui_services.settings.with_overrides(backend="ollama")
    ui_services.assistant = FakeAssistant(backends=["extractive", "ollama"])
    assert handlers.backend_choices(ui_services) == ["ollama", "extractive"]  # the dropdown's value is the first


def test_without_available_backends_only_the_configured_backend_is_offered(ui_services):
    ui_services.assistant = PlainAssistant()
    assert handlers.backend_choices(ui_services) == [ui_services.settings.backend]


def test_feedback_is_appended_per_answer_with_the_wrong_citation_and_comment(ui_services):
    _, first = run_turn(ui_services, "What must states do?")
    _, second = run_turn(ui_services, "And the police?", first.messages, first.answers)
    handlers.submit_feedback(ui_services, second.answers, 0, "helpful", "", None, "officer1")
    msg = handlers.submit_feedback(ui_services, second.answers, 1, "citation_wrong", "  [2] is off  ", 2, "officer2")
    assert "citation [2]" in msg
    lines = list(read_jsonl(ui_services.settings.feedback_path))
    assert [(x["rating"], x["question"], x["user"]) for x in lines] == [
        ("helpful", "What must states do?", "officer1"), ("citation_wrong", "And the police?", "officer2")]
    assert lines[1]["citation_n"] == 2 and lines[1]["comment"] == "[2] is off"
    assert lines[1]["citations"][1]["chunk_id"] == "chunk-2" and lines[0]["citation_n"] is None
    with pytest.raises(gr.Error):
        handlers.submit_feedback(ui_services, [], None, "helpful", "", None)
    with pytest.raises(gr.Error):
        handlers.submit_feedback(ui_services, second.answers, 0, None, "", None)
    assert len(list(read_jsonl(ui_services.settings.feedback_path))) == 2


def test_the_api_returns_the_design_answer_object(ui_services, fake_assistant):
    out = handlers.api_ask(ui_services, "What must states do?", [["earlier q", "earlier a"]], "")
    assert json.loads(json.dumps(out))["status"] == "answered"
    assert {"question", "answer", "sentences", "citations", "backend", "timings_ms"} <= set(out)
    assert out["citations"][0]["n"] == 1 and fake_assistant.calls[-1]["history"] == [("earlier q", "earlier a")]
    with pytest.raises(gr.Error, match="pairs"):
        handlers.api_ask(ui_services, "q", [["only one"]])
    with pytest.raises(gr.Error, match="server log"):
        handlers.api_ask(ui_services, "boom")


@pytest.mark.parametrize("question, history, says", [
    ("consent\ud800?", [], "not valid text"), ("consent?", "nope", "history must be a list"),
    ("consent?", [["q", 5]], "pairs of text"), (5, [], "must be text"),
])
def test_the_ask_api_refuses_broken_text_and_history_plainly(ui_services, question, history, says):
    with pytest.raises(gr.Error, match=says):
        handlers.api_ask(ui_services, question, history)
    assert ui_services.assistant.calls == []
