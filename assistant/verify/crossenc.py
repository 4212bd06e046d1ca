"""The grounding cross-encoder as a verifier signal (assistant/grounding/, trained by us).

Feature `xenc` = P(supported) of the sentence by its best cited passage. When the shipped weights
are present the Verifier uses it as its main signal (threshold from the model's validation split),
keeping the heuristic vetoes (a changed number, a flipped negation or direction word, swapped
roles) and the heuristic features for reasons; without weights the logistic combiner is the fallback.
"""

from __future__ import annotations

from typing import Sequence

from assistant.verify.signals import PairContext, SignalOutput
from lexcite.text.markers import strip_markers


class CrossEncoderSignal:
    name = "xenc"
    # Heuristic features that veto on top of the logistic model's vetoes when this is the main
    # signal: the model is lenient on swapped names (bench/grounding.py measures with and without).
    extra_vetoes = ("entity_missing",)

    def __init__(self, model=None, backend: str = "torch", cache_dir=None, weights_dir=None):
        self._model = model
        self.weights_dir = weights_dir
        self.backend = backend if cache_dir is not None else "torch"  # ONNX needs a cache to export into
        self.cache_dir = cache_dir

    @property
    def model(self):
        if self._model is None:
            from assistant.grounding.model import WEIGHTS_DIR, GroundingModel

            # loads once per process and backend, under its own lock
            self._model = GroundingModel.shared(self.weights_dir or WEIGHTS_DIR, self.backend, self.cache_dir)
        return self._model

    @property
    def threshold(self) -> float:
        return float(self.model.config.threshold)

    def evaluate_many(self, contexts: Sequence[PairContext]) -> list[SignalOutput]:
        # "[1]" markers are ours, not the source's words
        best = self.model.predict_best([(strip_markers(c.sentence), c.passages) for c in contexts]) \
            if contexts else []
        out = []
        for b in map(float, best):
            reasons = () if b >= self.threshold else (f"grounding model: P(supported) {b:.2f}",)
            out.append(SignalOutput({"xenc": b}, reasons))
        return out
