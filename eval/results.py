"""The records of an answer eval run: one `ItemResult` per golden item, the `AnswerEvalRun` with its
aggregate metrics and gates, and `METRICS` (each metric's label, direction and format). Written by
eval/answers.py, read by eval/report.py and eval/plots.py."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from eval.gates import GateResult
from eval.metrics.common import mean_defined

# name -> (label for people, "higher" | "lower" is better, format)
METRICS: dict[str, tuple[str, str, str]] = {
    "hit_rate_at_k": ("retrieval hit rate@k", "higher", "pct"),
    "mrr_at_k": ("retrieval MRR@k", "higher", "num"),
    "evidence_recall_at_k": ("evidence recall@k", "higher", "pct"),
    "citation_precision": ("citation precision", "higher", "pct"),
    "citation_recall": ("citation recall", "higher", "pct"),
    "support_rate": ("sentence support rate", "higher", "pct"),
    "refusal_precision": ("refusal precision", "higher", "pct"),
    "refusal_recall": ("refusal recall", "higher", "pct"),
    "false_refusal_rate": ("false refusal rate", "lower", "pct"),
    "false_refusals": ("false refusals", "lower", "int"),
    "article_hit_at_k": ("article hit@k", "higher", "pct"),
    "cited_article_precision": ("cited-article precision", "higher", "pct"),
    "page_accuracy": ("page accuracy", "higher", "pct"),
    "evidence_hit": ("evidence hit", "higher", "pct"),
    "span_precision": ("char-span precision", "higher", "pct"),
    "span_recall": ("char-span recall", "higher", "pct"),
    "non_verbatim_quotes": ("non-verbatim quotes", "lower", "int"),
    "latency_p50_ms": ("latency p50 (ms)", "lower", "ms"),
    "latency_p95_ms": ("latency p95 (ms)", "lower", "ms"),
}



@dataclass
class ItemResult:
    id: str
    question: str
    tags: list[str]
    answerable: bool
    status: str
    answer: str
    refused: bool
    standalone_question: str
    evidence: list[dict]
    retrieved: list[dict]  # ranked: chunk_id, source, start, end, relevant
    citations: list[dict]  # n, chunk_id, source, start, end, quote, passage, relevant
    sentences: list[dict]  # text, citations, supported, score
    hit: float  # 1/0, NaN for unanswerable items
    reciprocal_rank: float
    evidence_recall_at_k: float
    citation_precision: float
    citation_recall: float
    support_rate: float
    latency_ms: float
    timings_ms: dict[str, float] = field(default_factory=dict)
    history: list[list[str]] = field(default_factory=list)
    document: str = ""  # the golden item's `document` ("" when it names none)
    # legal metrics: NaN when the item's evidence names no provision / page (see eval/metrics/provision.py)
    article_hit: float = math.nan
    cited_article_precision: float = math.nan
    page_hit: float = math.nan
    evidence_hit: float = math.nan
    span_precision: float = math.nan
    span_recall: float = math.nan
    non_verbatim: list[str] = field(default_factory=list)  # "[n] why" for each quote that is not verbatim

    @property
    def correct(self) -> bool:
        """Refused when unanswerable; answered, citing all its evidence, when answerable."""
        if not self.answerable:
            return self.refused
        return not self.refused and self.citation_recall == 1.0

    @property
    def quality(self) -> float:
        """0..1 for ranking the worst cases: lowest first."""
        if not self.answerable:
            return 1.0 if self.refused else 0.0
        if self.refused:
            return 0.0
        q = mean_defined([self.citation_recall, self.citation_precision, self.support_rate, self.hit,
                          self.article_hit, self.evidence_hit])
        return 0.0 if math.isnan(q) else q

    def to_dict(self) -> dict:
        return asdict(self) | {"correct": self.correct, "quality": round(self.quality, 4)}


@dataclass
class AnswerEvalRun:
    metrics: dict[str, float]
    items: list[ItemResult]
    gates: list[GateResult]
    by_tag: dict[str, dict[str, float]]
    meta: dict[str, Any]
    baseline: dict[str, float] | None = None
    by_document: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def deltas(self) -> dict[str, float]:
        if not self.baseline:
            return {}
        return {m: v - self.baseline[m] for m, v in self.metrics.items() if m in self.baseline}

    def worst(self, n: int = 8) -> list[ItemResult]:
        bad = [i for i in self.items if i.quality < 1.0]
        return sorted(bad, key=lambda i: (i.quality, -i.latency_ms))[:n]

    def to_dict(self) -> dict:
        return {
            "meta": self.meta, "passed": self.passed,
            "metrics": {k: _json_float(v) for k, v in self.metrics.items()},
            "gates": [{**g.to_dict(), "value": _json_float(g.value)} for g in self.gates],
            "deltas": {k: _json_float(v) for k, v in self.deltas().items()},
            "by_tag": {t: {k: _json_float(v) for k, v in d.items()} for t, d in self.by_tag.items()},
            "by_document": {t: {k: _json_float(v) for k, v in d.items()} for t, d in self.by_document.items()},
            "items": [_json_clean(i.to_dict()) for i in self.items],
        }


def _json_float(v: float) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), 6)


def _json_clean(obj):
    if isinstance(obj, float):
        return _json_float(obj)
    if isinstance(obj, dict):
        return {k: _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_clean(v) for v in obj]
    return obj
