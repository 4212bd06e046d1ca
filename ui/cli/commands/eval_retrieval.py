"""`lexcite eval retrieval --beir DIR`: dense, lexical and hybrid retrieval on a BEIR data set.

Prints one JSON object (docs/CONTRACTS.md) for `--retriever` on stdout and the three side by side on stderr.
The corpus goes into a temporary index; the user's index is never touched.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import click

from ui.cli.commands.eval_cmd import eval_group
from ui.cli.text import plural

COMMANDS: tuple[str, ...] = ()  # attached to `lexcite eval`, not to the top level

NAMES = ("dense", "lexical", "hybrid", "hybrid-rrf")  # hybrid = z-score fusion (the default)
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


class _Bars:
    """One tqdm bar per stage on stderr."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars: dict[str, object] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr, leave=False, unit="")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def table(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'retriever':<12}" + "".join(f"{m:>12}" for m in METRICS)]
    for name, row in results.items():
        lines.append(f"{name:<12}" + "".join(f"{row[m]:>12.4f}" for m in METRICS))
    return "\n".join(lines)


@eval_group.command("retrieval")
@click.option("--beir", "beir_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv.")
@click.option("--split", default="test", show_default=True, help="Which qrels/<split>.tsv to score.")
@click.option("--retriever", "which", type=click.Choice(NAMES), default="hybrid", show_default=True,
              help="The retriever reported in the JSON (all three go to the stderr table).")
@click.option("--k", "k_docs", type=click.IntRange(min=100), default=100, show_default=True,
              help="Documents ranked per query (at least 100, for recall@100).")
@click.option("--limit-queries", type=click.IntRange(min=1), default=None, help="Score only the first N queries.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep corpus embeddings here (keyed by model and corpus) so a re-run skips embedding.")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.pass_obj
def retrieval(obj, beir_dir: Path, split: str, which: str, k_docs: int, limit_queries: int | None,
              cache_dir: Path | None, no_progress: bool) -> None:
    """Retrieval metrics (nDCG@10, recall@10/100, MRR@10) on a BEIR data set, in a temporary index."""
    from eval.beir import build_index, load_beir, run_queries
    from eval.metrics.retrieval import evaluate_run

    t0 = time.perf_counter()
    data = load_beir(beir_dir, split)
    bars = _Bars(enabled=not no_progress)
    with tempfile.TemporaryDirectory(prefix="lexcite-beir-") as tmp:
        settings = obj.settings.with_overrides(data_dir=Path(tmp), chroma_url="", collection="beir-eval")
        index = build_index(data, settings, obj.embedder, cache_dir, bars)
        runs = run_queries(index, data, k_docs, limit_queries, bars)
    bars.close()
    qrels = {q: data.qrels[q] for q in runs["hybrid"]}
    results = {name: evaluate_run(runs[name], qrels, METRICS) for name in NAMES}
    seconds = time.perf_counter() - t0
    click.echo(f"{data.name} ({split}): {plural(len(qrels), 'query')}, {plural(len(data.corpus), 'document')}, "
               f"{seconds:.0f} s", err=True)
    click.echo(table(results), err=True)
    out = {"queries": len(qrels), **{m: round(results[which][m], 4) for m in METRICS},
           "retriever": which, "seconds": round(seconds, 2), "split": split, "documents": len(data.corpus)}
    click.echo(json.dumps(out))
