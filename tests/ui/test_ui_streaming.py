"""An answer shows as it is made, a refusal says why, Stop says what happened, and a thumb is recorded."""

from __future__ import annotations

import pytest

from assistant.policy import REFUSAL_TEXT, Verdict
from assistant.records import Answer
from lexcite.text.jsonl import read_jsonl
from tests.support.ui_fakes import FakeAssistant
from ui.web import handlers, reasons, render
from ui.web.inline import Invalid

pytestmark = pytest.mark.unit


def bubbles(services, question, backend=None):
    return [u.messages[-1]["content"] for u in handlers.respond(services, question, [], [], backend)]


def test_an_llm_backend_shows_its_draft_as_it_is_written_then_each_checked_sentence(ui_services):
    ui_services.assistant = FakeAssistant(backends=["extractive", "ollama"])
    shown = bubbles(ui_services, "What must states do?", backend="ollama")
    drafting = [b for b in shown if "Writing a draft with ollama" in b]
    assert len(drafting) > 3 and "lx-draft" in drafting[-1]  # one update per token, the draft greyed
    assert "words so far" in drafting[-1] and "States shall adopt" in drafting[-1]
    checking = [b for b in shown if "lx-verified" in b and "lx-cursor" in b]
    assert checking and "lx-draft" not in checking[0]  # verified sentences replace the unchecked draft
    assert "lx-a0" in shown[-1] and "ollama" in shown[-1]


def test_an_extractive_answer_never_shows_a_draft(ui_services):
    assert not any("lx-draft" in b or "Writing a draft" in b for b in bubbles(ui_services, "What must states do?"))


def test_an_empty_question_is_an_inline_hint_not_an_error_block(ui_services):
    with pytest.raises(Invalid, match="Type a question first"):
        next(handlers.respond(ui_services, "  ", [], [], None))
    with pytest.raises(Invalid, match="Choose helpful"):
        handlers.submit_feedback(ui_services, [Answer("q", "answered", "a")], 0, None, "", None)


@pytest.mark.parametrize("verdict, kind", [
    (Verdict("no_passages"), reasons.NOTHING_MATCHED), (Verdict("low_relevance"), reasons.NOTHING_MATCHED),
    (Verdict("absent_terms", "“quux”"), reasons.SILENT), (Verdict("focus", "“quux”"), reasons.SILENT),
    (Verdict("unsupported", "3"), reasons.FAILED_VERIFICATION),
])
def test_a_refusal_says_whether_nothing_matched_the_documents_are_silent_or_a_draft_failed(verdict, kind):
    answer = Answer("q", "insufficient_evidence", f"{REFUSAL_TEXT} {verdict.message()}")
    why = reasons.explain(answer)
    assert why.kind == kind
    html = render.answer_html(answer, 0)
    assert reasons.HEADS[kind] in html
    if kind == reasons.FAILED_VERIFICATION:  # the documents matched: "do not contain enough" would mislead
        assert not why.text.startswith(REFUSAL_TEXT) and "could not be verified" in why.text


def test_stop_marks_the_unfinished_answer_and_leaves_finished_ones(ui_services):
    *_, done = handlers.respond(ui_services, "What must states do?", [], [], None)
    pending = done.messages + [{"role": "user", "content": "next"},
                               {"role": "assistant", "content": handlers.PENDING}]
    after = handlers.stopped_messages(pending)
    assert "Stopped" in after[-1]["content"] and after[1] == done.messages[1]
    assert handlers.stopped_messages(done.messages) == done.messages  # a finished answer is not touched


def test_a_thumb_under_an_answer_is_recorded_for_that_answer(ui_services):
    *_, first = handlers.respond(ui_services, "What must states do?", [], [], None)
    *_, second = handlers.respond(ui_services, "And the police?", first.messages, first.answers, None)
    bubble = second.messages[1]["content"]  # the first answer's bubble
    assert handlers.thumb_feedback(ui_services, second.answers, bubble, False, "officer").startswith("Thank you")
    assert handlers.thumb_feedback(ui_services, second.answers, handlers.PENDING, True) == ""
    assert handlers.thumb_feedback(ui_services, second.answers, bubble, None) == ""  # a thumb taken back
    saved = list(read_jsonl(ui_services.settings.feedback_path))
    assert [(x["rating"], x["question"], x["user"]) for x in saved] == [
        ("not_helpful", "What must states do?", "officer")]
