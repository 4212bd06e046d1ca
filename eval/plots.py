"""The report's plots, drawn with matplotlib (Agg) and returned as base64 PNG for inline <img>."""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if TYPE_CHECKING:
    from eval.results import AnswerEvalRun

GREEN, RED, BLUE, GREY, AMBER = "#2e9d5b", "#d1495b", "#3a6ea5", "#9aa5b1", "#e0a100"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _style(ax, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold", color="#1f2933")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors="#52606d", labelsize=9)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def support_scores(run: "AnswerEvalRun") -> str:
    """Verifier scores of every answer sentence, split by verdict."""
    sup = [s["score"] for r in run.items if not r.refused for s in r.sentences if s["supported"]]
    uns = [s["score"] for r in run.items if not r.refused for s in r.sentences if not s["supported"]]
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    everything = sup + uns
    lo, hi = min(everything + [0.0]), max(everything + [1.0])  # scores are usually 0..1: keep that frame
    bins = [lo + (hi - lo) * i / 20 for i in range(21)]
    ax.hist([sup, uns], bins=bins, stacked=True, color=[GREEN, RED],
            label=[f"supported ({len(sup)})", f"unsupported ({len(uns)})"])
    ax.set_xlabel("verifier score per sentence", fontsize=9)
    ax.set_ylabel("sentences", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    _style(ax, "Support scores")
    return _png(fig)


def latency(run: "AnswerEvalRun") -> str:
    """Total answer time per question with p50 / p95 marked."""
    ms = [r.latency_ms for r in run.items]
    fig, (ax, stages) = plt.subplots(2, 1, figsize=(5.2, 3.6), gridspec_kw={"height_ratios": [5, 1]})
    _stages(stages, run)
    ax.hist(ms, bins=20, color=BLUE, alpha=0.85)
    for key, colour, label in (("latency_p50_ms", GREY, "p50"), ("latency_p95_ms", AMBER, "p95")):
        v = run.metrics.get(key, math.nan)
        if not math.isnan(v):
            ax.axvline(v, color=colour, linestyle="--", linewidth=1.5)
            ax.text(v, ax.get_ylim()[1] * 0.95, f" {label} {v:.0f} ms", color=colour, fontsize=8, va="top")
    ax.set_xlabel("total time per question (ms)", fontsize=9)
    ax.set_ylabel("questions", fontsize=9)
    _style(ax, "Latency")
    fig.tight_layout()
    return _png(fig)


def _stages(ax, run: "AnswerEvalRun") -> None:
    """One stacked bar: where the mean question's time goes (retrieve / answer / verify / other)."""
    names = [k for k in dict.fromkeys(k for r in run.items for k in r.timings_ms) if k != "total"]
    n = max(len(run.items), 1)
    means = {k: sum(r.timings_ms.get(k, 0.0) for r in run.items) / n for k in names}
    total = sum(r.latency_ms for r in run.items) / n
    if total - sum(means.values()) > 0.01 * total:
        means["other"] = total - sum(means.values())
    left = 0.0
    for (name, v), colour in zip(means.items(), [BLUE, GREEN, AMBER, GREY, RED, "#7b5ea7"]):
        ax.barh([0], [v], left=left, color=colour, height=0.6)
        if total and v / total > 0.08:
            ax.text(left + v / 2, 0, f"{name} {v:,.0f}", ha="center", va="center", fontsize=7, color="white")
        left += v
    ax.set_xlim(0, max(left, 1e-9))
    ax.set_yticks([])
    ax.set_xlabel("mean time per question by stage (ms)", fontsize=8)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors="#52606d", labelsize=8)


def grouped_bars(groups: dict[str, dict], labels: list[str], series, title: str) -> str:
    """Horizontal grouped bars, one row per group and one bar per (key, label, colour) of `series`, values
    in [0, 1] read from `groups[g][key]` (NaN shown as "n/a"); `labels` are the rows' names. Base64 PNG."""
    names = list(groups)
    fig, ax = plt.subplots(figsize=(10.4, 0.5 + 0.55 * max(len(names), 1)))
    h = 0.26
    for j, (key, label, colour) in enumerate(series):
        vals = [groups[g].get(key, math.nan) for g in names]
        ys = [i + (j - 1) * h for i in range(len(names))]
        ax.barh(ys, [0 if math.isnan(v) else v for v in vals], height=h, color=colour, label=label)
        for y, v in zip(ys, vals):
            ax.text(0.005 if math.isnan(v) else v + 0.005, y, "n/a" if math.isnan(v) else f"{v:.0%}",
                    va="center", fontsize=7, color="#52606d")
    ax.set_yticks(range(len(names)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(frameon=False, fontsize=8, ncol=3, loc="lower right", bbox_to_anchor=(1, 1))
    _style(ax, title)
    ax.grid(axis="x", color="#e4e7eb", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    return _png(fig)


def per_tag(run: "AnswerEvalRun") -> str:
    """Per tag: share handled correctly, retrieval hit rate and citation recall (grouped bars)."""
    series = (("correct", "handled correctly", GREEN), ("hit_rate_at_k", f"hit rate@{run.meta.get('k')}", BLUE),
              ("citation_recall", "citation recall", AMBER))
    labels = [f"{t} (n={int(run.by_tag[t]['n'])})" for t in run.by_tag]
    return grouped_bars(run.by_tag, labels, series, "By tag")
