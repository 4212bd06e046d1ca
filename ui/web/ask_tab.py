"""The Ask tab: the first screen (library summary, example questions), the chat with its thumbs, Stop and
Export, the sources panel with each document's note, and feedback.

A question is never lost: pressing Enter while an answer is being written leaves the new question in the
box and asks it as soon as the answer is finished (Gradio's `always_last` on the one ask event; the box is
cleared in the browser only when its question is sent).
"""

from __future__ import annotations

import gradio as gr

from ui.web import handlers, render
from ui.web.details import SourceNotes
from ui.web.feedback import RATINGS
from ui.web.inline import Invalid, hint
from ui.web.welcome import N_EXAMPLES, WelcomeCache
from ui.services import Services

ANSWER_CONCURRENCY = 2  # answers computed at once (the model shares the machine's cores)
STREAM_DELAY_S = 0.04  # pause between streamed sentences, so the answer visibly builds up

# Runs in the browser when the ask event is sent: the box is emptied for the next question, while the
# question itself (already read) goes to the server.
CLEAR_BOX_JS = """
(q, messages, state, backend) => {
  const box = document.querySelector('#lx-question textarea');
  if (box) { box.value = ''; box.dispatchEvent(new Event('input', { bubbles: true })); }
  return [q, messages, state, backend];
}
"""
# An example question goes into the box and is asked like a typed one.
EXAMPLE_JS = """
(q) => { setTimeout(() => { const b = document.querySelector('#lx-send'); if (b) b.click(); }, 80); return q; }
"""


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) or None


