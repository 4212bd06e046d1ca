"""The Library tab: every document by title (source type, language, pages, passages, date), and for admins
adding documents with their details, editing the details of an upload, and removing a document after a
confirmation. Mistakes in the form (nothing picked, a title for several files) are said beside the button.
"""

from __future__ import annotations

import gradio as gr

from ingest.records import SOURCE_TYPES
from ui.web import handlers, render
from ui.web.details import DEFAULT_UPLOAD_TYPE
from ui.web.inline import Invalid, hint
from ui.web.library import COLUMNS
from ui.services import Services

TYPE_CHOICES = [(render.source_type_label(t), t) for t in SOURCE_TYPES]


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) or None


def _details_fields(prefix: str):
    title = gr.Textbox(label="Title", elem_id=f"{prefix}-title", max_lines=2,
                       placeholder="leave empty to use the document's own title")
    kind = gr.Dropdown(TYPE_CHOICES, value=DEFAULT_UPLOAD_TYPE, label="Source type", elem_id=f"{prefix}-type")
    aliases = gr.Textbox(label="Other names (optional)", elem_id=f"{prefix}-aliases", max_lines=3,
                         placeholder="short titles or numbers it is cited by, separated by ;")
    note = gr.Textbox(label="Note shown beside its citations (optional)", elem_id=f"{prefix}-note", lines=2,
                      max_lines=6, placeholder="e.g. where the text comes from, or how far it can be relied on")
    return title, kind, aliases, note


def library_tab(services: Services, banner: gr.HTML, admin_only: list):
    """Builds the tab. Returns the refresh function and its outputs (run on load); appends the admin-only
    controls to `admin_only`."""
    suffixes = list(services.supported_suffixes)
    limit = services.settings.max_file_mb
    summary = gr.Markdown(elem_id="lx-lib-summary")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="lx-lib-table",
                         column_widths=["30%", "13%", "8%", "7%", "8%", "11%", "23%"], show_search="search")
    with gr.Row(equal_height=False) as manage:
        with gr.Column():
            gr.Markdown("#### Add documents")
            files = gr.File(label=f"Files ({', '.join(suffixes)}; up to {limit:g} MB each)",
                            file_count="multiple", file_types=suffixes, type="filepath", elem_id="lx-upload")
            up_title, up_type, up_aliases, up_note = _details_fields("lx-up")
            add = gr.Button("Add to library", variant="primary", elem_id="lx-add")
            add_hint = gr.HTML(elem_id="lx-add-hint")
            report = gr.Markdown(elem_id="lx-add-report")
        with gr.Column():
            gr.Markdown("#### Edit or remove a document")
            pick = gr.Dropdown([], label="Document", elem_id="lx-remove-pick")
            with gr.Group(elem_id="lx-edit"):
                ed_title, ed_type, ed_aliases, ed_note = _details_fields("lx-ed")
            save = gr.Button("Save details", elem_id="lx-save-details")
            edit_hint = gr.HTML(elem_id="lx-edit-hint")
            remove_btn = gr.Button("Remove from library…", variant="stop", elem_id="lx-remove")
            with gr.Group(visible=False, elem_id="lx-confirm") as confirm:
                confirm_text = gr.Markdown(elem_id="lx-confirm-text")
                with gr.Row():
                    yes = gr.Button("Yes, remove it", variant="stop", size="sm", elem_id="lx-confirm-yes")
                    no = gr.Button("Cancel", size="sm", elem_id="lx-confirm-no")
            remove_hint = gr.HTML(elem_id="lx-remove-hint")
            removed = gr.Markdown(elem_id="lx-removed")
    refresh = gr.Button("Refresh", size="sm")
    admin_only.append(manage)

    def view(v=None):
        """The table, summary and pickers (`v`: a LibraryView already read)."""
        v = v if v is not None else handlers.refresh_library(services)
        return (v.summary, v.rows, gr.Dropdown(choices=v.choices, value=None),
                gr.HTML(render.empty_index_html(str(services.settings.corpus_dir)), visible=v.empty))

    lib_out = [summary, table, pick, banner]

    def on_add(paths, title, kind, aliases, note, request: gr.Request, progress=gr.Progress()):
        try:
            details = handlers.details_from_form(title, kind, note, aliases)
            msg = handlers.add_files(services, paths, progress, user=_user(request), discard_uploads=True,
                                     details=details)
        except Invalid as exc:  # keep the chosen files and the typed details
            return (hint(exc.message), gr.skip(), gr.skip(), *(gr.skip(),) * 4, *(gr.skip(),) * len(lib_out))
        return ("", msg, None, "", "", "", DEFAULT_UPLOAD_TYPE, *view())

    add.click(on_add, [files, up_title, up_type, up_aliases, up_note],
              [add_hint, report, files, up_title, up_aliases, up_note, up_type, *lib_out],
              api_visibility="private", concurrency_limit=1, concurrency_id="ingest", show_progress_on=[report])

    def on_pick(source):
        if not source:
            return "", "", DEFAULT_UPLOAD_TYPE, "", "", gr.Group(visible=False), ""
        try:
            d = handlers.document_details(services, source)
        except Invalid as exc:
            return (hint(exc.message), "", DEFAULT_UPLOAD_TYPE, "", "", gr.Group(visible=False), "")
        return "", d.title, d.source_type, "; ".join(d.aliases), d.note, gr.Group(visible=False), ""

    pick.input(on_pick, [pick], [edit_hint, ed_title, ed_type, ed_aliases, ed_note, confirm, remove_hint],
               api_visibility="private", queue=False)

    def on_save(source, title, kind, aliases, note, request: gr.Request, progress=gr.Progress()):
        try:
            details = handlers.details_from_form(title, kind, note, aliases)
            msg = handlers.save_details(services, source, details, progress, _user(request))
        except Invalid as exc:
            return (hint(exc.message), *(gr.skip(),) * len(lib_out))
        return (f'<div class="lx-thanks">{render.esc(msg.replace("**", ""))}</div>', *view())

    save.click(on_save, [pick, ed_title, ed_type, ed_aliases, ed_note], [edit_hint, *lib_out],
               api_visibility="private", concurrency_limit=1, concurrency_id="ingest", show_progress_on=[edit_hint])

    def on_remove(source, request: gr.Request):
        try:
            question = handlers.confirm_removal(services, source, _user(request))
        except Invalid as exc:
            return hint(exc.message), gr.Group(visible=False), gr.skip()
        return "", gr.Group(visible=True), question

    remove_btn.click(on_remove, [pick], [remove_hint, confirm, confirm_text], api_visibility="private",
                     queue=False)

    def on_confirm(source, request: gr.Request):
        try:
            msg = handlers.remove(services, source, _user(request))
        except Invalid as exc:
            return (hint(exc.message), gr.Group(visible=False), gr.skip(), *(gr.skip(),) * len(lib_out))
        return ("", gr.Group(visible=False), msg, *view())

    yes.click(on_confirm, [pick], [remove_hint, confirm, removed, *lib_out], api_visibility="private",
              concurrency_id="ingest")
    no.click(lambda: gr.Group(visible=False), None, confirm, api_visibility="private", queue=False)
    refresh.click(lambda: view(), None, lib_out, api_visibility="private", queue=False)
    return view, lib_out
