"""Scoring the verifier variants on labelled pairs, and the arithmetic of the matrix.

A variant gives each (premise, hypothesis) a score in [0, 1] and, when it has a shipped decision rule,
its own decision (the shipped verifier as answers use it). Thresholds for the other rows are chosen on
threshold-split pairs only (`choose_threshold`), never on the pairs they are reported on.
Metrics: macro-F1 over {supported, unsupported} and balanced accuracy (the mean of the two recalls,
the LLM-AggreFact convention); NaN when undefined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.verify.lexical import content_stems
from eval.metrics.classification import classification_report
from training.nli_data import LabelledPair

COVERAGE_THRESHOLD = 0.6
_LABELS = ("supported", "unsupported")


@dataclass(frozen=True)
class Metrics:
    macro_f1: float
    balanced_accuracy: float
    n: int


@dataclass(frozen=True)
class Scored:
    """One variant's scores on a list of pairs, and its own decisions when it has a fixed rule."""

    scores: tuple[float, ...]
    decisions: tuple[bool, ...] | None = None


def metrics(gold: Sequence[bool], predicted: Sequence[bool]) -> Metrics:
    if not gold:
        return Metrics(math.nan, math.nan, 0)
    lab = lambda xs: ["supported" if x else "unsupported" for x in xs]  # noqa: E731
    report = classification_report(lab(gold), lab(predicted), labels=_LABELS)
    recalls = [c.recall for c in report.classes]
    balanced = math.nan if any(math.isnan(r) for r in recalls) else sum(recalls) / 2
    return Metrics(report.macro_f1, balanced, report.n)


def choose_threshold(gold: Sequence[bool], scores: Sequence[float]) -> float:
    """The threshold on a 0.01 grid with the best macro-F1 on these (threshold-split) pairs."""
    s = np.asarray(scores, dtype=float)
    best_t, best_f = 0.5, -1.0
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        f = metrics(gold, list(s >= t)).macro_f1
        if not math.isnan(f) and f > best_f:
            best_t, best_f = float(t), f
    return best_t


def word_coverage(premise: str, hypothesis: str) -> float:
    """Share of the hypothesis's distinct content words (stemmed) that the premise contains."""
    want = set(content_stems(hypothesis))
    if not want:
        return 1.0
    return len(want & set(content_stems(premise))) / len(want)


def coverage_scores(pairs: Sequence[LabelledPair]) -> Scored:
    s = tuple(word_coverage(p.premise, p.hypothesis) for p in pairs)
    return Scored(s, tuple(v >= COVERAGE_THRESHOLD for v in s))


def verifier_scores(pairs: Sequence[LabelledPair], embedder, progress=None, weights_dir=None) -> dict[str, Scored]:
    """The shipped verifier (grounding model + vetoes), the heuristic verifier and the bare model,
    from one pass of the verifier's signals, with the decision rules `Verifier.score_many` applies.
    `weights_dir`: other grounding weights than the default (their own threshold)."""
    from assistant.verify import Verifier, verbatim_in
    from assistant.verify.crossenc import CrossEncoderSignal

    xenc = CrossEncoderSignal(weights_dir=weights_dir)
    verifier = Verifier(embedder=embedder, cross_encoder=xenc)
    items = [(p.hypothesis, [p.premise]) for p in pairs]
    feats = [f for f, _ in verifier.features_many(verifier.builder.build_many(items, progress=progress))]
    verbatim = [verbatim_in(s, ps) is not None for s, ps in items]
    model, thr = verifier.model, xenc.threshold
    vetoed_x = [model.vetoed(f, xenc.extra_vetoes) for f in feats]
    vetoed_h = [model.vetoed(f) for f in feats]
    bare = tuple(float(f["xenc"]) for f in feats)
    shipped = tuple(1.0 if vb else (0.0 if vt else x) for x, vt, vb in zip(bare, vetoed_x, verbatim))
    heur = tuple(1.0 if vb else (0.0 if vt else model.probability(f)) for f, vt, vb in zip(feats, vetoed_h, verbatim))
    return {
        "shipped": Scored(shipped, tuple(s >= thr for s in shipped)),
        "heuristics": Scored(heur, tuple(s >= model.threshold for s in heur)),
        "model_fixed": Scored(bare, tuple(s >= thr for s in bare)),  # the vetoes' worth: shipped vs this
        "model": Scored(bare),  # cut at a threshold chosen on threshold splits
    }


@dataclass(frozen=True)
class VetoRow:
    """One veto on one set: how often it fires, how often it overturns the bare model's "supported", and how
    often it is right to (the pair is unsupported)."""

    veto: str
    pairs: int
    fired: int
    overturned: int  # fired on a pair the bare model (at its threshold) calls supported
    right: int  # … of which the pair is really unsupported

    @property
    def precision(self) -> float:
        return self.right / self.overturned if self.overturned else float("nan")


def veto_breakdown(pairs: Sequence[LabelledPair], embedder, progress=None) -> list[VetoRow]:
    """Each veto of the shipped verifier, measured alone on `pairs` (verbatim quotes excluded: no veto runs
    on them), as `Verifier.score_many` applies it on top of the grounding model."""
    from assistant.verify import Verifier, verbatim_in
    from assistant.verify.crossenc import CrossEncoderSignal

    xenc = CrossEncoderSignal()
    verifier = Verifier(embedder=embedder, cross_encoder=xenc)
    items = [(p.hypothesis, [p.premise]) for p in pairs]
    feats = [f for f, _ in verifier.features_many(verifier.builder.build_many(items, progress=progress))]
    keep = [i for i, (s, ps) in enumerate(items) if verbatim_in(s, ps) is None]
    vetoes = (*verifier.model.vetoes, *xenc.extra_vetoes)
    rows = []
    for v in (*vetoes, "any"):
        fires = [i for i in keep if (any(feats[i].get(x, 0.0) > 0 for x in vetoes) if v == "any"
                                     else feats[i].get(v, 0.0) > 0)]
        over = [i for i in fires if float(feats[i]["xenc"]) >= xenc.threshold]
        rows.append(VetoRow(v, len(keep), len(fires), len(over), sum(1 for i in over if not pairs[i].supported)))
    return rows


def cross_encoder_scores(pairs: Sequence[LabelledPair], model, window_tokens: int = 200,
                         batch_size: int = 32) -> Scored:
    """A trained `sentence_transformers.CrossEncoder`: P(supported) of the best window of the premise."""
    from assistant.grounding.model import sentence_windows

    flat, owner = [], []
    for i, p in enumerate(pairs):
        for w in sentence_windows(p.premise, model.tokenizer, window_tokens):
            flat.append((p.hypothesis, w))
            owner.append(i)
    probs = model.predict(flat, batch_size=batch_size, show_progress_bar=False) if flat else []
    best = [0.0] * len(pairs)
    for o, v in zip(owner, np.asarray(probs, dtype=float).reshape(-1)):
        best[o] = max(best[o], float(v))
    return Scored(tuple(best))
