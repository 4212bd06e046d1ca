"""The grounding cross-encoder as a verifier signal (assistant/grounding/, trained by us).

Feature `xenc` = P(supported) of the sentence by its best cited passage. When the shipped weights
are present the Verifier uses it as its main signal (threshold from the model's validation split),
keeping the heuristic vetoes (a changed number, a flipped negation or direction word, swapped
roles) and the heuristic features for reasons; without weights the logistic combiner is the fallback.
"""

from __future__ import annotations

import threading
from typing import Sequence

from assistant.verify import lexical as lx
from assistant.verify.signals import PairContext, SignalOutput


class CrossEncoderSignal:
    name = "xenc"

    def __init__(self, model=None):
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from assistant.grounding.model import GroundingModel

                    self._model = GroundingModel.shared()
        return self._model

    @property
    def threshold(self) -> float:
        return float(self.model.config.threshold)

    def evaluate_many(self, contexts: Sequence[PairContext]) -> list[SignalOutput]:
        flat: list[tuple[str, str]] = []
        owner: list[int] = []
        for i, ctx in enumerate(contexts):
            sentence = lx.strip_markers(ctx.sentence)  # "[1]" is ours, not the source's words
            for p in ctx.passages:
                flat.append((sentence, p))
                owner.append(i)
        probs = self.model.predict(flat) if flat else []
        best = [0.0] * len(contexts)
        for o, p in zip(owner, probs):
            best[o] = max(best[o], float(p))
        out = []
        for b in best:
            reasons = () if b >= self.threshold else (f"grounding model: P(supported) {b:.2f}",)
            out.append(SignalOutput({"xenc": b}, reasons))
        return out

