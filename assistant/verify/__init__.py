"""The verifier: does each answer sentence follow from the passages it cites?

`Verifier.score(sentence, passages) -> Support` (one sentence) and `score_many(pairs)` (a batch,
embeddings computed together). The main signal is the grounding cross-encoder
(assistant/verify/crossenc.py over assistant/grounding/, threshold from its validation split) when
its weights ship; the offline signals (assistant/verify/signals.py: similarity to the best source
sentence, content-word coverage, numbers, names, negation, direction words, word order) then veto
and give reasons. Without the model (or with `verifier = heuristics`) those signals are combined by
a logistic model whose weights and threshold ship in `model.json` (fitted by `training/fit_verifier.py`).
More signals plug in with `signals=[...]`; a model file that names their features gives them weight.

A sentence with no cited passage is unsupported.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from assistant.verify.signals import ContextBuilder, PairContext, Signal, SignalOutput, default_signals
from lexcite.errors import ConfigError
from lexcite.registry import VERIFIERS

MODEL_PATH = Path(__file__).with_name("model.json")

__all__ = ["Support", "Verifier", "LogisticModel", "make_verifier", "MODEL_PATH"]


@dataclass(frozen=True)
class Support:
    supported: bool
    score: float  # P(supported) from the combiner, in [0, 1]
    best: int  # index of the passage holding the best-aligned source sentence (-1 if none)
    best_start: int = -1  # char span of that source sentence inside passages[best]
    best_end: int = -1
    reasons: tuple[str, ...] = ()  # what speaks against support ("number 5 not in source", …)
    features: Mapping[str, float] = field(default_factory=dict, compare=False)


VERBATIM_MIN_WORDS = 4


def verbatim_in(sentence: str, passages: Sequence[str]) -> tuple[int, int, int] | None:
    """(passage index, start, end) where `sentence` stands word for word (whitespace aside) in a passage;
    None for a sentence of fewer than VERBATIM_MIN_WORDS words or one that is not there."""
    words = sentence.split()
    if len(words) < VERBATIM_MIN_WORDS:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    for i, p in enumerate(passages):
        m = pattern.search(p)
        if m:
            return i, m.start(), m.end()
    return None


@dataclass(frozen=True)
class LogisticModel:
    """P(supported) = sigmoid(bias + sum w_f * (x_f - mean_f) / scale_f); `threshold` on P."""

    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5
    means: Mapping[str, float] = field(default_factory=dict)
    scales: Mapping[str, float] = field(default_factory=dict)
    vetoes: tuple[str, ...] = ()  # features that, when > 0, make the sentence unsupported
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias
        for name, w in self.weights.items():
            x = float(features.get(name, self.means.get(name, 0.0)))
            z += w * (x - self.means.get(name, 0.0)) / (self.scales.get(name, 1.0) or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def vetoed(self, features: Mapping[str, float], extra: Sequence[str] = ()) -> bool:
        """Whether any veto feature (the model's own, plus `extra`) fired."""
        return any(features.get(v, 0.0) > 0 for v in (*self.vetoes, *extra))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "LogisticModel":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(weights=data["weights"], bias=float(data["bias"]),
                       threshold=float(data.get("threshold", 0.5)), means=data.get("means", {}),
                       scales=data.get("scales", {}), vetoes=tuple(data.get("vetoes", ())),
                       meta=data.get("meta", {}))
        except FileNotFoundError:
            raise ConfigError(f"verifier model {path} is missing; restore it from git or run "
                              "`python -m training.fit_verifier`") from None
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"verifier model {path} is not valid ({exc}); re-run "
                              "`python -m training.fit_verifier`") from None

    def to_dict(self) -> dict:
        return {"weights": dict(self.weights), "bias": self.bias, "threshold": self.threshold,
                "means": dict(self.means), "scales": dict(self.scales), "vetoes": list(self.vetoes),
                "meta": dict(self.meta)}


