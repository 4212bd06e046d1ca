"""Questions answered at once share one grounding model: its scores do not depend on who else is asking."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.integration


def test_the_grounding_model_scores_the_same_when_many_threads_ask_at_once():
    from assistant.grounding.model import GroundingModel

    if not GroundingModel.available():
        pytest.skip("the grounding weights are not in this checkout")
    model = GroundingModel.shared()
    sentence = "Each Party shall keep records of every organ removal."
    passages = [" ".join(f"Sentence {j} of passage {i} says the register records removal number {j}."
                         for j in range(3 + 7 * i)) for i in range(8)]
    alone = [float(model.predict_best([(sentence, [p])])[0]) for p in passages]
    start = threading.Barrier(len(passages))
    together: dict[int, float] = {}
    errors: list[str] = []

    def score(i: int) -> None:
        start.wait()
        try:
            for _ in range(5):
                together[i] = float(model.predict_best([(sentence, [passages[i]])])[0])
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=score, args=(i,)) for i in range(len(passages))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert [round(together[i], 4) for i in range(len(passages))] == [round(a, 4) for a in alone]
