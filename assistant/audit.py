"""The audit log: one JSON line per answer, appended to data_dir/audit.jsonl (settings.audit_log).

A record holds exactly: time, user (when known), question, standalone question, backend and
model, the retrieved chunk ids with their document hashes, the answer text and status, and
per-sentence support. Nothing else (no passages, no prompts, no settings). Writes go through
lexcite.text.jsonl.append_jsonl, which is safe under concurrent threads and processes.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Sequence

from assistant.records import Answer, Passage
from lexcite.text.jsonl import append_jsonl

AUDIT_FIELDS = ("time", "user", "question", "standalone_question", "backend", "model", "retrieved",
                "status", "answer", "sentences")


def audit_record(answer: Answer, passages: Sequence[Passage], user: str | None = None) -> dict:
    return {
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
        "user": user,
        "question": answer.question,
        "standalone_question": answer.standalone_question or answer.question,
        "backend": answer.backend,
        "model": answer.model,
        "retrieved": [{"chunk_id": p.chunk.id, "doc_hash": p.chunk.doc_hash} for p in passages],
        "status": answer.status,
        "answer": answer.answer,
        "sentences": [{"text": s.text, "citations": list(s.citations), "supported": s.supported,
                       "score": round(float(s.score), 4)} for s in answer.sentences],
    }


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)

    def write(self, answer: Answer, passages: Sequence[Passage], user: str | None = None) -> None:
        append_jsonl(self.path, audit_record(answer, passages, user))
