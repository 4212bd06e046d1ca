"""The Gradio app, built from injected Services: Ask, Library, and (when they exist) Quiz and Evaluate.

`build_app(services)` returns the gr.Blocks; `launch(demo, ...)` starts it with the page styles,
the login and the upload limit. The one public API endpoint is `/ask` (see `ask_api`).
"""

import logging
from pathlib import Path
from typing import Optional

import gradio as gr
from starlette.middleware import Middleware

from ui.web import handlers, render
from ui.auth import Account, Accounts
from ui.web.feedback import RATINGS
from ui.web.library import COLUMNS
from ui.web.login import ClientAddress, LoginThrottle, make_auth
from ui.services import Services

log = logging.getLogger(__name__)

ANSWER_CONCURRENCY = 2  # answers computed at once (the model shares the machine's cores)
STREAM_DELAY_S = 0.04  # pause between streamed sentences, so the answer visibly builds up
DELETE_CACHE = (1800, 3600)  # every 30 min, drop Gradio's cached files older than an hour (all on restart)
CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")

# Clicking an inline [n] writes "turn:n:nonce" into a hidden textbox; its change event opens the source.
JS = r"""
() => {
  if (window.__lexciteCites) return;
  window.__lexciteCites = true;
  const open = (el) => {
    const box = document.querySelector('#lx-cite-target textarea, #lx-cite-target input');
    if (!box) return;
    const t = /\blx-t(\d+)\b/.exec(el.className), n = /\blx-n(\d+)\b/.exec(el.className);
    if (!t || !n) return;
    box.value = `${t[1]}:${n[1]}:${Date.now()}`;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  };
  document.addEventListener('click', (e) => {
    const el = e.target && e.target.closest ? e.target.closest('.lx-cite') : null;
    if (el) { e.preventDefault(); e.stopPropagation(); open(el); }
  }, true);
  // bring the highlighted quote into view inside the passage box whenever the panel changes
  const reveal = () => document.querySelectorAll('#lx-source-panel .lx-passage').forEach((box) => {
    const m = box.querySelector('mark');
    if (m && !box.dataset.lxRevealed) { box.dataset.lxRevealed = '1'; box.scrollTop = Math.max(0, m.offsetTop - 32); }
  });
  new MutationObserver(reveal).observe(document.body, { childList: true, subtree: true });
  document.addEventListener('keydown', (e) => {
    const el = e.target;
    if (el && el.classList && el.classList.contains('lx-cite') && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault(); open(el);
    }
  });
}
"""

HEADER = (
    '<div class="lx-header"><h1>Lexcite</h1>'
    "<p>Answers from your documents — every sentence cited and checked against its source.</p></div>"
)


def _user(request: gr.Request | None) -> str | None:
    """The signed-in name of the request (None without a login)."""
    return getattr(request, "username", None) or None


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", neutral_hue="slate")


