"""`lexcite eval answers`: run the Assistant over a golden set and score it end to end.

    run_answer_eval(assistant, golden_path, report_dir=None, baseline=None) -> AnswerEvalRun

For each golden item: ask the assistant (with the item's history), take the top k of the passages
behind its answer (`Answer.passages`: the retrieval for its standalone question, no second search),
and judge retrieved and cited passages against the expected evidence by char span (eval/evidence.py).
Then aggregate:
retrieval hit rate@k and MRR@k, evidence recall@k, citation precision/recall, sentence support
rate, refusal precision/recall, false refusal rate, latency p50/p95; check the gates
(eval/gates.toml); and, with `report_dir`, write report.json and report.html.

Evidence that names its provision (`article`, `paragraph`, `page`; eval/golden.py) adds the legal metrics
(eval/metrics/provision.py, spans.py, evidence_hit.py, verbatim.py): article hit@k, cited-article
precision, page accuracy, character-span precision/recall of the quotes, evidence hit, and the count of
non-verbatim quotes; items that name their `document` get per-document figures (`by_document`).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, Sequence, runtime_checkable

from assistant.records import Answer, Passage
from eval.evidence import DocumentTexts, EvidenceNotFound, Span, covered_fraction, locate_evidence, matches
from eval.gates import DEFAULT_GATES, check_gates, load_gates
from eval.golden import DEFAULT_GOLDEN, GoldenItem, load_golden
from eval.legal_scores import legal_scores, non_verbatim
from eval.metrics.citation import citation_precision, citation_recall
from eval.metrics.common import mean_defined
from eval.metrics.latency import percentile
from eval.metrics.refusal import false_refusal_rate, false_refusals, refusal_precision, refusal_recall
from eval.metrics.retrieval import hit_rate_at_k, mrr_at_k
from eval.metrics.support import support_rate
from eval.results import METRICS, AnswerEvalRun, ItemResult
from ingest.records import Chunk
from lexcite.errors import ConfigError
from lexcite.settings import Settings

class ChunkReader(Protocol):
    """What the eval reads from the assistant's index: the cited chunks, and a source's chunks (to find
    evidence whose file is not at hand)."""

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]: ...

    def iter_chunks(self, source: str | None = None) -> Iterable[Chunk]: ...


@runtime_checkable
class Configured(Protocol):
    """An assistant built from settings (the real one): k, the corpus folder and the backend default from them."""

    settings: Settings


@runtime_checkable
class Embedding(Protocol):
    """An index that names its embedding model (in the report's meta)."""

    embedder: Any


class AskingAssistant(Protocol):
    """What the eval needs from assistant.service.Assistant (fakes implement the same). The retrieval it
    scores is the one behind each answer (`Answer.passages`), never a second search."""

    index: ChunkReader

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            backend: str | None = None, k: int | None = None) -> Answer: ...


