"""The Gradio app, built from injected Services: Ask, Library, and (when they exist) Quiz and Evaluate.

`build_app(services)` returns the gr.Blocks (the tabs are built in ask_tab, library_tab and extra_tabs);
`launch(demo, ...)` starts it with the page styles, the login and the upload limit. The one public API
endpoint is `/ask` (see `ask_api`). With a login, the header names who is signed in and offers Log out
(Gradio's `/logout` route: it ends every session of that user and returns to the sign-in page).
"""

import logging
from pathlib import Path
from typing import Optional

import gradio as gr
from starlette.middleware import Middleware

from ui.web import gradio_speed, handlers, render
from ui.auth import Account, Accounts
from ui.web.ask_tab import ANSWER_CONCURRENCY, ask_tab
from ui.web.library_tab import library_tab
from ui.web.login import ClientAddress, LoginThrottle, make_auth
from ui.services import Services

log = logging.getLogger(__name__)

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
  // a question sent while an answer is being written waits in the box: say so beside it
  const queued = () => {
    const stop = document.querySelector('#lx-stop'), note = document.querySelector('#lx-question-hint');
    if (stop && stop.offsetParent !== null && note) {
      note.innerHTML = '<div class="lx-hint lx-queued">Will be asked as soon as the current answer is finished.</div>';
    }
  };
  document.addEventListener('click', (e) => { if (e.target && e.target.closest && e.target.closest('#lx-send')) queued(); }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && e.target && e.target.closest && e.target.closest('#lx-question')) queued();
  }, true);
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
LOGOUT_PATH = "/logout"  # Gradio's route when the app has a login


def _user(request: gr.Request | None) -> str | None:
    """The signed-in name of the request (None without a login)."""
    return getattr(request, "username", None) or None


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", neutral_hue="slate")


def build_app(services: Services) -> gr.Blocks:
    gradio_speed.install()  # each new session builds every block's config: remember the signatures it reads
    backends = handlers.backend_choices(services)
    with gr.Blocks(title="Lexcite", delete_cache=DELETE_CACHE) as demo:
        answers = gr.State([])
        turn = gr.State(None)
        with gr.Row(elem_id="lx-top"):
            gr.HTML(HEADER)
            signed_in = gr.HTML(elem_id="lx-signed-in", visible=False)
            logout = gr.Button("Log out", link=LOGOUT_PATH, size="sm", variant="secondary", elem_id="lx-logout",
                               visible=False, scale=0, min_width=90)  # shown to whoever is signed in
        admin_only: list = []  # shown to admins only (the handlers refuse non-admins on the server too)
        reader_only: list = []
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                banner, first_screen, first_out = ask_tab(services, backends, answers, turn)
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
            user = _user(request)
            admin = services.is_admin(user)
            library = handlers.refresh_library(services)
            who = gr.HTML(f'<span class="lx-who">Signed in as <b>{render.esc(user)}</b></span>', visible=True) \
                if user else gr.HTML(visible=False)
            return (*view(library), *first_screen(library), who, gr.Button(visible=bool(user)),
                    *[gr.update(visible=admin) for _ in admin_only],
                    *[gr.update(visible=not admin) for _ in reader_only])

        demo.load(on_load, None, [*view_out, *first_out, signed_in, logout, *admin_only, *reader_only],
                  api_visibility="private", queue=False)

        def ask(question: str, history: Optional[list[list[str]]] = None, backend: str = "",
                request: gr.Request = None) -> dict:
            """Answer a question from the indexed documents. `history` is the conversation so far as
            [user, assistant] pairs (for follow-ups); `backend` picks an answer backend (empty = default).
            Returns the answer object of docs/CONTRACTS.md: status, answer, sentences, citations, backend, timings_ms."""
            return handlers.api_ask(services, question, history, backend or None, _user(request))

        gr.api(ask, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
    return demo


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
