"""Fit the verifier's logistic combiner offline and write assistant/verify/model.json.

    python -m training.fit_verifier [--pairs eval/data/grounding_pairs.jsonl]
                                [--real ../shared/datasets/scifact-dev/grounding_pairs.jsonl]
                                [--cache /tmp/lexcite-verify-embeddings.npy] [--write]

Features come from the verifier's own signals (assistant/verify/signals.py). The model is fitted
on the corpus pairs plus, when given, the real labelled pairs (`--real`, never copied into the
repository). Reported: 5-fold cross-validated macro-F1 on the real pairs (each fold fitted on the
other four folds + the corpus pairs, threshold = best mean macro-F1 of the training folds and
the corpus pairs), the figures on
the corpus pairs, and the word-coverage baseline. `--write` saves the model fitted on everything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from assistant.verify import MODEL_PATH, LogisticModel, Verifier
from eval.grounding import GroundingPair, coverage_baseline, load_pairs
from eval.metrics.classification import classification_report

FEATURES = ("sim_best", "sim_window", "coverage", "coverage_aligned", "coverage_weighted",
            "novel_words", "number_missing",
            "number_missing_aligned", "entity_missing", "entity_missing_aligned", "negation_mismatch",
            "direction_conflict", "order_disagreement", "role_swap")
DEFAULT_REAL = Path("../shared/datasets/scifact-dev/grounding_pairs.jsonl")
LABELS = ("supported", "unsupported")
# A swapped number, a flipped negation, a flipped direction word or swapped roles fail whatever the other signals say.
VETOES = ("number_missing", "negation_mismatch", "direction_conflict", "role_swap")


def vetoed(X: np.ndarray) -> np.ndarray:
    return np.any(X[:, [FEATURES.index(v) for v in VETOES]] > 0, axis=1)


def decide(X: np.ndarray, p: np.ndarray, t: float) -> np.ndarray:
    return (p >= t) & ~vetoed(X)


def featurize(pairs: list[GroundingPair], verifier: Verifier, cache: Path | None) -> np.ndarray:
    builder = verifier.builder
    names = cache.with_suffix(".json") if cache else None
    if cache and cache.exists() and names.exists():
        vecs = np.load(cache, allow_pickle=False)
        for t, v in zip(json.loads(names.read_text(encoding="utf-8")), vecs):
            builder._cache[t] = v
        builder.cache_size = max(builder.cache_size, len(vecs) + 50_000)
    else:
        builder.cache_size = 200_000
    contexts = builder.build_many([(p.answer, list(p.contexts)) for p in pairs])
    if cache:
        texts = list(builder._cache)
        with open(cache, "wb") as fh:
            np.save(fh, np.stack([builder._cache[t] for t in texts]))
        names.write_text(json.dumps(texts), encoding="utf-8")
    feats = verifier.features_many(contexts)
    return np.array([[f.get(name, 0.0) for name in FEATURES] for f, _ in feats], dtype=np.float64)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None,
                 iters: int = 50) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """L2-regularised logistic regression by Newton steps on standardised features."""
    mean, scale = X.mean(0), X.std(0)
    scale[scale == 0] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    sw = np.ones(len(y)) if weights is None else weights
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(Z @ w, -50, 50)))
        g = Z.T @ (sw * (p - y)) + reg * w
        H = (Z * (sw * p * (1 - p))[:, None]).T @ Z + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mean, scale


def predict(X: np.ndarray, coef: np.ndarray, bias: float, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(((X - mean) / scale) @ coef + bias, -50, 50)))


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    lab = lambda a: ["supported" if v else "unsupported" for v in a]  # noqa: E731
    return classification_report(lab(y), lab(pred), labels=LABELS).macro_f1


def best_threshold(y: np.ndarray, p: np.ndarray, X: np.ndarray | None = None) -> float:
    grid = np.linspace(0.05, 0.95, 91)
    veto = vetoed(X) if X is not None else np.zeros(len(y), bool)
    scores = [macro_f1(y, (p >= t) & ~veto) for t in grid]
    return float(grid[int(np.argmax(scores))])


def balanced_threshold(sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> float:
    """The threshold with the best mean macro-F1 over the given (y, p, X) sets (corpus and real)."""
    grid = np.linspace(0.05, 0.95, 91)
    scores = [np.mean([macro_f1(y, decide(X, p, t)) for y, p, X in sets if len(y)]) for t in grid]
    return float(grid[int(np.argmax(scores))])


def sample_weights(is_real: np.ndarray) -> np.ndarray:
    """Each data set weighs the same in total, whatever its size."""
    w = np.ones(len(is_real))
    for flag in (True, False):
        n = int((is_real == flag).sum())
        if n:
            w[is_real == flag] = len(is_real) / (2 * n)
    return w


def report_block(name: str, y: np.ndarray, pred: np.ndarray) -> dict:
    lab = lambda a: ["supported" if v else "unsupported" for v in a]  # noqa: E731
    rep = classification_report(lab(y), lab(pred), labels=LABELS)
    print(f"\n== {name} ==\n{rep.table()}", file=sys.stderr)
    return rep.to_dict()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, default=Path("eval/data/grounding_pairs.jsonl"))
    ap.add_argument("--real", type=Path, default=DEFAULT_REAL)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/lexcite-verify-embeddings.npy"))
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--write", action="store_true", help=f"write {MODEL_PATH}")
    args = ap.parse_args(argv)

    verifier = Verifier(model=LogisticModel({}, 0.0))
    corpus = load_pairs(args.pairs)
    real = load_pairs(args.real) if args.real and args.real.exists() else []
    Xc = featurize(corpus, verifier, args.cache)
    yc = np.array([p.label == "supported" for p in corpus], dtype=float)
    Xr = featurize(real, verifier, args.cache) if real else np.zeros((0, len(FEATURES)))
    yr = np.array([p.label == "supported" for p in real], dtype=float)
    out: dict = {"features": FEATURES}

    if real:
        rng = np.random.default_rng(args.seed)
        fold = rng.permutation(len(real)) % args.folds
        held = np.zeros(len(real), dtype=bool)
        held_p = np.zeros(len(real))
        for k in range(args.folds):
            tr = fold != k
            X = np.vstack([Xc, Xr[tr]])
            y = np.concatenate([yc, yr[tr]])
            is_real = np.concatenate([np.zeros(len(Xc), bool), np.ones(tr.sum(), bool)])
            coef, bias, mean, scale = fit_logistic(X, y, args.l2, sample_weights(is_real))
            t = balanced_threshold([(yr[tr], predict(Xr[tr], coef, bias, mean, scale), Xr[tr]),
                                    (yc, predict(Xc, coef, bias, mean, scale), Xc)])
            held_p[~tr] = predict(Xr[~tr], coef, bias, mean, scale)
            held[~tr] = decide(Xr[~tr], held_p[~tr], t)
        out["real_cv"] = report_block(f"real pairs, {args.folds}-fold held-out (verifier)", yr, held)
        base_t = best_threshold(yr, _coverage(real))
        out["real_baseline"] = report_block(f"real pairs, word-coverage baseline (threshold {base_t:.2f}, "
                                            "tuned on these pairs)", yr, _coverage(real) >= base_t)
        out["baseline_threshold"] = base_t

    X = np.vstack([Xc, Xr])
    y = np.concatenate([yc, yr])
    is_real = np.concatenate([np.zeros(len(Xc), bool), np.ones(len(Xr), bool)])
    coef, bias, mean, scale = fit_logistic(X, y, args.l2, sample_weights(is_real))
    pc = predict(Xc, coef, bias, mean, scale)
    t = balanced_threshold([(yr, predict(Xr, coef, bias, mean, scale), Xr), (yc, pc, Xc)])
    out["threshold"] = t
    out["corpus"] = report_block(f"corpus pairs (verifier, threshold {t:.2f})", yc, decide(Xc, pc, t))
    out["corpus_baseline"] = report_block("corpus pairs, word-coverage baseline (0.6)", yc,
                                          np.array(coverage_baseline(corpus, 0.6)))
    if real:
        out["real_fit"] = report_block("real pairs, in-sample (model fitted on all)", yr,
                                       decide(Xr, predict(Xr, coef, bias, mean, scale), t))
    print("\nweights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, coef)), file=sys.stderr)
    kinds: dict[str, list[bool]] = {}
    for p, ok in zip(corpus, decide(Xc, pc, t) == (yc == 1)):
        kinds.setdefault(p.kind or "?", []).append(bool(ok))
    print("corpus accuracy by kind: " + ", ".join(f"{k} {np.mean(v):.2f} ({len(v)})" for k, v in sorted(kinds.items())),
          file=sys.stderr)
    if args.write:
        model = LogisticModel(
            weights={n: float(w) for n, w in zip(FEATURES, coef)}, bias=float(bias), threshold=float(t),
            means={n: float(m) for n, m in zip(FEATURES, mean)}, scales={n: float(s) for n, s in zip(FEATURES, scale)},
            vetoes=VETOES,
            meta={"fitted_on": [str(args.pairs), "real labelled pairs (SciFact dev, CC BY-NC 2.0)" if real else ""],
                  "l2": args.l2, "real_cv_macro_f1": out.get("real_cv", {}).get("macro_f1"),
                  "corpus_macro_f1": out["corpus"]["macro_f1"]},
        )
        MODEL_PATH.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}", file=sys.stderr)
    print(json.dumps(out, default=float))


def _coverage(pairs: list[GroundingPair]) -> np.ndarray:
    from assistant.verify import lexical as lx

    vals = []
    for p in pairs:
        words = set(lx.content_stems(p.answer))
        ctx = set(lx.content_stems(" ".join(p.contexts)))
        vals.append(len(words & ctx) / len(words) if words else 0.0)
    return np.array(vals)


if __name__ == "__main__":
    main()