def load_baseline(path: Path) -> dict[str, float]:
    """The metrics of an earlier report.json (undefined ones come back as NaN)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline {path} not found; pass the report.json of an earlier `--report` run") from None
    except json.JSONDecodeError:
        raise ConfigError(f"baseline {path} is not JSON; pass the report.json of an earlier `--report` run") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ConfigError(f"baseline {path} has no 'metrics' object; is it a `lexcite eval answers` report.json?")
    return {k: math.nan if v is None else float(v) for k, v in data["metrics"].items()}


def run_answer_eval(
    assistant: AskingAssistant,
    golden_path: Path = DEFAULT_GOLDEN,
    report_dir: Path | None = None,
    baseline: Path | dict[str, float] | None = None,
    *,
    backend: str | None = None,
    gates_path: Path = DEFAULT_GATES,
    k: int | None = None,
    corpus_dir: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> AnswerEvalRun:
    t0 = time.perf_counter()
    items = load_golden(golden_path)
    gates = load_gates(gates_path, known=METRICS)
    base = load_baseline(baseline) if isinstance(baseline, (str, Path)) else baseline
    settings = assistant.settings if isinstance(assistant, Configured) else None
    k = k or (settings.k if settings is not None else 6)
    index = assistant.index
    texts = DocumentTexts(corpus_dir or (settings.corpus_dir if settings is not None else Path("corpus")),
                          chunks_of=index.iter_chunks)
    located = {}
    for item in items:  # before asking anything: a golden set that does not match the corpus fails fast
        try:
            located[item.id] = [locate_evidence(texts, e) for e in item.evidence]
        except EvidenceNotFound as exc:
            raise EvidenceNotFound(f"golden item {item.id}: {exc}") from None
    results = []
    for i, item in enumerate(items):
        if progress:
            progress(i, len(items), item.id)
        results.append(_one(assistant, item, located[item.id], k, backend, texts))
    if progress:
        progress(len(items), len(items), "")
    metrics = aggregate(results)
    run = AnswerEvalRun(
        metrics=metrics, items=results, gates=check_gates(metrics, gates), by_tag=by_tag(results),
        by_document=by_document(results),
        meta={"golden": str(golden_path), "gates": str(gates_path), "k": k, "items": len(results),
              "answerable": sum(r.answerable for r in results),
              "backend": backend or (settings.backend if settings is not None else "extractive"),
              "embedding_model": index.embedder.name if isinstance(index, Embedding) else "",
              "seconds": round(time.perf_counter() - t0, 2),
              "created": time.strftime("%Y-%m-%d %H:%M:%S")},
        baseline=base,
    )
    if report_dir is not None:
        from eval.report import write_report

        write_report(run, Path(report_dir))
    return run


def _one(assistant: AskingAssistant, item: GoldenItem, evidence: list[tuple[Span, ...]], k: int,
         backend: str | None, texts: DocumentTexts | None = None) -> ItemResult:
    answer = assistant.ask(item.question, history=list(item.history) or None, backend=backend)
    searched = answer.standalone_question or item.question
    passages: list[Passage] = answer.passages[:k]  # the retrieval behind this answer, not a second search
    refused = answer.status != "answered"

    ranked = [Span(p.chunk.source, p.chunk.start, p.chunk.end) for p in passages]
    relevant = [any(matches(s, occ) for occ in evidence) for s in ranked]
    chunks = _cited_chunks(assistant, answer)
    cited = _cited_spans(answer, chunks) if not refused else []
    cite_rel = [any(matches(s, occ) for occ in evidence) for s in cited]
    verdicts = [s.supported for s in answer.sentences] if not refused else []

    if item.answerable:
        ids = [p.chunk.id for p in passages]
        # judged relevant: the retrieved passages that contain evidence, plus one placeholder per
        # evidence (never retrieved) so a miss scores 0, not "undefined"; hit rate and MRR only
        # look at the ranks of relevant ids, so the placeholders change nothing else
        rel_ids = {i for i, r in zip(ids, relevant) if r} | {f"<evidence {j}>" for j in range(len(evidence))}
        hit, rr = hit_rate_at_k(ids, rel_ids, k), mrr_at_k(ids, rel_ids, k)
        ev_recall = mean_defined([covered_fraction(ranked, occ) >= 0.5 for occ in evidence])
        c_prec, c_rec = citation_precision(cited, evidence), citation_recall(cited, evidence)
    else:
        hit = rr = ev_recall = c_prec = c_rec = math.nan
    legal = legal_scores(item, answer, passages, evidence, k, refused, texts)
    return ItemResult(
        id=item.id, question=item.question, tags=list(item.tags), answerable=item.answerable,
        status=answer.status, answer=answer.answer, refused=refused, standalone_question=searched,
        evidence=[{**e, "spans": [[s.start, s.end] for s in occ]} for e, occ in
                  zip(item.to_dict()["evidence"], evidence)],
        retrieved=[{"chunk_id": p.chunk.id, "source": p.chunk.source, "start": p.chunk.start, "end": p.chunk.end,
                    "section": p.chunk.section, "text": p.chunk.text, "relevant": r}
                   for p, r in zip(passages, relevant)],
        citations=[{"n": c.n, "chunk_id": c.chunk_id, "source": c.source, "start": c.start, "end": c.end,
                    "quote": c.quote, "passage": c.passage, "section": c.section, "relevant": r}
                   for c, r in zip(answer.citations, cite_rel or [None] * len(answer.citations))],
        sentences=[s.to_dict() for s in answer.sentences],
        hit=hit, reciprocal_rank=rr, evidence_recall_at_k=ev_recall, citation_precision=c_prec,
        citation_recall=c_rec, support_rate=support_rate(verdicts), latency_ms=float(answer.timings_ms["total"]),
        timings_ms={k_: float(v) for k_, v in answer.timings_ms.items()},
        history=[list(h) for h in item.history], document=item.document or "", **legal,
        non_verbatim=non_verbatim(answer, chunks, texts),
    )


def _cited_chunks(assistant: AskingAssistant, answer: Answer) -> dict:
    return {c.id: c for c in assistant.index.get_chunks([c.chunk_id for c in answer.citations])}


def _cited_spans(answer: Answer, chunks: dict) -> list[Span]:
    """The char span of each cited *passage* (its chunk); the quote's span when the chunk is unknown."""
    spans = []
    for c in answer.citations:
        ch = chunks.get(c.chunk_id)
        spans.append(Span(ch.source, ch.start, ch.end) if ch else Span(c.source, c.start, c.end))
    return spans


