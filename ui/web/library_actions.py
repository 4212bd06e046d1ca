"""What admins do in the Library: add documents (with their details), edit the details, remove a document
(after a confirmation). Plain functions: Services in, Markdown out; `Invalid` for input the person can fix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import gradio as gr

from lexcite.errors import IngestBusyError, LexciteError
from ui.web import render
from ui.web.details import Details, InvalidDetails, clean_details, details_of, forget, record
from ui.web.inline import Invalid
from ui.web.library import LibraryView, library_view, remove_document, save_uploads, uploads_dir
from ui.services import Services

log = logging.getLogger(__name__)

MAX_FILES = 20


def require_admin(services: Services, user: str | None, what: str) -> None:
    """Refuse, on the server, what only admins may do (the page hides it too, but requests can be forged)."""
    if not services.is_admin(user):
        log.warning("refused %s for %r (role %s)", what, user, services.accounts.role(user))
        raise gr.Error(f"Only administrators can {what}; ask one to do it or to give you the admin role.")


def refresh_library(services: Services) -> LibraryView:
    try:
        return library_view(services.index)
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None


def details_from_form(title, source_type, note, aliases) -> Details:
    try:
        return clean_details(title, source_type, note, aliases)
    except InvalidDetails as exc:
        raise Invalid(str(exc)) from None


# ---- add -----------------------------------------------------------------------------------------
def add_files(services: Services, files: Sequence[str | Path] | None, progress=None,
              user: str | None = None, discard_uploads: bool = False, details: Details | None = None) -> str:
    """Save uploads under data_dir/uploads, describe them in that folder's manifest (`details`: title,
    source type, note, other names), and ingest the folder; returns a Markdown summary.
    With `discard_uploads` (the app: `files` are Gradio's cached copies) those copies are deleted
    afterwards, whatever became of them (kept or rejected), so none stays downloadable."""
    try:
        _check_request(services, files, user, details)
    except Invalid:
        raise  # the person corrects the form: the chosen files stay chosen
    except BaseException:
        if discard_uploads:
            discard_temp_uploads(files)
        raise
    try:
        return _add_files(services, files, progress, details)
    finally:
        if discard_uploads:
            discard_temp_uploads(files)


def discard_temp_uploads(files: Sequence[str | Path] | None) -> None:
    """Delete Gradio's cached copies of uploads: they stay downloadable while they exist."""
    for f in files or []:
        try:
            Path(f).unlink(missing_ok=True)
        except (OSError, TypeError, ValueError):
            log.warning("could not delete the uploaded temp file %s", f)


def _check_request(services: Services, files: Sequence[str | Path] | None, user: str | None,
                   details: Details | None) -> None:
    require_admin(services, user, "add documents")
    if not files:
        raise Invalid("Choose one or more files to add first.")
    if len(files) > MAX_FILES:
        raise Invalid(f"Add at most {MAX_FILES} files at a time.")
    if details is not None and details.title and len(files) > 1:
        raise Invalid("A title names one document: add the files one at a time to title each, "
                      "or leave the title empty to use each document's own.")


def _add_files(services: Services, files: Sequence[str | Path], progress, details: Details | None) -> str:
    dest = uploads_dir(services.settings)
    saved = save_uploads(files, dest, services.supported_suffixes, services.settings.max_file_mb)
    if not saved.saved:
        lines = ["**Nothing was added.**"] + [f"- **Not uploaded:** `{render._md_code(n)}`: {render._md_text(w)}"
                                              for n, w in saved.rejected]
        return "\n".join(lines)
    if details is not None:
        for path in saved.saved:
            record(dest, path.name, details)

    def step(i: int, n: int, name: str) -> None:
        if progress is not None:
            progress((i, max(n, 1)), desc=f"Ingesting {Path(name).name}" if name else "Finishing")

    report = _ingest(services, dest, step, "Your files are saved; press Add again in a moment.")
    _discard_failed(dest, report)
    return render.report_md(report, saved.rejected, saved.notes + _not_indexed(services, dest, saved.saved, report))


def _ingest(services: Services, dest: Path, step, when_busy: str):
    try:
        return services.ingest([dest], step)
    except IngestBusyError as exc:
        raise gr.Error(f"{exc}. {when_busy}") from None
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
    except Exception:
        log.exception("ingesting uploads failed")
        raise gr.Error("Ingesting the uploads failed; the details are in the server log.") from None


def _not_indexed(services: Services, dest: Path, saved: Sequence[Path], report) -> list[tuple[str, str]]:
    """Saved files the ingest neither indexed nor reported as failed (nothing is lost without a word)."""
    try:
        indexed = {d.source for d in services.index.documents()}
    except LexciteError:
        return []
    failed = {f.path for f in report.failed}
    out = []
    for p in saved:
        source = f"{dest.name}/{p.name}"
        if source not in indexed and source not in failed:
            out.append((p.name, "was stored but not indexed; tell the administrator (see the server log)"))
            log.warning("upload %s was saved but the ingest did not index it (skipped: %s)", source, report.skipped)
    return out


def _discard_failed(dest: Path, report) -> None:
    """An upload that could not be read is not kept: it would fail again on every later ingest."""
    root = dest.resolve()
    for f in report.failed:
        target = (root / Path(f.path).name).resolve()
        if f.path == f"{dest.name}/{target.name}" and target.parent == root and target.is_file():
            target.unlink()
            forget(root, target.name)


# ---- edit the details of an upload ---------------------------------------------------------------
def _indexed(services: Services, source: str):
    """The catalog record of `source`, or None when it is no longer indexed."""
    return next((d for d in services.index.documents() if d.source == source), None)


def _picked(services: Services, source: str | None, pick: str):
    """The record of the document picked in the form; Invalid when none is picked or it is gone."""
    if not source:
        raise Invalid(pick)
    doc = _indexed(services, source)
    if doc is None:
        raise Invalid("That document is no longer in the library; refresh the list.")
    return doc


def _uploaded(services: Services, doc) -> bool:
    """Whether `doc` is one of the app's uploads (ingested from the uploads folder)."""
    return bool(doc.root) and Path(doc.root).resolve() == uploads_dir(services.settings).resolve()


def _upload_of(services: Services, source: str | None):
    """(document record, uploads folder) for an uploaded document; Invalid when it is not one."""
    doc = _picked(services, source, "Pick a document first.")
    up = uploads_dir(services.settings).resolve()
    if not _uploaded(services, doc):
        folder = Path(doc.root).name if doc.root else "its folder"
        raise Invalid(f"This document comes from {folder}/ on the server, not from an upload: change its entry in "
                      f"{folder}/sources.toml there and run `lexcite ingest` (the app edits uploads only).")
    return doc, up


def document_details(services: Services, source: str | None) -> Details:
    """The details of an uploaded document, to fill the edit form."""
    doc, up = _upload_of(services, source)
    return details_of(up, Path(doc.source).name, doc.title, doc.source_type)


def save_details(services: Services, source: str | None, details: Details, progress=None,
                 user: str | None = None) -> str:
    """Store new details of an uploaded document and re-ingest it, so its citations show them."""
    require_admin(services, user, "edit documents")
    doc, up = _upload_of(services, source)
    record(up, Path(doc.source).name, details)

    def step(i: int, n: int, name: str) -> None:
        if progress is not None:
            progress((i, max(n, 1)), desc=f"Re-ingesting {Path(name).name}" if name else "Finishing")

    _ingest(services, up, step, "The details are saved; they apply at the next ingest.")
    after = _indexed(services, doc.source)
    title = after.title if after else details.title or doc.title
    kind = render.source_type_label(after.source_type if after else details.source_type).lower()
    return f"Saved: **{render._md_text(title)}** ({render._md_text(kind)}); its citations show the new details."


# ---- remove --------------------------------------------------------------------------------------
def confirm_removal(services: Services, source: str | None, user: str | None = None) -> str:
    """The question asked before a removal: what goes, and whether it can come back."""
    require_admin(services, user, "remove documents")
    doc = _picked(services, source, "Pick a document to remove first.")
    after = ("The uploaded file is deleted too." if _uploaded(services, doc)
             else "Its file stays on the server: the next `lexcite ingest` of its folder adds it back.")
    return (f"Remove **{render._md_text(doc.title or doc.source)}** ({doc.n_chunks} passages) from the library? "
            f"{after}")


def remove(services: Services, source: str | None, user: str | None = None) -> str:
    require_admin(services, user, "remove documents")
    if not source:
        raise Invalid("Pick a document to remove first.")
    try:
        return remove_document(services.index, services.settings, source)
    except LookupError as exc:
        raise Invalid(str(exc.args[0])) from None
    except LexciteError as exc:
        raise gr.Error(str(exc)) from None