def build_app(services: Services) -> gr.Blocks:
    backends = handlers.backend_choices(services)
    with gr.Blocks(title="Lexcite", delete_cache=DELETE_CACHE) as demo:
        answers = gr.State([])
        turn = gr.State(None)
        gr.HTML(HEADER)
        admin_only: list = []  # shown to admins only (the handlers refuse non-admins on the server too)
        reader_only: list = []
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                banner = ask_tab(services, backends, answers, turn)
            with gr.Tab("Library", id="library"):
                view, view_out = library_tab(services, banner, admin_only)
            if services.quiz is not None:
                from ui.web.extra_tabs import quiz_tab

                with gr.Tab("Quiz", id="quiz"):
                    quiz_tab(services)
            if services.evaluate is not None:
                from ui.web.extra_tabs import eval_tab

                with gr.Tab("Evaluate", id="evaluate"):
                    readers_note = gr.Markdown("Only administrators can run evaluations.", visible=False,
                                               elem_id="lx-eval-admins-only")
                    with gr.Column(elem_id="lx-eval") as evaluate:
                        eval_tab(services)
                admin_only.append(evaluate)
                reader_only.append(readers_note)

        def on_load(request: gr.Request):
            admin = services.is_admin(getattr(request, "username", None))
            return (*view(), *[gr.update(visible=admin) for _ in admin_only],
                    *[gr.update(visible=not admin) for _ in reader_only])

        demo.load(on_load, None, [*view_out, *admin_only, *reader_only], api_visibility="private", queue=False)

        def ask(question: str, history: Optional[list[list[str]]] = None, backend: str = "",
                request: gr.Request = None) -> dict:
            """Answer a question from the indexed documents. `history` is the conversation so far as
            [user, assistant] pairs (for follow-ups); `backend` picks an answer backend (empty = default).
            Returns the answer object of docs/CONTRACTS.md: status, answer, sentences, citations, backend, timings_ms."""
            return handlers.api_ask(services, question, history, backend or None, _user(request))

        gr.api(ask, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
    return demo


# ---- Ask -----------------------------------------------------------------------------------------
def ask_tab(services: Services, backends: list[str], answers: gr.State, turn: gr.State) -> gr.HTML:
    """The chat, the sources panel and feedback. Returns the empty-library banner (filled on load)."""
    empty_banner = gr.HTML(visible=False, elem_id="lx-empty-banner")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Conversation", elem_id="lx-chat", height=540, feedback_options=None,
                placeholder="Ask about the documents in the library. Every sentence of an answer cites "
                            "its source; click a **[n]** to read the passage.",
                buttons=["copy"],
            )
            with gr.Row():
                question = gr.Textbox(placeholder="Ask a question about the documents…", show_label=False,
                                      elem_id="lx-question", scale=6, max_lines=6, autofocus=True)
                send = gr.Button("Ask", variant="primary", elem_id="lx-send", scale=1, min_width=90)
            with gr.Row():
                backend = gr.Dropdown(backends, value=backends[0], label="Answer backend",
                                      visible=len(backends) > 1, elem_id="lx-backend", scale=2)
                new_chat = gr.Button("New conversation", variant="secondary", size="sm", scale=1)
            with gr.Accordion("Feedback on this answer", open=False, elem_id="lx-feedback"):
                fb_target = gr.Markdown(handlers.feedback_target([], None))
                rating = gr.Radio([(label, key) for key, label in RATINGS.items()], label="This answer is…",
                                  elem_id="lx-rating")
                comment = gr.Textbox(label="Comment (optional)", lines=2, max_lines=6,
                                     placeholder="What was wrong or missing? If a citation is wrong, open it first.")
                fb_send = gr.Button("Send feedback", size="sm")
                fb_status = gr.Markdown()
        with gr.Column(scale=2, elem_id="lx-side"):
            sources = gr.Radio([], label="Sources of this answer", elem_id="lx-sources")
            panel = gr.HTML(render.PANEL_PLACEHOLDER, elem_id="lx-source-panel")
    cite_target = gr.Textbox(visible="hidden", elem_id="lx-cite-target")

    def on_ask(q, messages, state, chosen, request: gr.Request):
        for upd in handlers.respond(services, q, messages, state, chosen, delay=STREAM_DELAY_S,
                                    user=_user(request)):
            if not upd.done:
                yield upd.messages, upd.answers, "", gr.skip(), gr.skip(), gr.skip(), gr.skip()
                continue
            new_turn = len(upd.answers) - 1 if upd.answers else None
            yield (upd.messages, upd.answers, "",
                   gr.Radio(choices=handlers.citation_choices(upd.answers[-1] if upd.answers else None),
                            value=None),
                   render.PANEL_PLACEHOLDER, new_turn, handlers.feedback_target(upd.answers, new_turn))

    chat_out = [chatbot, answers, question, sources, panel, turn, fb_target]
    for trigger in (send.click, question.submit):
        trigger(on_ask, [question, chatbot, answers, backend], chat_out, api_visibility="private",
                concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)

    def on_cite(value, state):
        target = handlers.parse_cite_target(value)
        if target is None or not 0 <= target[0] < len(state):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        t, n = target
        return (handlers.open_citation(state, t, n),
                gr.Radio(choices=handlers.citation_choices(state[t]), value=n), t,
                handlers.feedback_target(state, t))

    cite_target.change(on_cite, [cite_target, answers], [panel, sources, turn, fb_target],
                       api_visibility="private", queue=False)
    sources.input(lambda n, state, t: handlers.open_citation(state, t, n) if n is not None and t is not None
                  else render.PANEL_PLACEHOLDER,
                  [sources, answers, turn], panel, api_visibility="private", queue=False)

    def on_new_chat():
        return ([], [], gr.Radio(choices=[], value=None), render.PANEL_PLACEHOLDER, None,
                handlers.feedback_target([], None), "")

    reset_out = [chatbot, answers, sources, panel, turn, fb_target, fb_status]
    new_chat.click(on_new_chat, None, reset_out, api_visibility="private", queue=False)
    chatbot.clear(on_new_chat, None, reset_out, api_visibility="private", queue=False)  # the bin icon

    def on_feedback(state, t, r, text, n, request: gr.Request):
        msg = handlers.submit_feedback(services, state, t, r, text, n, getattr(request, "username", None))
        return msg, "", gr.Radio(value=None)

    fb_send.click(on_feedback, [answers, turn, rating, comment, sources], [fb_status, comment, rating],
                  api_visibility="private")

    return empty_banner


