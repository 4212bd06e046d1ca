"""A reranker of our own (issue 18): a cross-encoder that reorders the hybrid retriever's top documents.

    python -m training.rerank candidates --beir ../shared/datasets/scifact-dev --out /tmp/rr
    python -m training.rerank train --out /tmp/rr --base FOLDER --run nli-ft [--steps 600]
    python -m training.rerank score --out /tmp/rr --model /tmp/rr/nli-ft/model --name nli-ft
    python -m training.rerank sentences --out /tmp/rr        # no training: each candidate's best sentence
    python -m training.rerank report --out /tmp/rr
    python -m training.rerank retriever --cache /tmp/rr/vecs  # the retriever's own sentence_weight step

`candidates` indexes the BEIR set (its train qrels) exactly as `lexcite eval retrieval` does and keeps,
for every query, the hybrid retriever's top documents (each as its best passage, with the fused score).
The queries are split three ways, by query, the same on every run:
- **held out**: the fifth `training.grounding_data.is_heldout` keeps from the shipped verifier (never
  trained on, never used for a choice; the only figures reported);
- **val**: an eighth of the rest, for choosing how much the reranker's score weighs against the fused one;
- **train**: the others. A query's relevant documents are positives, the hybrid's other top documents
  its hard negatives.

`score` runs a cross-encoder over every query's candidates (torch, the CrossEncoder layout);
`report` gives nDCG@10 / recall@10 / MRR@10 on the held-out queries for the hybrid order, the reranker
alone, and the two fused (z(fused) + w * z(reranker) over the candidates, w chosen on val).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from training.grounding_data import is_heldout
from training.nli_data import LabelledPair

log = logging.getLogger(__name__)
_SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
WEIGHTS = tuple(round(0.25 * i, 2) for i in range(0, 17))  # w tried on val: 0 (hybrid) .. 4
METRICS = ("ndcg@10", "recall@10", "mrr@10")


@dataclass(frozen=True)
class Candidate:
    doc: str
    text: str  # the document's best passage as the encoder saw it ("title. window")
    fused: float  # the hybrid retriever's fused score


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    relevant: dict[str, int]
    candidates: tuple[Candidate, ...]
    positives: dict[str, str]  # relevant doc -> a passage of it (its best candidate, else its first window)


SYNTHETIC = "syn-"  # id prefix of a query made from the corpus (always train)


def split_of(qid: str) -> str:
    if qid.startswith(SYNTHETIC):
        return "train"
    if is_heldout(qid):
        return "heldout"
    return "val" if int(hashlib.sha256(f"rerank-val:{qid}".encode()).hexdigest(), 16) % 8 == 0 else "train"


def synthetic_queries(corpus: dict[str, tuple[str, str]], n: int, seed: int) -> dict[str, tuple[str, str]]:
    """Queries made from the corpus alone (no judgement used): a sentence of a document's second half
    (where findings are stated) becomes the query, and the document without it the passage it should
    find (an inverse cloze task). {query id: (query, positive passage)}."""
    from lexcite.text.sentences import split_sentences

    rng = random.Random(seed)
    out: dict[str, tuple[str, str]] = {}
    docs = sorted(corpus)
    rng.shuffle(docs)
    for d in docs:
        title, text = corpus[d]
        spans = split_sentences(text)
        if len(spans) < 4:
            continue
        s = rng.choice(spans[len(spans) // 2:])
        if not 8 <= len(s.text.split()) <= 40:
            continue
        rest = " ".join((text[:s.start] + text[s.end:]).split()[:200])
        out[f"{SYNTHETIC}{d}"] = (s.text, f"{title}. {rest}" if title else rest)
        if len(out) >= n:
            break
    return out


def _scratch_index(data, data_dir: Path, cache: Path | None):
    """The BEIR set indexed in `data_dir` as `lexcite eval retrieval` indexes it (corpus vectors kept in `cache`)."""
    from eval.beir import build_index
    from ingest.embedder import embedder_for
    from lexcite.settings import load_settings

    settings = load_settings(env={}, data_dir=data_dir, chroma_url="", collection="rerank")
    return build_index(data, settings, embedder_for(settings), cache)


def cmd_candidates(args) -> None:
    from assistant.retrieval import HybridRetriever
    from eval.beir import doc_chunks, embed_text, load_beir

    data = load_beir(args.beir, "train")
    made = synthetic_queries(data.corpus, args.synthetic, args.seed)
    texts = {**data.queries, **{q: t for q, (t, _) in made.items()}}
    relevant = {**data.qrels, **{q: {q[len(SYNTHETIC):]: 1} for q in made}}
    with tempfile.TemporaryDirectory(prefix="lexcite-rerank-") as tmp:
        index = _scratch_index(data, Path(tmp), args.cache)
        hybrid = HybridRetriever(index)
        qids = sorted(texts)
        rows = []
        for i in range(0, len(qids), 64):
            part = qids[i:i + 64]
            for qid, passages in zip(part, hybrid.retrieve_many([texts[q] for q in part], 4 * args.depth)):
                best: dict[str, Candidate] = {}
                for p in passages:
                    if p.chunk.source not in best and len(best) < args.depth:
                        best[p.chunk.source] = Candidate(p.chunk.source, embed_text(p.chunk), float(p.score))
                if qid in made:  # the passage without its sentence, never the source's own window
                    positives = {d: made[qid][1] for d in relevant[qid]}
                else:
                    positives = {d: best[d].text if d in best else embed_text(doc_chunks(d, *data.corpus[d])[0])
                                 for d in relevant[qid] if d in data.corpus}
                rows.append({"qid": qid, "text": texts[qid], "relevant": relevant[qid],
                             "candidates": [c.__dict__ for c in best.values()], "positives": positives})
            log.info("candidates: %d / %d queries", min(i + 64, len(qids)), len(qids))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / args.file).write_text(json.dumps({"set": data.name, "depth": args.depth, "queries": rows}),
                                      encoding="utf-8")
    counts = {s: sum(split_of(r["qid"]) == s for r in rows) for s in ("train", "val", "heldout")}
    print(json.dumps({"queries": len(rows), **counts, "synthetic": len(made), "depth": args.depth}))


def load_queries(out: Path, file: str = "candidates.json") -> list[Query]:
    rows = json.loads((out / file).read_text(encoding="utf-8"))["queries"]
    return [Query(r["qid"], r["text"], {d: int(g) for d, g in r["relevant"].items()},
                  tuple(Candidate(**c) for c in r["candidates"]), r["positives"]) for r in rows]


def training_pairs(queries: Sequence[Query], negatives: int, seed: int) -> list[LabelledPair]:
    """Each train query against its relevant documents (supported) and its `negatives` best-ranked
    non-relevant candidates (not): the hard negatives the reranker has to put below them."""
    rng = random.Random(seed)
    out = []
    for q in queries:
        if split_of(q.qid) != "train":
            continue
        out += [LabelledPair("rerank", text, q.text, True, q.qid) for d, text in q.positives.items()]
        out += [LabelledPair("rerank", c.text, q.text, False, q.qid)
                for c in [c for c in q.candidates if c.doc not in q.relevant][:negatives]]
    rng.shuffle(out)
    return out


def query_groups(queries: Sequence[Query], size: int, seed: int) -> list[list[LabelledPair]]:
    """For listwise training: one group per (train query, relevant document), the positive first, then
    the query's best-ranked non-relevant candidates (topped up with other queries' candidates)."""
    rng = random.Random(seed)
    pool = [c.text for q in queries for c in q.candidates]
    groups = []
    for q in queries:
        if split_of(q.qid) != "train":
            continue
        negs = [c.text for c in q.candidates if c.doc not in q.relevant][: size - 1]
        for text in q.positives.values():
            fill = negs + [t for t in rng.sample(pool, size) if t not in q.positives.values()]
            groups.append([LabelledPair("rerank", text, q.text, True, q.qid)]
                          + [LabelledPair("rerank", t, q.text, False, q.qid) for t in fill[: size - 1]])
    return groups


def group_order(groups: Sequence[Sequence[LabelledPair]], per_batch: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of `per_batch` whole groups (indices into the flattened groups), seeded epochs."""
    rng = random.Random(seed)
    size = len(groups[0])
    out: list[list[int]] = []
    while len(out) < steps:
        idx = list(range(len(groups)))
        rng.shuffle(idx)
        for b in range(0, len(idx) - per_batch + 1, per_batch):
            out.append([g * size + j for g in idx[b:b + per_batch] for j in range(size)])
    return out[:steps]


