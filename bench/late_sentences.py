"""Sentence vectors pooled from the chunk's own forward pass ("late chunking") against embedding each sentence
on its own, as ingest does now: what it would save and what it would cost the answers.

Not a test, and not what Lexcite does: issue 18 asks for ingest at 2x a bare torch encode of the chunks *with*
the sentence vectors of the answer path, and embedding every sentence a second time is what holds ingest at
~1x. Pooling each sentence's word-piece states out of the pass that embeds its chunk would make the sentence
vectors nearly free. This measures both sides in one run:

- speed: on the chunks of the indexes below, torch, one process, interleaved rounds: a chunk pass alone,
  chunks + each sentence on its own (today's ingest), and one chunk pass that also pools the sentences;
- quality: `lexcite eval answers` on the legal-dev questions and on the shipped golden set, once with the
  sentence vectors ingest stored, once with the pooled ones put in their place (the chunks' vectors are the
  same either way: a chunk's vector is the mean of all its word pieces).

    .venv/bin/python bench/late_sentences.py [--legal-dev ../shared/legal-dev] [--rounds 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

METRICS = ("hit_rate_at_k", "mrr_at_k", "article_hit_at_k", "evidence_hit", "page_accuracy", "cited_article_precision",
           "citation_precision", "citation_recall", "span_precision", "refusal_recall", "false_refusals")
BATCH = 32


class Pooler:
    """all-MiniLM-L6-v2 in torch, giving a text's word-piece states with their character offsets."""

    def __init__(self):
        import torch
        from transformers import AutoModel, AutoTokenizer

        from assistant.grounding.model import _base_path

        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(_base_path())
        self.net = AutoModel.from_pretrained(_base_path()).eval()

    def states(self, texts: list[str]):
        """[(hidden states (n, 384), offsets [(start, end)])] per text, in batches sorted by length."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list = [None] * len(texts)
        for b in range(0, len(order), BATCH):
            rows = order[b:b + BATCH]
            enc = self.tok([texts[i] for i in rows], truncation=True, max_length=256, padding=True,
                           return_offsets_mapping=True, return_tensors="pt")
            offsets = enc.pop("offset_mapping").tolist()
            with self.torch.inference_mode():
                hidden = self.net(**enc).last_hidden_state.numpy()
            mask = enc["attention_mask"].numpy()
            for r, i in enumerate(rows):
                n = int(mask[r].sum())
                out[i] = (hidden[r, :n], offsets[r][:n])
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        vecs = [h.mean(0) for h, _ in self.states(texts)]
        return np.stack([v / np.linalg.norm(v) for v in vecs]) if vecs else np.zeros((0, 384))


def pooled_sentences(pooler: Pooler, chunks) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """One pass over the chunks' embedding texts: each sentence's vector is the mean of the word pieces inside
    its span (a sentence cut off by the 256-piece limit is left out and counted), and the chunks' own vectors."""
    from lexcite.text.sentences import split_sentences

    texts = [c.embedding_text() for c in chunks]
    out: dict[str, np.ndarray] = {}
    chunk_vecs, cut = [], 0
    for c, text, (hidden, offsets) in zip(chunks, texts, pooler.states(texts)):
        v = hidden.mean(0)
        chunk_vecs.append(v / np.linalg.norm(v))
        shift = len(text) - len(c.text)
        last = max(e for _, e in offsets)
        for s in split_sentences(c.text):
            if not s.text.strip() or s.text in out:
                continue
            a, b = s.start + shift, s.end + shift
            inside = [k for k, (x, y) in enumerate(offsets) if y > x and x >= a and y <= b]
            if not inside or last < b:
                cut += 1
                continue
            v = hidden[inside].mean(0)
            out[s.text] = (v / np.linalg.norm(v)).astype(np.float16).astype(np.float32)
    return out, np.stack(chunk_vecs), cut


def timed(rounds: int, pooler: Pooler, chunks) -> dict[str, float]:
    from lexcite.text.sentences import split_sentences

    texts = [c.embedding_text() for c in chunks]
    sentences = list(dict.fromkeys(s.text for c in chunks for s in split_sentences(c.text) if s.text.strip()))
    times: dict[str, list[float]] = {"chunks only": [], "chunks + sentences on their own (ingest now)": [],
                                     "one pass, sentences pooled": []}
    for _ in range(rounds):
        t = time.perf_counter()
        pooler.embed(texts)
        t1 = time.perf_counter()
        pooler.embed(sentences)
        t2 = time.perf_counter()
        pooled_sentences(pooler, chunks)
        t3 = time.perf_counter()
        times["chunks only"].append(t1 - t)
        times["chunks + sentences on their own (ingest now)"].append(t2 - t)
        times["one pass, sentences pooled"].append(t3 - t2)
    return {k: statistics.median(v) for k, v in times.items()} | {"chunks": len(texts), "sentences": len(sentences)}


