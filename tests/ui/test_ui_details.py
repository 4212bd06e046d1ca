"""A maintainer describes documents (title, source type, note, other names) at upload and later; the first
screen suggests questions drawn from the library; the Evaluate tab names its metrics readably."""

from __future__ import annotations

import pytest

from ingest.manifest import SourceEntry, load_manifest, write_entry
from tests.support.docs import FILLER
from ui.web import handlers
from ui.web.details import SourceNotes, clean_details
from ui.web.inline import Invalid
from ui.web.library import uploads_dir
from ui.web.welcome import example_questions, library_line

pytestmark = pytest.mark.unit

STATUTE = ("Article 1\n\nObject\n\nThis Act governs the register of removals.\n\nArticle 2\n\nKeeping of the register"
           "\n\nThe register is kept by the competent authority.\n\nArticle 3\n\nAccess to the register\n\n"
           f"Only authorised officers may consult the register.\n\n{FILLER}\n")


def _doc(tmp_path, name="act.md", text=STATUTE):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_uploads_manifest_round_trips_whatever_was_typed(tmp_path):
    entry = SourceEntry("a.md", title='The "Quoted" Act\\ 2024', source_type="primary_law",
                        note="Line one.\nLine two: ünïcode, tabs\tand [brackets].", aliases=("A-1", "Act; short"))
    assert write_entry(tmp_path, entry).entries["a.md"] == entry
    assert load_manifest(tmp_path).entries["a.md"] == entry


def test_an_upload_is_ingested_with_the_title_type_note_and_names_given(ui_services, tmp_path):
    details = clean_details("Removals Register Act 2024", "primary_law", "Unofficial consolidation.",
                            "RRA 2024; Register Act")
    report = handlers.add_files(ui_services, [_doc(tmp_path)], details=details)
    assert "1 added" in report
    doc = ui_services.index.documents()[0]
    assert (doc.title, doc.source_type) == ("Removals Register Act 2024", "primary_law")
    assert "RRA 2024" in doc.names  # the other names are what questions may call it
    assert SourceNotes(ui_services.index).for_sources([doc.source]) == {doc.source: "Unofficial consolidation."}
    view = handlers.refresh_library(ui_services)
    assert view.rows[0][:2] == ["Removals Register Act 2024", "Primary law"]


def test_details_are_edited_later_and_the_document_re_ingested_to_show_them(ui_services, tmp_path):
    handlers.add_files(ui_services, [_doc(tmp_path)])
    source = "uploads/act.md"
    assert handlers.document_details(ui_services, source).title == "act"  # the file's own name until set
    msg = handlers.save_details(ui_services, source, clean_details("Register Act", "official_guidance", "", ""))
    assert "Register Act" in msg and "official guidance" in msg
    doc = ui_services.index.documents()[0]
    assert (doc.title, doc.source_type) == ("Register Act", "official_guidance")
    chunk = next(ui_services.index.iter_chunks(source))
    assert (chunk.title, chunk.source_type) == ("Register Act", "official_guidance")  # citations show it
    assert handlers.document_details(ui_services, source).source_type == "official_guidance"


def test_mistakes_in_the_details_are_said_plainly_and_nothing_is_stored(ui_services, tmp_path):
    for args, says in [(("x", "statute", "", ""), "Choose a source type"), (("a\nb", "secondary", "", ""), "one line"),
                       (("x" * 400, "secondary", "", ""), "under 300")]:
        with pytest.raises(Invalid, match=says):
            handlers.details_from_form(*args)
    two = [_doc(tmp_path, "a.md"), _doc(tmp_path, "b.md")]
    with pytest.raises(Invalid, match="one at a time"):
        handlers.add_files(ui_services, two, details=clean_details("One title", "secondary", "", ""),
                           discard_uploads=True)
    assert all(p.exists() for p in two)  # the chosen files stay chosen, to add again
    assert not uploads_dir(ui_services.settings).exists()
    with pytest.raises(Invalid, match="Pick a document"):
        handlers.confirm_removal(ui_services, None)


def test_removal_asks_first_by_title_and_says_what_happens_to_the_file(ui_services, tmp_path):
    handlers.add_files(ui_services, [_doc(tmp_path)], details=clean_details("Register Act", "primary_law", "n", ""))
    question = handlers.confirm_removal(ui_services, "uploads/act.md")
    assert "Register Act" in question and "deleted too" in question
    assert handlers.refresh_library(ui_services).sources == ["uploads/act.md"]  # asking removes nothing
    handlers.remove(ui_services, "uploads/act.md")
    assert "act.md" not in load_manifest(uploads_dir(ui_services.settings)).entries  # a new act.md starts afresh


def test_the_shipped_corpus_notes_reach_the_sources_panel(settings, hash_embedder, shipped_corpus):
    from ingest.index import Index
    from ingest.pipeline import Ingestor

    index = Index(settings, hash_embedder)
    Ingestor(settings, hash_embedder, index=index).run([shipped_corpus])
    notes = SourceNotes(index).for_sources([d.source for d in index.documents()])
    expected = {f"corpus/{e.file}": e.note for e in load_manifest(shipped_corpus) if e.note}
    assert notes and all(notes[s] == n for s, n in expected.items() if s in notes)
    assert any("unverified" in n for n in notes.values())  # the AI-written warning among them


def test_the_first_screen_suggests_questions_from_the_library_headings(ui_services, tmp_path):
    handlers.add_files(ui_services, [_doc(tmp_path)], details=clean_details("Register Act", "primary_law", "", ""))
    questions = example_questions(ui_services.index)
    assert questions and all(q.startswith("What does Article ") for q in questions)
    assert any("Register Act say about keeping of the register" in q or "access to the register" in q
               for q in questions)
    assert library_line({"primary_law": 1}, 3) == "1 document (1 primary law) · 3 passages"


def test_eval_metrics_are_shown_under_readable_names_with_their_gates():
    from types import SimpleNamespace

    from ui.web.eval_view import metric_rows

    gate = SimpleNamespace(metric="citation_precision", op="min", threshold=0.9, passed=False)
    run = SimpleNamespace(metrics={"citation_precision": 0.8, "hit_rate_at_k": 1.0}, gates=[gate], meta={"k": 5})
    rows = metric_rows(run)
    assert rows == [["Citation precision", "80%", "≥ 90%", "FAIL"], ["Retrieval hit rate@5", "100%", "—", "no gate"]]
