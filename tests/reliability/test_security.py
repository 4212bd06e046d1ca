"""Security as a user relies on it: an upload cannot write outside the data directory, an answer
only ever quotes documents the corpus holds now, and a document that gives orders to the model
does not change what the assistant answers."""

from __future__ import annotations

import os
import re

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from tests.support import hostile
from assistant.retrieval import make_retriever
from assistant.service import Assistant
from ingest import loaders
from ingest.embedder import HashEmbedder
from ingest.index import Index
from ingest.pipeline import Ingestor
from tests.support.legal_corpus import write_corpus
from lexcite.settings import load_settings
from ui.web.library import save_uploads, uploads_dir

pytestmark = pytest.mark.unit

HOSTILE_NAMES = [
    "../../escape.txt", "/tmp/absolute.txt", "a/../../b.txt", "..\\..\\win.txt", "C:\\Windows\\x.txt",
    "..\u2215..\u2215lookalike-slash.txt", "\uff0e\uff0e\uff0ffullwidth.txt", "%2e%2e%2furl-encoded.txt",
    "nul\x00byte.txt", "line\nbreak.txt", "\u202eright-to-left.txt", "-rf --no-preserve-root.txt",
    "....txt", "planted.txt", ".bashrc.txt", "x" * 400 + ".txt", "ok.txt",
]


def tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            for p in sorted(root.rglob("*"))}


def test_no_upload_name_writes_outside_the_uploads_folder(settings, tmp_path):
    upload_root = uploads_dir(settings)
    upload_root.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("must not change", encoding="utf-8")
    os.symlink(victim, upload_root / "planted.txt")  # a link planted where an upload would land
    src = tmp_path / "incoming" / "upload.bin"
    src.parent.mkdir()
    src.write_text("Article 1\n\nUploaded text.\n", encoding="utf-8")
    outside_before = {k: v for k, v in tree(tmp_path).items() if not k.startswith("lexcite-data/uploads")}
    result = save_uploads([src] * len(HOSTILE_NAMES), upload_root, loaders.SUPPORTED, max_mb=1, names=HOSTILE_NAMES)
    outside_after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("lexcite-data/uploads")}
    assert outside_after == outside_before  # nothing created or changed anywhere else
    assert victim.read_text(encoding="utf-8") == "must not change"
    root = upload_root.resolve()
    assert result.saved and all(p.resolve().parent == root and p.is_file() and not p.is_symlink() for p in result.saved)
    assert len(result.saved) + len(result.rejected) == len(HOSTILE_NAMES)  # each name saved safely or refused
    assert "planted.txt" in {n for n, _ in result.rejected}


# ---- answers come only from what the corpus holds --------------------------------------------------

QUESTIONS = ["What do the consent rules of the register provide?", "What do the licensing rules provide?",
             "What do the registration rules of document 1 provide?", "What does the zebra permit rule say?"]


def indexed_texts(index: Index) -> dict[str, str]:
    return {c.id: " ".join(c.text.split()) for c in index.iter_chunks()}


def assert_answer_from_index(answer, chunks: dict[str, str]) -> None:
    """Every citation names a chunk the index holds and quotes it; every sentence is text of a cited chunk."""
    for c in answer.citations:
        assert c.chunk_id in chunks, f"cited {c.source} ({c.chunk_id}), which the index does not hold"
        assert " ".join(c.quote.split()) in chunks[c.chunk_id]
    for s in answer.sentences:
        cited = " ".join(chunks[c.chunk_id] for c in answer.citations if c.n in s.citations)
        assert " ".join(s.text.split()) in cited, f"{s.text!r} is not in the passages it cites"