def evaluate(assistant, golden: Path, gates: Path, corpus: Path, vectors: dict | None) -> dict[str, float]:
    from eval.answers import run_answer_eval

    scorer = assistant.scorer
    scorer._cache.clear()
    if vectors is not None:  # the pooled vectors in place of the stored ones, and nothing embedded on its own
        scorer._cache_size = max(scorer._cache_size, 10 * len(vectors))
        scorer._cache.update(vectors)
        store, scorer.store = scorer.store, None
    try:
        run = run_answer_eval(assistant, golden, gates_path=gates, corpus_dir=corpus)
    finally:
        if vectors is not None:
            scorer.store = store
            scorer._cache.clear()
    return {**run.metrics, "handled": sum(r.correct for r in run.items), "items": len(run.items)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--legal-dev", type=Path, default=ROOT.parent / "shared" / "legal-dev")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="data folder to keep the two indexes in (default: a temporary one)")
    args = ap.parse_args()

    from assistant.service import Assistant
    from eval.answers import DEFAULT_GATES, DEFAULT_GOLDEN
    from eval.legal_dev import LEGAL_GATES, ensure_index, write_golden
    from ingest.embedder import embedder_for
    from ingest.pipeline import Ingestor
    from lexcite.settings import load_settings

    work = args.keep or Path(tempfile.mkdtemp(prefix="lexcite-late-"))
    base = load_settings(env={"LEXCITE_DATA_DIR": str(work / "shipped"), "LEXCITE_AUDIT_LOG": "false"})
    embedder = embedder_for(base)
    Ingestor(base.with_overrides(corpus_dir=ROOT / "corpus"), embedder).run([ROOT / "corpus"])
    sets = [("shipped golden set", base.with_overrides(corpus_dir=ROOT / "corpus"), DEFAULT_GOLDEN, DEFAULT_GATES,
             ROOT / "corpus")]
    if (args.legal_dev / "questions.jsonl").is_file():
        legal = ensure_index(args.legal_dev, base, embedder, data_dir=work / "legal-dev")
        sets.insert(0, ("legal-dev", legal, write_golden(args.legal_dev, work / "legal-dev.jsonl"), LEGAL_GATES,
                        args.legal_dev / "docs"))
    pooler = Pooler()
    for name, settings, golden, gates, corpus in sets:
        assistant = Assistant.from_settings(settings, embedder)
        chunks = list(assistant.index.iter_chunks())
        pooled, chunk_vecs, cut = pooled_sentences(pooler, chunks)
        found = assistant.index.stored_vectors([c.id for c in chunks[:50]])  # one read, not one per chunk
        stored = np.stack([found[c.id] for c in chunks[:50]])
        same = float(np.min(np.sum(stored * chunk_vecs[:50], axis=1)))
        speed = timed(args.rounds, pooler, chunks)
        plain = evaluate(assistant, golden, gates, corpus, None)
        late = evaluate(assistant, golden, gates, corpus, pooled)
        print(f"\n## {name}: {speed['chunks']} chunks, {speed['sentences']} sentences ({cut} cut off by the 256-piece "
              f"limit, left out); the one-pass chunk vectors vs the stored ones: min cosine {same:.4f}")
        base_t = speed["chunks only"]
        print("| torch, one process | s (median of %d) | x the chunk pass |\n|---|---:|---:|" % args.rounds)
        for k in ("chunks only", "chunks + sentences on their own (ingest now)", "one pass, sentences pooled"):
            print(f"| {k} | {speed[k]:.2f} | {speed[k] / base_t:.2f} |")
        print("\n| answers | sentences embedded on their own (now) | pooled from the chunk's pass |\n|---|---:|---:|")
        for k in METRICS + ("handled",):
            a, b = plain.get(k, float("nan")), late.get(k, float("nan"))
            print(f"| {k} | {a:.3f} | {b:.3f} |" if k != "handled" else f"| {k} | {a}/{plain['items']} | {b}/{late['items']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
