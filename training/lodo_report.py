"""The leave-one-dataset-out matrix, as Markdown, from stored scores (training/lodo.py writes them).

Rows: the sets, each measured on its test split. Columns: each variant. A variant with its own
decision rule (the shipped verifier, the heuristics, the coverage baseline) is measured as it decides;
a variant that only scores is cut at a threshold chosen on the threshold splits of every *other* set
(pooled), and, in brackets, at one chosen on the threshold split of the row's own set (different
documents or claims than its test split). A trained variant is shown only on sets it never trained on.
"""

from __future__ import annotations

import math
from typing import Sequence

from training.lodo_eval import Metrics, choose_threshold, metrics

_FIXED_TITLES = {"coverage": "word coverage ≥ 0.6", "heuristics": "heuristic verifier (shipped rule)",
                 "shipped": "shipped verifier: model + vetoes (shipped t)",
                 "model_fixed": "shipped model alone (shipped t)"}


def _cell(m: Metrics, attr: str) -> str:
    v = getattr(m, attr)
    return "n/a" if math.isnan(v) else f"{v:.2f}"


def pooled_threshold(variant: dict, row: str | None = None) -> float:
    """The best-macro-F1 threshold on the threshold splits of every set but `row` (None: every set)."""
    gold, scores = [], []
    for name, by in variant["sets"].items():
        if name != row and "threshold" in by:
            gold += by["threshold"]["gold"]
            scores += by["threshold"]["scores"]
    return choose_threshold(gold, scores)


def variant_metrics(variant: dict, row: str, held_out_parts: bool = False) -> tuple[Metrics, Metrics | None] | None:
    """(headline, in-domain-threshold) metrics of one variant on one set's test split; None when it has no
    scores for it, or when it trained on that set (unless `held_out_parts`: its test split holds other
    documents or claims than the train split)."""
    if row not in variant["sets"] or (row in (variant.get("trained_on") or []) and not held_out_parts):
        return None
    test = variant["sets"][row]["test"]
    if test.get("decisions") is not None:
        return metrics(test["gold"], test["decisions"]), None
    t = pooled_threshold(variant, row)
    own = variant["sets"][row]["threshold"]
    t_own = choose_threshold(own["gold"], own["scores"])
    cut = lambda s, th: [x >= th for x in s]  # noqa: E731
    return metrics(test["gold"], cut(test["scores"], t)), metrics(test["gold"], cut(test["scores"], t_own))


def _title(variant: dict) -> str:
    name = variant["variant"]
    if name in _FIXED_TITLES:
        return _FIXED_TITLES[name]
    if name == "model":
        return "shipped model alone, t from other sets (own set)"
    if name.endswith("+vetoes"):  # `baselines --weights`: other weights' verifier, at their threshold
        return f"{name.removesuffix('+vetoes')} verifier: model + vetoes (its t)"
    if name.endswith("-fixed"):
        return f"{name.removesuffix('-fixed')} model alone (its t)"
    return f"{name}, t from other sets (own set)"


def _order(variants: Sequence[dict]) -> list[dict]:
    rank = {"coverage": 0, "heuristics": 1, "shipped": 2, "model_fixed": 3, "model": 4}
    return sorted(variants, key=lambda v: (rank.get(v["variant"], 9), v["variant"]))


def matrix_markdown(variants: Sequence[dict], rows: Sequence[str], held_out_parts: bool = False) -> str:
    variants = _order(variants)
    out = []
    for attr, label in (("macro_f1", "macro-F1"), ("balanced_accuracy", "balanced accuracy")):
        note = ("* = a set the variant trained on: its test split's documents or claims were not" if held_out_parts
                else "— = the variant trained on that set")
        out.append(f"**{label}** on each set's test split ({note})\n")
        out.append("| set (test pairs) | " + " | ".join(_title(v) for v in variants) + " |")
        out.append("|---" * (len(variants) + 1) + "|")
        for row in rows:
            cells, n = [], 0
            for v in variants:
                got = variant_metrics(v, row, held_out_parts)
                if got is None:
                    cells.append("—")
                    continue
                head, own = got
                n = n or head.n
                mark = "*" if row in (v.get("trained_on") or []) else ""
                cells.append(_cell(head, attr) + mark + (f" ({_cell(own, attr)})" if own is not None else ""))
            out.append(f"| {row} ({n}) | " + " | ".join(cells) + " |")
        out.append("")
    for v in variants:
        if v.get("trained_on"):
            out.append(f"- `{v['variant']}`: trained on {', '.join(v['trained_on'])} "
                       f"({v.get('steps')} steps, {v.get('minutes', 0):.0f} min)")
    return "\n".join(out) + "\n"