def aggregate(results: Sequence[ItemResult]) -> dict[str, float]:
    ans = [r for r in results if r.answerable]
    unanswerable = [not r.answerable for r in results]
    refused = [r.refused for r in results]
    verdicts = [s["supported"] for r in results if not r.refused for s in r.sentences]
    latencies = [r.latency_ms for r in results]
    return {
        "hit_rate_at_k": mean_defined(r.hit for r in ans),
        "mrr_at_k": mean_defined(r.reciprocal_rank for r in ans),
        "evidence_recall_at_k": mean_defined(r.evidence_recall_at_k for r in ans),
        "citation_precision": mean_defined(r.citation_precision for r in ans),
        "citation_recall": mean_defined(r.citation_recall for r in ans),
        "support_rate": support_rate(verdicts),
        "refusal_precision": refusal_precision(unanswerable, refused),
        "refusal_recall": refusal_recall(unanswerable, refused),
        "false_refusal_rate": false_refusal_rate(unanswerable, refused),
        "false_refusals": false_refusals(unanswerable, refused),
        "article_hit_at_k": mean_defined(r.article_hit for r in ans),
        "cited_article_precision": mean_defined(r.cited_article_precision for r in ans),
        "page_accuracy": mean_defined(r.page_hit for r in ans),
        "evidence_hit": mean_defined(r.evidence_hit for r in ans),
        "span_precision": mean_defined(r.span_precision for r in ans),
        "span_recall": mean_defined(r.span_recall for r in ans),
        "non_verbatim_quotes": float(sum(len(r.non_verbatim) for r in results)),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def by_tag(results: Sequence[ItemResult]) -> dict[str, dict[str, float]]:
    """Per tag: how many items, how many were handled correctly, and the main rates."""
    tags = sorted({t for r in results for t in r.tags} | ({"untagged"} if any(not r.tags for r in results) else set()))
    out = {}
    for t in tags:
        rs = [r for r in results if (t in r.tags) or (t == "untagged" and not r.tags)]
        out[t] = {
            "n": float(len(rs)),
            "correct": mean_defined(float(r.correct) for r in rs),
            "hit_rate_at_k": mean_defined(r.hit for r in rs),
            "citation_recall": mean_defined(r.citation_recall for r in rs),
            "support_rate": support_rate([s["supported"] for r in rs if not r.refused for s in r.sentences]),
        }
    return out


def by_document(results: Sequence[ItemResult]) -> dict[str, dict[str, float]]:
    """Per document the items name (none when no item names one): counts, correct share and every metric."""
    docs = sorted({r.document for r in results if r.document})
    out = {}
    for d in docs:
        rs = [r for r in results if r.document == d]
        out[d] = {"n": float(len(rs)), "answerable": float(sum(r.answerable for r in rs)),
                  "correct": mean_defined(float(r.correct) for r in rs)} | aggregate(rs)
    return out
