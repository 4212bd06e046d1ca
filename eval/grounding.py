"""`lexcite eval grounding`: the assistant's verifier on given (context, answer) pairs.

Each answer is split into sentences (lexcite.text.sentences); every sentence is scored against all
the pair's contexts; the answer is `grounded` when every sentence is supported, and its `score` is
the lowest sentence score. With gold labels, a per-class precision/recall/F1 report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from lexcite.text.sentences import split_sentences
from assistant.verify import Verifier
from assistant.verify import lexical as lx
from eval.metrics.classification import ClassificationReport, classification_report
from lexcite.errors import LexciteError
from lexcite.text.markers import strip_markers

LABELS = ("supported", "unsupported")


class GroundingInputError(LexciteError):
    """A line of the grounding input is malformed."""


@dataclass(frozen=True)
class GroundingPair:
    id: str
    contexts: tuple[str, ...]
    answer: str
    label: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class SentenceVerdict:
    text: str
    start: int
    end: int
    supported: bool
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroundingResult:
    id: str
    grounded: bool
    score: float
    sentences: tuple[SentenceVerdict, ...]

    def to_dict(self, with_reasons: bool = False) -> dict[str, Any]:
        out = {"id": self.id, "grounded": self.grounded, "score": round(self.score, 4),
               "sentences": [{"text": s.text, "start": s.start, "end": s.end, "supported": s.supported,
                              "score": round(s.score, 4), **({"reasons": list(s.reasons)} if with_reasons else {})}
                             for s in self.sentences]}
        return out


def parse_pair(obj: dict, where: str) -> GroundingPair:
    if not isinstance(obj, dict):
        raise GroundingInputError(f"{where}: expected a JSON object with id, context, answer")
    missing = [k for k in ("context", "answer") if k not in obj]
    if missing:
        raise GroundingInputError(f"{where}: missing field(s) {', '.join(missing)}; each line needs "
                                  '{"id": …, "context": "…" or ["…"], "answer": "…"}')
    ctx = obj["context"]
    contexts = (ctx,) if isinstance(ctx, str) else tuple(ctx) if isinstance(ctx, list) else None
    if contexts is None or not all(isinstance(c, str) for c in contexts):
        raise GroundingInputError(f"{where}: `context` must be a string or a list of strings")
    if not isinstance(obj["answer"], str):
        raise GroundingInputError(f"{where}: `answer` must be a string")
    label = obj.get("label")
    if label is not None and label not in LABELS:
        raise GroundingInputError(f"{where}: label {label!r} must be 'supported' or 'unsupported'")
    return GroundingPair(str(obj.get("id", where)), contexts, obj["answer"], label, obj.get("kind"))


def load_pairs(path: Path) -> list[GroundingPair]:
    from lexcite.text.jsonl import read_jsonl

    try:
        return [parse_pair(obj, f"{path}:{n}") for n, obj in enumerate(read_jsonl(path), 1)]
    except FileNotFoundError:
        raise GroundingInputError(f"{path} not found; pass a JSONL file with --input") from None
    except ValueError as exc:
        if isinstance(exc, LexciteError):
            raise
        raise GroundingInputError(str(exc)) from None


def answer_sentences(answer: str) -> list[tuple[int, int, str]]:
    spans = [(s.start, s.end, s.text) for s in split_sentences(answer) if strip_markers(s.text)]
    return spans


def check(pairs: Sequence[GroundingPair], verifier: Verifier,
          progress: Callable[[int], None] | None = None, chunk: int = 128) -> list[GroundingResult]:
    """Verify every sentence of every answer; batched so embeddings are computed together."""
    results: list[GroundingResult] = []
    for i in range(0, len(pairs), chunk):
        part = pairs[i:i + chunk]
        jobs, owners = [], []
        for j, pair in enumerate(part):
            for span in answer_sentences(pair.answer):
                jobs.append((span[2], list(pair.contexts)))
                owners.append((j, span))
        supports = verifier.score_many(jobs) if jobs else []
        per: list[list[SentenceVerdict]] = [[] for _ in part]
        for (j, (s, e, text)), sup in zip(owners, supports):
            per[j].append(SentenceVerdict(text, s, e, sup.supported, float(sup.score), sup.reasons))
        for pair, verdicts in zip(part, per):
            grounded = bool(verdicts) and all(v.supported for v in verdicts)
            score = min((v.score for v in verdicts), default=0.0)
            results.append(GroundingResult(pair.id, grounded, score, tuple(verdicts)))
        if progress:
            progress(len(part))
    return results


def report(pairs: Sequence[GroundingPair], results: Sequence[GroundingResult]) -> ClassificationReport | None:
    labelled = [(p.label, r) for p, r in zip(pairs, results) if p.label]
    if not labelled:
        return None
    gold = [g for g, _ in labelled]
    pred = ["supported" if r.grounded else "unsupported" for _, r in labelled]
    return classification_report(gold, pred, labels=LABELS)


def coverage_baseline(pairs: Iterable[GroundingPair], threshold: float = 0.6) -> list[bool]:
    """The word-coverage baseline: share of the answer's content words found in the context."""
    out = []
    for p in pairs:
        words = set(lx.content_stems(p.answer))
        ctx = set(lx.content_stems(" ".join(p.contexts)))
        out.append(bool(words) and len(words & ctx) / len(words) >= threshold)
    return out