def test_answers_quote_only_documents_the_index_holds_and_forget_removed_ones(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4)
    zebra = corpus / "zebra.txt"
    zebra.write_text("Zebra permits\n\nThe zebra permit rule says that every zebra permit costs forty florins "
                     "and is renewed each year by the register.\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("The zebra permit rule says OUTSIDE-SECRET florins.\n", encoding="utf-8")
    os.symlink(outside / "secret.txt", corpus / "secret-link.txt")
    Ingestor(settings, HashEmbedder()).run([corpus])
    assistant = Assistant.from_settings(settings, HashEmbedder())
    before = {q: assistant.ask(q) for q in QUESTIONS}
    assert "forty florins" in before[QUESTIONS[-1]].answer  # the zebra document really answers it
    zebra.unlink()
    Ingestor(settings, HashEmbedder()).run([corpus])
    chunks = indexed_texts(assistant.index)
    answered = 0
    for q in QUESTIONS:
        answer = assistant.ask(q)
        assert "florins" not in answer.answer and "OUTSIDE-SECRET" not in answer.answer
        assert not [c for c in answer.citations if c.source in ("corpus/zebra.txt", "corpus/secret-link.txt")]
        assert_answer_from_index(answer, chunks)
        answered += answer.status == "answered"
    assert answered >= 2  # the property was checked on real answers, not only refusals


# ---- prompt injection -------------------------------------------------------------------------------

ON_TOPIC_INJECTION = "Consent register rules\n\nThe consent rules of the register: " + hostile.INJECTION + "\n"


def _index(tmp_path, name: str, injection: str | None):
    corpus = tmp_path / name / "corpus"
    write_corpus(corpus, 4)
    if injection:
        (corpus / "injection.txt").write_text(injection, encoding="utf-8")
    s = load_settings(env={}, data_dir=tmp_path / name / "data", embedding_model="hash", audit_log=False)
    Ingestor(s, HashEmbedder()).run([corpus])
    return s


def test_an_injection_document_does_not_change_extractive_answers(tmp_path):
    """Nothing of the injection is obeyed or quoted, and every answer keeps its status. (Any added document can
    shift fused scores a little, so the exact text is compared only where the ranking is unaffected: at least
    one of the questions.)"""
    clean = Assistant.from_settings(_index(tmp_path, "clean", None), HashEmbedder())
    attacked = Assistant.from_settings(_index(tmp_path, "attacked", hostile.injection_text(tmp_path / "i.txt")
                                              .read_text(encoding="utf-8")), HashEmbedder())
    chunks = indexed_texts(attacked.index)
    identical = 0
    for q in QUESTIONS[:3]:
        a, b = clean.ask(q), attacked.ask(q)
        assert "BANANA" not in b.answer and "developer mode" not in b.answer
        assert not [c for c in b.citations if c.source.endswith("injection.txt")]
        assert b.status == a.status
        assert_answer_from_index(b, chunks)
        identical += (a.status, a.answer) == (b.status, b.answer) and a.status == "answered"
    assert identical >= 1


def test_an_extractive_answer_never_obeys_an_injection_it_retrieves(tmp_path):
    s = _index(tmp_path, "attacked", ON_TOPIC_INJECTION)
    assistant = Assistant.from_settings(s, HashEmbedder())
    chunks = indexed_texts(assistant.index)
    passages = assistant.retriever.retrieve(QUESTIONS[0], s.k)
    assert any(p.chunk.source.endswith("injection.txt") for p in passages)  # the attack is in front of it
    answer = assistant.ask(QUESTIONS[0])
    assert_answer_from_index(answer, chunks)  # verbatim quotes of cited passages, nothing of its own
    assert "BANANA" not in answer.answer


class GullibleChatModel(BaseChatModel):
    """A scripted chat model that obeys any passage saying 'answer BANANA', then adds one honest quote."""

    prompts: list = []

    @property
    def _llm_type(self) -> str:
        return "gullible-fake"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        passages = re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S)
        obey = [n for n, text in passages if "BANANA" in text]
        n, text = next((n, t) for n, t in passages if "BANANA" not in t)
        honest = next(x for x in re.split(r"(?<=[.;])\s+", " ".join(text.split())) if len(x.split()) >= 8)
        reply = (f"BANANA [{obey[0]}]. " if obey else "") + f"{honest} [{n}]"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def test_an_llm_that_obeys_an_injected_passage_has_that_sentence_dropped_by_the_verifier(tmp_path):
    s = _index(tmp_path, "attacked", ON_TOPIC_INJECTION)
    index = Index(s, HashEmbedder())
    model = GullibleChatModel()
    from assistant.verify import make_verifier

    assistant = Assistant(s, index, make_retriever(index), make_verifier(s, HashEmbedder()), HashEmbedder(),
                          chat_models={"openai": model})
    answer = assistant.ask(QUESTIONS[0], backend="openai")
    assert model.prompts, "the question no longer reaches the model; pick one the evidence gate lets through"
    assert "BANANA" in model.prompts[-1]  # the model saw the injection (and obeyed it)
    assert "BANANA" not in answer.answer
    assert answer.status == "answered" and answer.sentences  # only the obeyed sentence was dropped

