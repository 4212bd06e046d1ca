"""The first vertical slice: the shipped corpus ingests, re-ingests as a no-op, and answers a question."""

import pytest

from ingest.index import Index
from ingest.pipeline import Ingestor


@pytest.mark.unit
def test_reingesting_an_unchanged_corpus_changes_nothing(settings, hash_embedder, shipped_corpus):
    first = Ingestor(settings, hash_embedder).run([shipped_corpus])
    ids_before = Index(settings, hash_embedder).catalog.chunk_ids()
    second = Ingestor(settings, hash_embedder).run([shipped_corpus])
    shipped = len([p for p in shipped_corpus.iterdir() if p.suffix in (".txt", ".md") and p.stem != "README"])
    assert shipped == 2 and first.added == shipped and first.chunks > 10
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, shipped, 0)
    assert Index(settings, hash_embedder).catalog.chunk_ids() == ids_before
    assert Index(settings, hash_embedder).vectors.count() == len(ids_before)


@pytest.mark.integration
def test_a_question_about_the_shipped_corpus_gets_a_cited_answer(shipped_index, real_embedder):
    from assistant.service import Assistant

    a = Assistant.from_settings(shipped_index, real_embedder).ask(
        "Which INTERPOL communication system allows rapid dissemination of alerts?"
    )
    assert a.status == "answered"
    assert any("I-24/7" in c.quote for c in a.citations)
    assert all(s.citations for s in a.sentences)


@pytest.mark.integration
def test_the_real_model_end_to_end_through_the_command_line(tmp_path, monkeypatch, real_embedder):
    """`lexcite ingest` with all-MiniLM-L6-v2 on a PDF and Markdown, re-run as a no-op, then a paraphrased
    question finds the right article by meaning."""
    import json

    from click.testing import CliRunner

    from tests.support import docs
    from ingest.embedder import get_embedder
    from ui.cli.main import main
    from lexcite.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    docs.legal_pdf(corpus / "convention.pdf")
    docs.make_markdown(corpus / "guide.md")
    monkeypatch.setenv("LEXCITE_CORPUS_DIR", str(corpus))
    first = CliRunner().invoke(main, ["ingest", "--json"])
    model = get_embedder("")
    calls = []
    real_embed = model.embed
    monkeypatch.setattr(model, "embed", lambda texts: calls.append(len(texts)) or real_embed(texts))
    second = CliRunner().invoke(main, ["ingest", "--json"])
    status = json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)
    assert first.exit_code == 0 and json.loads(first.stdout)["added"] == 2
    assert json.loads(second.stdout)["unchanged"] == 2 and calls == []
    assert status["embedding_model"] == "all-MiniLM-L6-v2" and status["vectors"] == status["chunks"] > 2
    index = Index(load_settings(), real_embedder)
    hits = index.dense_search("taking an organ out of a body so it can be transplanted", 3)
    assert hits[0][0].source == "corpus/convention.pdf"
    assert any("removal means" in c.text for c, _ in hits)
