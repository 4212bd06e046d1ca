"""The verifier's grounding cross-encoder on ONNX Runtime: exported once from the shipped weights, the same
probabilities as torch, and what `encoder_backend` picks for the verifier (fp32 ONNX for both ONNX settings)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.grounding.model import WEIGHTS_DIR, GroundingModel
from assistant.verify import make_verifier
from lexcite.settings import load_settings

PAIRS = [
    ("The controller shall notify the breach within 72 hours.",
     "In the case of a personal data breach, the controller shall without undue delay and, where feasible, not "
     "later than 72 hours after having become aware of it, notify the personal data breach to the supervisory "
     "authority."),
    ("The controller may wait a month before notifying the breach.",
     "In the case of a personal data breach, the controller shall without undue delay and, where feasible, not "
     "later than 72 hours after having become aware of it, notify the personal data breach."),
    ("Refugees may be expelled to the frontiers of territories where their life would be threatened.",
     "No Contracting State shall expel or return a refugee in any manner whatsoever to the frontiers of "
     "territories where his life or freedom would be threatened."),
    # longer than one scoring window: both backends split it into the same windows
    ("Each Party shall adopt measures against trafficking.",
     " ".join(["Each Party shall adopt such legislative and other measures as may be necessary."] * 40)),
]
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not GroundingModel.available(), reason="the grounding weights are not shipped")]


def test_the_onnx_export_scores_pairs_as_torch_does(tmp_path):
    torch_p = GroundingModel.load(WEIGHTS_DIR).predict(PAIRS)
    onnx = GroundingModel.load(WEIGHTS_DIR, backend="onnx", cache_dir=tmp_path)
    onnx_p = onnx.predict(PAIRS)
    assert np.allclose(onnx_p, torch_p, atol=1e-4), (onnx_p, torch_p)
    assert (onnx_p >= onnx.config.threshold).tolist() == (torch_p >= onnx.config.threshold).tolist()
    assert len(list((tmp_path / "grounding").glob("onnx-*.onnx"))) == 1  # exported once, reused
    GroundingModel.load(WEIGHTS_DIR, backend="onnx", cache_dir=tmp_path)
    assert len(list((tmp_path / "grounding").iterdir())) == 1


@pytest.mark.parametrize("encoder_backend, expected", [("torch", "torch"), ("onnx", "onnx"), ("onnx-int8", "onnx")])
def test_the_encoder_backend_setting_picks_the_cross_encoders_runtime(tmp_path, encoder_backend, expected):
    settings = load_settings(env={}, data_dir=tmp_path, encoder_backend=encoder_backend, verifier="model")
    verifier = make_verifier(settings, embedder=object(), kind="model")
    assert verifier.cross_encoder.backend == expected
