"""A scripted assistant over a four-paragraph document, for hand-computed eval tests.

The eval's input edge is the Assistant; here it replays scripted answers and rankings, so every
metric of a run can be worked out by hand (see test_answers.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.records import Answer, Citation, Passage, Sentence
from ingest.records import Chunk

PARAS = {
    "A": "INTERPOL publishes notices to member countries.",
    "B": "The I-24/7 system carries alerts between police forces within seconds.",
    "C": "Training courses teach officers to spot forged medical documents.",
    "D": "Joint operations led to arrests in three regions.",
}
SOURCE = "corpus/notes.txt"
TEXT = "\n\n".join(PARAS.values()) + "\n"


def chunks() -> dict[str, Chunk]:
    out, pos = {}, 0
    for key, para in PARAS.items():
        start = TEXT.index(para, pos)
        out[key] = Chunk(f"chunk-{key}", para, SOURCE, "Notes", None, "", start, start + len(para), "secondary", "h")
        pos = start + len(para)
    return out


CHUNKS = chunks()


def write_corpus(root: Path) -> Path:
    (root / "corpus").mkdir(parents=True, exist_ok=True)
    (root / "corpus" / "notes.txt").write_text(TEXT, encoding="utf-8")
    return root / "corpus"


def ev(quote: str) -> dict:
    assert quote in TEXT
    return {"source": SOURCE, "quote": quote}


GOLDEN = [
    {"id": "a1", "question": "How are alerts sent?", "answerable": True, "tags": ["paraphrase"],
     "evidence": [ev("carries alerts between police forces")]},
    {"id": "a2", "question": "What do training courses teach?", "answerable": True, "tags": ["lexical"],
     "evidence": [ev("teach officers to spot forged medical documents")]},
    {"id": "a3", "question": "And what do they teach?", "answerable": True, "tags": ["follow-up"],
     "history": [["Are there training courses?", "Yes."]], "evidence": [ev("Training courses teach officers")]},
    {"id": "u1", "question": "Who won the cup?", "answerable": False, "tags": ["unanswerable"], "evidence": []},
    {"id": "u2", "question": "Which notice colour means arrest?", "answerable": False,
     "tags": ["unanswerable", "adversarial"], "evidence": []},
]


def write_golden(path: Path, rows=GOLDEN) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@dataclass
class Script:
    ranking: list[str]  # paragraph keys, best first
    cites: list[tuple[str, bool]] = field(default_factory=list)  # (paragraph key, supported) per sentence
    refuse: bool = False
    ms: float = 10.0
    standalone: str = ""


SCRIPTS = {
    "How are alerts sent?": Script(["A", "B", "C"], [("B", True), ("A", False)], ms=10),
    "What do training courses teach?": Script(["A", "D"], [("A", True)], ms=20),
    "And what do they teach?": Script(["C"], refuse=True, ms=30, standalone="What do the training courses teach?"),
    "Who won the cup?": Script(["D"], refuse=True, ms=40),
    "Which notice colour means arrest?": Script(["A"], [("A", True)], ms=50),
}


class FakeIndex:
    def __init__(self, chunks=CHUNKS):
        self.chunks = chunks

    def get_chunks(self, ids):
        by_id = {c.id: c for c in self.chunks.values()}
        return [by_id[i] for i in ids if i in by_id]

    def iter_chunks(self, source=None):
        return [c for c in self.chunks.values() if source in (None, c.source)]


class FakeRetriever:
    def __init__(self, scripts, chunks=CHUNKS):
        self.scripts, self.chunks = scripts, chunks
        self.queries: list[str] = []

    def retrieve(self, query, k, sources=None, source_types=None):
        self.queries.append(query)
        script = next(s for q, s in self.scripts.items() if query in (q, s.standalone))
        return [Passage(self.chunks[key], 1.0 / (i + 1)) for i, key in enumerate(script.ranking[:k])]


class ScriptedAssistant:
    """Answers each golden question as scripted (quoting whole chunks); records the history it was given."""

    def __init__(self, scripts=SCRIPTS, chunks=CHUNKS):
        self.scripts, self.chunks = scripts, chunks
        self.retriever = FakeRetriever(scripts, chunks)
        self.index = FakeIndex(chunks)
        self.histories: dict[str, list] = {}

    def ask(self, question, history=None, backend=None, k=None) -> Answer:
        self.histories[question] = list(history or [])
        s = self.scripts[question]
        timings = {"retrieve": s.ms / 2, "answer": s.ms / 4, "verify": s.ms / 4, "total": s.ms}
        passages = self.retriever.retrieve(s.standalone or question, 10)  # searched on the standalone question
        if s.refuse:
            return Answer(question, "insufficient_evidence", "The documents do not say.", [], [],
                          timings_ms=timings, standalone_question=s.standalone, passages=passages)
        citations, sentences = [], []
        for n, (key, ok) in enumerate(s.cites, 1):
            c = self.chunks[key]
            citations.append(Citation(n, c.id, c.source, c.title, c.page, c.section, c.text, c.start, c.end,
                                      passage=c.text))
            sentences.append(Sentence(c.text, (n,), ok, 0.9 if ok else 0.2))
        text = " ".join(f"{x.text} [{x.citations[0]}]" for x in sentences)
        return Answer(question, "answered", text, sentences, citations, timings_ms=timings,
                      standalone_question=s.standalone, passages=passages)