# ---- Library -------------------------------------------------------------------------------------
def library_tab(services: Services, banner: gr.HTML, admin_only: list):
    """Documents, upload + ingest, remove (admins). Returns the refresh function and its outputs (run on
    load); appends the admin-only controls to `admin_only`."""
    suffixes = list(services.supported_suffixes)
    limit = services.settings.max_file_mb
    summary = gr.Markdown(elem_id="lx-lib-summary")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="lx-lib-table",
                         column_widths=["32%", "15%", "10%", "15%", "28%"],
                         show_search="search")
    with gr.Row(equal_height=False) as manage:
        with gr.Column():
            files = gr.File(label=f"Add documents ({', '.join(suffixes)}; up to {limit:g} MB each)",
                            file_count="multiple", file_types=suffixes, type="filepath", elem_id="lx-upload")
            add = gr.Button("Add to library", variant="primary", elem_id="lx-add")
            report = gr.Markdown(elem_id="lx-add-report")
        with gr.Column():
            pick = gr.Dropdown([], label="Remove a document", elem_id="lx-remove-pick")
            remove_btn = gr.Button("Remove from library", variant="stop", elem_id="lx-remove")
            removed = gr.Markdown()
    refresh = gr.Button("Refresh", size="sm")
    admin_only.append(manage)

    def view():
        v = handlers.refresh_library(services)
        return (v.summary, v.rows, gr.Dropdown(choices=v.sources, value=None),
                gr.HTML(render.empty_index_html(str(services.settings.corpus_dir)), visible=v.empty))

    lib_out = [summary, table, pick, banner]

    def on_add(paths, request: gr.Request, progress=gr.Progress()):
        msg = handlers.add_files(services, paths, progress, user=_user(request), discard_uploads=True)
        return (msg, None, *view())

    add.click(on_add, [files], [report, files, *lib_out], api_visibility="private", concurrency_limit=1,
              concurrency_id="ingest")

    def on_remove(source, request: gr.Request):
        return (handlers.remove(services, source, _user(request)), *view())

    remove_btn.click(on_remove, [pick], [removed, *lib_out], api_visibility="private", concurrency_id="ingest")
    refresh.click(view, None, lib_out, api_visibility="private", queue=False)
    return view, lib_out


# ---- launch --------------------------------------------------------------------------------------
def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860,
           auth: Accounts | Optional[list[tuple[str, str]]] = None, max_file_mb: float = 50.0,
           prevent_thread_lock: bool = False, quiet: bool = False, throttle: LoginThrottle | None = None):
    """Start the server (the caller has already checked that host + auth is a safe combination).

    `auth` is the parsed LEXCITE_AUTH (or plain (user, password) pairs); sign-ins go through
    `ui.web.login.make_auth`: hashes accepted, failures slowed down and locked out (`throttle`)."""
    if auth is not None and not isinstance(auth, Accounts):
        auth = Accounts(tuple(Account(u, p) for u, p in auth))
    demo.queue(max_size=256)
    return demo.launch(
        server_name=host, server_port=port, auth=make_auth(auth, throttle) if auth else None,
        app_kwargs={"middleware": [Middleware(ClientAddress)]},
        auth_message="Sign in with the account your administrator gave you." if auth else None,
        max_file_size=int(max_file_mb * 1024 * 1024), show_error=False, footer_links=["api"],
        prevent_thread_lock=prevent_thread_lock, quiet=quiet, ssr_mode=False,
        theme=theme(), css=CSS, js=JS,
    )