class Verifier:
    """Scores support of sentences by the passages they cite. Heavy parts load lazily."""

    def __init__(self, embedder=None, threshold: float | None = None,
                 signals: Sequence[Signal] | None = None, model: LogisticModel | None = None,
                 batch_size: int = 64, cross_encoder=None):
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"verifier threshold {threshold} must be between 0 and 1")
        self._embedder = embedder
        self.signals: list[Signal] = list(signals) if signals is not None else default_signals()
        self._model = model
        self._threshold = threshold
        self._batch_size = batch_size
        self._builder: ContextBuilder | None = None
        # The trained grounding model (assistant/grounding), when given, is the main signal.
        self.cross_encoder = cross_encoder
        if cross_encoder is not None:
            self.signals.append(cross_encoder)

    @property
    def model(self) -> LogisticModel:
        if self._model is None:
            self._model = LogisticModel.load()
        return self._model

    @property
    def threshold(self) -> float:
        if self._threshold is not None:
            return self._threshold
        if self.cross_encoder is not None:
            return self.cross_encoder.threshold
        return self.model.threshold

    @property
    def kind(self) -> str:
        return "cross-encoder + vetoes" if self.cross_encoder is not None else "heuristic signals"

    @property
    def builder(self) -> ContextBuilder:
        if self._builder is None:
            if self._embedder is None:
                from ingest.embedder import get_embedder

                self._embedder = get_embedder("")
            self._builder = ContextBuilder(self._embedder, batch_size=self._batch_size)
        return self._builder

    def warm_up(self) -> None:
        """Load the grounding model with its tokenizer, and the context builder when the embedder is known,
        now rather than on the first sentence (a server does it before it listens)."""
        if self.cross_encoder is not None:
            self.cross_encoder.model.predict_best([("warm-up", ["warm-up."])])
        if self._embedder is not None:
            self.builder  # noqa: B018

    def score(self, sentence: str, passages: Sequence[str]) -> Support:
        return self.score_many([(sentence, passages)])[0]

    def score_many(self, pairs: Sequence[tuple[str, Sequence[str]]], progress=None,
                   quote_rule: bool = True) -> list[Support]:
        """Score many (sentence, passages) pairs; embeddings are computed in shared batches. `quote_rule=False`
        weighs a word-for-word quote like any other sentence (benches measure the model on copies that way)."""
        results: list[Support | None] = [None] * len(pairs)
        todo: list[int] = []
        for i, (sentence, passages) in enumerate(pairs):
            passages = [p for p in (passages or []) if p and p.strip()]
            if not passages:
                results[i] = Support(False, 0.0, -1, reasons=("no cited passage",))
            elif not sentence or not sentence.strip():
                results[i] = Support(False, 0.0, -1, reasons=("empty sentence",))
            elif quote_rule and (found := verbatim_in(sentence, passages)) is not None:
                # a quote of a cited passage, word for word, is entailed by it: nothing to weigh
                results[i] = Support(True, 1.0, found[0], found[1], found[2], reasons=())
            else:
                todo.append(i)
        if todo:
            contexts = self.builder.build_many(
                [(pairs[i][0], [p for p in pairs[i][1] if p and p.strip()]) for i in todo], progress=progress
            )
            for i, support in zip(todo, self._combine(contexts)):
                results[i] = support
        return results  # type: ignore[return-value]

    def features_many(self, contexts: Sequence[PairContext]) -> list[tuple[dict[str, float], tuple[str, ...]]]:
        merged: list[tuple[dict[str, float], list[str]]] = [({}, []) for _ in contexts]
        for signal in self.signals:
            outs: list[SignalOutput] = signal.evaluate_many(contexts)
            for (feats, reasons), out in zip(merged, outs):
                feats.update(out.features)
                reasons.extend(out.reasons)
        return [(f, tuple(r)) for f, r in merged]

    def _combine(self, contexts: Sequence[PairContext]) -> list[Support]:
        out = []
        model, threshold = self.model, self.threshold
        extra = self.cross_encoder.extra_vetoes if self.cross_encoder is not None else ()
        for ctx, (feats, reasons) in zip(contexts, self.features_many(contexts)):
            p = feats["xenc"] if self.cross_encoder is not None else model.probability(feats)
            vetoed = model.vetoed(feats, extra)
            supported = p >= threshold and not vetoed
            if vetoed:  # keep "score >= threshold" and "supported" saying the same thing
                p = min(p, max(0.0, threshold - 0.01))
            best = ctx.best
            out.append(Support(supported, p, best.passage if best else -1,
                               best.start if best else -1, best.end if best else -1,
                               reasons, feats))
        return out


def make_verifier(settings=None, embedder=None, kind: str | None = None) -> Verifier:
    """The verifier the assistant and `lexcite eval grounding` use (shipped model and threshold).

    `kind` (default: settings.verifier, else "auto"): "model" = the shipped grounding cross-encoder
    as the main signal, "heuristics" = the logistic combiner, "auto" = the model when its weights
    ship. The heuristic weights were fitted with all-MiniLM-L6-v2 similarities; another embedding
    model (settings.embedding_model) works but its threshold is then uncalibrated.
    """
    if embedder is None and settings is not None and getattr(settings, "embedding_model", ""):
        from ingest.embedder import embedder_for

        embedder = embedder_for(settings)
    kind = kind or getattr(settings, "verifier", "auto") or "auto"
    VERIFIERS.check(kind)
    from assistant.grounding.model import WEIGHTS_DIR, GroundingModel, runtime_for, weights_dir_for
    from assistant.verify.crossenc import CrossEncoderSignal

    weights = weights_dir_for(settings) if settings is not None and kind != "heuristics" else WEIGHTS_DIR
    use_model = kind != "heuristics" and GroundingModel.available(weights)
    if kind == "model" and not use_model:
        raise ConfigError("verifier 'model' needs the grounding weights in assistant/grounding/weights; restore "
                          "them from git, train them (python -m training.train_grounding), or set verifier = heuristics")
    signal = None
    if use_model:  # the encoder backend setting runs the cross-encoder too (grounding/model.py: runtime_for)
        signal = CrossEncoderSignal(backend=runtime_for(settings), cache_dir=getattr(settings, "cache_dir", None),
                                    weights_dir=weights)
    return Verifier(embedder=embedder, cross_encoder=signal)