def listwise_loss(size: int):
    """Softmax cross-entropy over each group's scores with the positive first (a query's relevant document
    against its hard negatives): the reranker learns the order, not a probability per pair."""
    import torch
    from sentence_transformers.util import batch_to_device

    class ListwiseLoss(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, inputs, labels):
            features = batch_to_device(self.model.preprocess(list(zip(inputs[0], inputs[1]))), self.model.device)
            logits = self.model(features)["scores"].view(-1, size)
            return torch.nn.functional.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))

    return ListwiseLoss


def cmd_train(args) -> None:
    from training.lodo_train import TrainConfig, train

    queries = load_queries(args.out, args.file)
    order = loss = None
    if args.loss == "listwise":
        groups = query_groups(queries, args.negatives + 1, args.seed)
        pairs = [p for g in groups for p in g]
        order = group_order(groups, max(1, args.batch // (args.negatives + 1)), args.steps, args.seed)
        loss = listwise_loss(args.negatives + 1)
    else:
        pairs = training_pairs(queries, args.negatives, args.seed)
    cfg = TrainConfig(out_dir=args.out / args.run, train_sets=(), nli_root=Path(), scifact_root=Path(),
                      steps=args.steps, batch=args.batch, lr=args.lr, max_len=args.max_len,
                      frozen_layers=args.frozen_layers, max_minutes=args.max_minutes, base=args.base,
                      seed=args.seed)
    result = train(cfg, pairs, order, loss)
    print(json.dumps({"run": args.run, "pairs": len(pairs), "steps_done": result.steps_done,
                      "finished": result.finished, "minutes": round(result.minutes, 1)}))


def cmd_score(args) -> None:
    import torch
    from sentence_transformers import CrossEncoder

    torch.set_num_threads(2)
    queries = [q for q in load_queries(args.out) if split_of(q.qid) in ("val", "heldout")]
    model = CrossEncoder(str(args.model), num_labels=1, max_length=args.max_len, local_files_only=True)
    pairs = [(q.text, c.text) for q in queries for c in q.candidates]
    logits = model.predict(pairs, batch_size=32, show_progress_bar=True, activation_fn=torch.nn.Identity())
    scores, at = {}, 0
    for q in queries:
        scores[q.qid] = [float(x) for x in logits[at:at + len(q.candidates)]]
        at += len(q.candidates)
    (args.out / "scores").mkdir(exist_ok=True)
    (args.out / "scores" / f"{args.name}.json").write_text(json.dumps({"model": str(args.model), "scores": scores}),
                                                          encoding="utf-8")
    print(json.dumps({"name": args.name, "queries": len(queries), "pairs": len(pairs)}))


def cmd_sentences(args) -> None:
    """A reranker with no training: each candidate scored by its best sentence's cosine to the query (the
    embedding model's sentence vectors, which ingest keeps for every chunk), to be fused like the others."""
    from ingest.embedder import embedder_for
    from lexcite.settings import load_settings
    from lexcite.text.sentences import split_sentences

    embedder = embedder_for(load_settings(env={}))
    queries = [q for q in load_queries(args.out) if split_of(q.qid) in ("val", "heldout")]
    sents = {c.text: [x.text for x in split_sentences(c.text) if x.text.strip()] or [c.text]
             for q in queries for c in q.candidates}
    flat = list(dict.fromkeys(t for ts in sents.values() for t in ts))
    log.info("embedding %d sentences of %d passages", len(flat), len(sents))
    vecs = {}
    for i in range(0, len(flat), 512):
        vecs.update(zip(flat[i:i + 512], embedder.embed(flat[i:i + 512])))
        log.info("sentences: %d / %d", min(i + 512, len(flat)), len(flat))
    qv = embedder.embed([q.text for q in queries])
    scores = {q.qid: [float(max(vecs[t] @ qv[n] for t in sents[c.text])) for c in q.candidates]
              for n, q in enumerate(queries)}
    (args.out / "scores").mkdir(exist_ok=True)
    (args.out / "scores" / f"{args.name}.json").write_text(json.dumps({"model": embedder.name, "scores": scores}),
                                                          encoding="utf-8")
    print(json.dumps({"name": args.name, "queries": len(queries), "sentences": len(flat)}))


def cmd_retriever(args) -> None:
    """The shipped retriever's own best-sentence step (HybridRetriever.sentence_weight) at several weights,
    through `eval.beir.run_queries` as `lexcite eval retrieval` runs it: nDCG@10 on val and held out."""
    from assistant.retrieval import HybridRetriever
    from eval.beir import load_beir, run_queries
    from eval.metrics.retrieval import evaluate_run

    data = load_beir(args.beir, "train")
    lines = ["| sentence_weight | val nDCG@10 | held-out nDCG@10 | held-out recall@10 | held-out MRR@10 |",
             "|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="lexcite-rerank-") as tmp:
        index = _scratch_index(data, Path(tmp), args.cache)
        for w in args.weights:
            runs = run_queries(index, data, hybrid=HybridRetriever(index, sentence_weight=w))["hybrid"]
            got = {s: evaluate_run(runs, {q: r for q, r in data.qrels.items() if split_of(q) == s}, METRICS)
                   for s in ("val", "heldout")}
            lines.append(f"| {w:g} | {got['val']['ndcg@10']:.4f} | " + " | ".join(
                f"{got['heldout'][m]:.4f}" for m in METRICS) + " |")
            log.info(lines[-1])
    print("\n".join(lines))


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-9 else x * 0.0


def reranked(q: Query, scores: Sequence[float], w: float | None) -> list[str]:
    """The candidates reordered: by the reranker alone (w=None) or by z(fused) + w * z(reranker)."""
    ce = np.asarray(scores, dtype=np.float64)
    fused = np.asarray([c.fused for c in q.candidates], dtype=np.float64)
    key = ce if w is None else _z(fused) + w * _z(ce)
    order = sorted(range(len(q.candidates)), key=lambda i: (-key[i], i))
    return [q.candidates[i].doc for i in order]


def metrics(queries: Sequence[Query], runs: dict[str, list[str]]) -> dict[str, float]:
    from eval.metrics.retrieval import evaluate_run

    return evaluate_run(runs, {q.qid: q.relevant for q in queries}, METRICS)


def cmd_report(args) -> None:
    queries = load_queries(args.out)
    by = {s: [q for q in queries if split_of(q.qid) == s] for s in ("val", "heldout")}
    hybrid = {s: metrics(qs, {q.qid: [c.doc for c in q.candidates] for q in qs}) for s, qs in by.items()}
    rows = [("hybrid (the shipped retriever)", "–", hybrid["heldout"])]
    for f in sorted((args.out / "scores").glob("*.json")):
        scores = json.loads(f.read_text(encoding="utf-8"))["scores"]
        val = {w: metrics(by["val"], {q.qid: reranked(q, scores[q.qid], w) for q in by["val"]})["ndcg@10"]
               for w in WEIGHTS}
        best = max(WEIGHTS, key=lambda w: (round(val[w], 4), -w))
        alone = metrics(by["heldout"], {q.qid: reranked(q, scores[q.qid], None) for q in by["heldout"]})
        mixed = metrics(by["heldout"], {q.qid: reranked(q, scores[q.qid], best) for q in by["heldout"]})
        rows += [(f"{f.stem} alone", "–", alone), (f"{f.stem} fused", f"{best:g}", mixed)]
    n = len(by["heldout"])
    depth = len(queries[0].candidates) if queries else 0
    lines = [f"Held-out fifth: {n} queries; the reranker reorders the hybrid's top {depth} documents.", "",
             "| ranking | w (chosen on val) | " + " | ".join(METRICS) + " |",
             "|---|---|" + "---:|" * len(METRICS)]
    lines += [f"| {name} | {w} | " + " | ".join(f"{m[k]:.4f}" for k in METRICS) + " |" for name, w, m in rows]
    print("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(prog="python -m training.rerank", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("candidates", help="the hybrid retriever's top documents for every query")
    c.add_argument("--beir", type=Path, default=_SHARED / "scifact-dev")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--depth", type=int, default=30, help="documents kept per query")
    c.add_argument("--cache", type=Path, default=None, help="keep the corpus vectors here")
    c.add_argument("--synthetic", type=int, default=0, help="queries made from the corpus, added to training")
    c.add_argument("--file", default="candidates.json")
    c.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train", help="train a cross-encoder on the train queries' candidates")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--run", default="reranker")
    t.add_argument("--file", default="candidates.json", help="the candidates to train on (from `candidates`)")
    t.add_argument("--base", default="", help="a CrossEncoder folder (default: all-MiniLM-L6-v2)")
    t.add_argument("--negatives", type=int, default=7)
    t.add_argument("--loss", choices=("bce", "listwise"), default="bce",
                   help="bce: each pair's label; listwise: each query's positive against its negatives")
    t.add_argument("--steps", type=int, default=600)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-5)
    t.add_argument("--max-len", type=int, default=256)
    t.add_argument("--frozen-layers", type=int, default=2)
    t.add_argument("--max-minutes", type=float, default=60.0)
    t.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("score", help="score the val and held-out queries' candidates with a cross-encoder")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--model", type=Path, required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--max-len", type=int, default=256)
    e = sub.add_parser("sentences", help="score the candidates by their best sentence's cosine to the query")
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--name", default="best-sentence")
    h = sub.add_parser("retriever", help="the retriever's best-sentence step at several weights, val and held out")
    h.add_argument("--beir", type=Path, default=_SHARED / "scifact-dev")
    h.add_argument("--cache", type=Path, default=None, help="the corpus vectors (as `candidates --cache`)")
    h.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.5, 0.75, 1.0])
    r = sub.add_parser("report", help="nDCG@10 on the held-out queries, hybrid beside each reranker")
    r.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    {"candidates": cmd_candidates, "train": cmd_train, "score": cmd_score, "sentences": cmd_sentences,
     "retriever": cmd_retriever, "report": cmd_report}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
