"""A streamed answer: the same Answer as `ask`, built in view (stages, then each sentence once verified)."""

from __future__ import annotations

import pytest

from tests.support.answering import STATUTE, assistant_over

QUESTION = "Within how many hours must an inspection be completed?"


@pytest.mark.integration
def test_an_extractive_answer_streams_sentence_by_sentence_and_ends_with_the_answer_ask_gives(settings, hash_embedder):
    from assistant.stream import Checked, Done, Stage, Token

    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE})
    events = list(a.stream(QUESTION))
    assert [e.name for e in events if isinstance(e, Stage)] == ["retrieving", "drafting", "verifying"]
    assert not any(isinstance(e, Token) for e in events)  # extractive quotes; nothing is generated
    checked = [e for e in events if isinstance(e, Checked)]
    done = events[-1]
    assert isinstance(done, Done) and checked
    kept = [c.sentence.text for c in checked if c.kept]
    assert kept and kept == [s.text for s in done.answer.sentences][-len(kept):]  # a lead may come first
    assert "48 hours" in done.answer.answer and done.answer.reason == ""
    assert done.answer.to_dict() | {"timings_ms": {}} == a.ask(QUESTION).to_dict() | {"timings_ms": {}}


@pytest.mark.integration
def test_a_refusal_streams_no_draft_only_the_refusal(settings, hash_embedder):
    from assistant.stream import Checked, Done, Stage

    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE})
    events = list(a.stream("Who won the football world cup in 1998?"))
    assert [type(e) for e in events] == [Stage, Done]
    assert events[-1].answer.status == "insufficient_evidence" and events[-1].answer.reason
    assert not any(isinstance(e, Checked) for e in events)


@pytest.mark.unit
def test_an_empty_question_is_refused_before_the_stream_starts(settings, hash_embedder):
    from assistant.service import Assistant
    from lexcite.errors import ConfigError

    with pytest.raises(ConfigError, match="question is empty"):
        Assistant.from_settings(settings, hash_embedder).stream("   ")