def ask_tab(services: Services, backends: list[str], answers: gr.State, turn: gr.State):
    """Builds the tab; returns (the empty-library banner, the first-screen refresher and its outputs)."""
    notes = SourceNotes(services.index)
    welcome_cache = WelcomeCache(services.index, services.assistant)
    empty_banner = gr.HTML(visible=False, elem_id="lx-empty-banner")
    welcome = gr.HTML(elem_id="lx-welcome")
    with gr.Row(elem_id="lx-examples", visible=False) as examples_row:
        examples = [gr.Button("", size="sm", variant="secondary", elem_classes=["lx-example"], visible=False)
                    for _ in range(N_EXAMPLES)]
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Conversation", elem_id="lx-chat", height=520, feedback_options=("Like", "Dislike"),
                placeholder="Ask about the documents in the library. Every sentence of an answer cites "
                            "its source; click a **[n]** to read the passage.",
                buttons=["copy"],
            )
            with gr.Row():
                question = gr.Textbox(placeholder="Ask a question about the documents…", show_label=False,
                                      elem_id="lx-question", scale=6, max_lines=6, autofocus=True)
                send = gr.Button("Ask", variant="primary", elem_id="lx-send", scale=1, min_width=90)
                stop = gr.Button("Stop", variant="stop", elem_id="lx-stop", scale=1, min_width=80, visible=False)
            question_hint = gr.HTML(elem_id="lx-question-hint")
            with gr.Row(elem_id="lx-export", visible=False) as export_row:
                gr.HTML('<span class="lx-export-label">Export this answer for a case file:</span>')
                export_md = gr.DownloadButton("Markdown", size="sm", elem_id="lx-export-md")
                export_docx = gr.DownloadButton("Word (DOCX)", size="sm", elem_id="lx-export-docx")
            with gr.Row():
                backend = gr.Dropdown(backends, value=backends[0], label="Answer backend",
                                      visible=len(backends) > 1, elem_id="lx-backend", scale=2)
                new_chat = gr.Button("New conversation", variant="secondary", size="sm", scale=1)
            fb_status = gr.HTML(elem_id="lx-feedback-status")
            with gr.Accordion("More feedback: a wrong citation, a comment", open=False, elem_id="lx-feedback"):
                fb_target = gr.Markdown(handlers.feedback_target([], None))
                rating = gr.Radio([(label, key) for key, label in RATINGS.items()], label="This answer is…",
                                  elem_id="lx-rating")
                comment = gr.Textbox(label="Comment (optional)", lines=2, max_lines=6,
                                     placeholder="What was wrong or missing? If a citation is wrong, open it first.")
                fb_send = gr.Button("Send feedback", size="sm", elem_id="lx-fb-send")
                fb_hint = gr.HTML(elem_id="lx-fb-hint")
        with gr.Column(scale=2, elem_id="lx-side"):
            sources = gr.Radio([], label="Sources of this answer", elem_id="lx-sources")
            panel = gr.HTML(render.PANEL_PLACEHOLDER, elem_id="lx-source-panel")
    cite_target = gr.Textbox(visible="hidden", elem_id="lx-cite-target")

    # ---- the first screen
    def first_screen(view):
        w = welcome_cache.get(view.counts, sum(r[4] for r in view.rows if isinstance(r[4], int)))
        shown = list(w.examples)[:N_EXAMPLES]
        buttons = [gr.Button(shown[i], visible=True) if i < len(shown) else gr.Button(visible=False)
                   for i in range(N_EXAMPLES)]
        return (w.summary_html, gr.Row(visible=bool(shown)), *buttons)

    first_out = [welcome, examples_row, *examples]
    for ex in examples:
        ex.click(None, [ex], [question], js=EXAMPLE_JS)

    # ---- asking
    def exports(state, t, user):
        if t is None or not 0 <= t < len(state):
            return gr.Row(visible=False), gr.DownloadButton(value=None), gr.DownloadButton(value=None)
        try:
            md = handlers.export_answer(services, state, t, "md", user)
            docx = handlers.export_answer(services, state, t, "docx", user)
        except gr.Error:  # no export module on this server: no buttons, the chat goes on
            return gr.Row(visible=False), gr.DownloadButton(value=None), gr.DownloadButton(value=None)
        return gr.Row(visible=True), gr.DownloadButton(value=md), gr.DownloadButton(value=docx)

    chat_out = [chatbot, answers, question, sources, panel, turn, fb_target, stop, question_hint,
                export_row, export_md, export_docx, examples_row]
    names = ["chatbot", "answers", "question", "sources", "panel", "turn", "fb_target", "stop", "question_hint",
             "export_row", "export_md", "export_docx", "examples_row"]

    def out(**changed):
        """One update of `chat_out`: the named components change, the others are left as they are."""
        return tuple(changed[n] if n in changed else gr.skip() for n in names)

    def on_ask(q, messages, state, chosen, request: gr.Request):
        user = _user(request)
        try:
            updates = handlers.respond(services, q, messages, state, chosen, delay=STREAM_DELAY_S, user=user)
            first = next(updates)
        except Invalid as exc:  # said beside the box, which gets its text back
            yield out(question=q, question_hint=hint(exc.message))
            return
        yield out(chatbot=first.messages, answers=first.answers, stop=gr.Button(visible=True), question_hint="",
                  export_row=gr.Row(visible=False), examples_row=gr.Row(visible=False))
        for upd in updates:
            if not upd.done:
                yield out(chatbot=upd.messages)
                continue
            new_turn = len(upd.answers) - 1 if upd.answers else None
            last = upd.answers[-1] if upd.answers and upd.answer is not None else None
            row, md, docx = exports(upd.answers, new_turn if last else None, user)  # none after a failure
            yield out(chatbot=upd.messages, answers=upd.answers,
                      sources=gr.Radio(choices=handlers.citation_choices(last, notes), value=None),
                      panel=render.PANEL_PLACEHOLDER, turn=new_turn,
                      fb_target=handlers.feedback_target(upd.answers, new_turn), stop=gr.Button(visible=False),
                      export_row=row, export_md=md, export_docx=docx)

    asking = gr.on([send.click, question.submit], on_ask, [question, chatbot, answers, backend], chat_out,
                   api_visibility="private", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY,
                   trigger_mode="always_last", js=CLEAR_BOX_JS, show_progress_on=[chatbot])
    stop.click(lambda messages: (handlers.stopped_messages(messages), gr.Button(visible=False)), [chatbot],
               [chatbot, stop], cancels=[asking], api_visibility="private", queue=False)

    # ---- sources
    def on_cite(value, state, current, request: gr.Request):
        target = handlers.parse_cite_target(value)
        if target is None or not 0 <= target[0] < len(state):
            return (gr.skip(),) * 7
        t, n = target
        more = exports(state, t, _user(request)) if t != current else (gr.skip(),) * 3
        return (handlers.open_citation(state, t, n, notes),
                gr.Radio(choices=handlers.citation_choices(state[t], notes), value=n), t,
                handlers.feedback_target(state, t), *more)

    cite_target.change(on_cite, [cite_target, answers, turn],
                       [panel, sources, turn, fb_target, export_row, export_md, export_docx],
                       api_visibility="private", queue=False)
    sources.input(lambda n, state, t: handlers.open_citation(state, t, n, notes) if n is not None and t is not None
                  else render.PANEL_PLACEHOLDER,
                  [sources, answers, turn], panel, api_visibility="private", queue=False)

    def on_new_chat():
        return ([], [], gr.Radio(choices=[], value=None), render.PANEL_PLACEHOLDER, None,
                handlers.feedback_target([], None), "", "", gr.Row(visible=False),
                gr.Row(visible=welcome_cache.has_examples))

    reset_out = [chatbot, answers, sources, panel, turn, fb_target, fb_status, fb_hint, export_row, examples_row]
    new_chat.click(on_new_chat, None, reset_out, api_visibility="private", queue=False)
    chatbot.clear(on_new_chat, None, reset_out, api_visibility="private", queue=False)  # the bin icon

    # ---- feedback: thumbs under each answer, and the longer form
    def on_like(state, data: gr.LikeData, request: gr.Request):
        try:
            msg = handlers.thumb_feedback(services, state, data.value, data.liked, _user(request))
        except gr.Error as exc:
            return hint(exc.message)
        return f'<div class="lx-thanks">{render.esc(msg)}</div>' if msg else ""

    chatbot.like(on_like, [answers], [fb_status], api_visibility="private", queue=False)

    def on_feedback(state, t, r, text, n, request: gr.Request):
        try:
            msg = handlers.submit_feedback(services, state, t, r, text, n, _user(request))
        except gr.Error as exc:  # nothing picked: say so beside the button, keep what was typed
            return hint(exc.message), gr.skip(), gr.skip()
        return f'<div class="lx-thanks">{render.esc(msg)}</div>', "", gr.Radio(value=None)

    fb_send.click(on_feedback, [answers, turn, rating, comment, sources], [fb_hint, comment, rating],
                  api_visibility="private")

    return empty_banner, first_screen, first_out
