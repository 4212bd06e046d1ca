"""The grounding cross-encoder: the shipped weights judge well (its training: tests/training/)."""

from __future__ import annotations

import pytest

from assistant.grounding.model import GroundingModel
from tests.support.grounding_text import LEGAL


ARREST = ("The Spanish police arrested the surgeon in Madrid on 3 May 2019, after INTERPOL issued a Red Notice "
          "at the request of Costa Rica.")

SUPPORTED_AND_TWINS = [
    # (passage, supported sentence, perturbed twin, kind)
    (LEGAL, "The penalty for this offence shall be imprisonment of up to 10 years.",
     "The penalty for this offence shall be imprisonment of up to 2 years.", "number"),
    (LEGAL, "No Party is permitted to make a reservation to Article 4.",
     "Any Party is permitted to make a reservation to Article 4.", "negation"),
    (LEGAL, "Requests shall be transmitted through Interpol or directly between judicial authorities.",
     "Requests shall be transmitted through Europol or directly between judicial authorities.", "entity"),
    ("Exports increased sharply in 2019 after the tariff was removed.", "Exports increased sharply in 2019.",
     "Exports decreased sharply in 2019.", "antonym"),
    (ARREST, "The surgeon was arrested on 3 May 2019.", "The surgeon was arrested on 3 May 2017.", "date"),
    (ARREST, "The Spanish police arrested the surgeon.", "The surgeon arrested the Spanish police.", "actor"),
    (ARREST, "INTERPOL issued a Red Notice.", "INTERPOL did not issue a Red Notice.", "not"),
    (LEGAL, "Each State Party shall establish as a criminal offence the removal of organs without consent.",
     "Each State Party shall establish as a criminal offence the removal of organs without consent, "
     "and shall compensate every donor with a fixed payment.", "added_clause"),
    ("The committee meets in Geneva every two years.", "The committee meets in Geneva every two years.",
     "The committee meets in Vienna every two years.", "place"),
]


@pytest.mark.integration
@pytest.mark.skipif(not GroundingModel.available(), reason="no shipped grounding weights in assistant/grounding/weights")
@pytest.mark.parametrize("passage,good,bad,kind", SUPPORTED_AND_TWINS, ids=[k for *_, k in SUPPORTED_AND_TWINS])
def test_shipped_weights_rank_a_supported_sentence_above_its_perturbed_twin(passage, good, bad, kind):
    model = _shipped()
    p_good, p_bad = model.predict([(good, passage), (bad, passage)])
    assert p_good > p_bad, f"{kind}: supported {p_good:.3f} <= perturbed {p_bad:.3f}"


@pytest.mark.integration
@pytest.mark.skipif(not GroundingModel.available(), reason="no shipped grounding weights in assistant/grounding/weights")
@pytest.mark.xfail(strict=True, reason="known limit (model card): 'rose'/'fell' are not among the training antonyms "
                   "and the model scores both near 0.57 (the verifier's direction-word veto catches the pair)")
def test_known_limit_rose_and_fell():
    passage = "Exports rose sharply in 2019 after the tariff was removed."
    p_good, p_bad = _shipped().predict([("Exports rose sharply in 2019.", passage), ("Exports fell sharply in 2019.", passage)])
    assert p_good > p_bad + 0.05


_MODEL = []


def _shipped() -> GroundingModel:
    if not _MODEL:
        _MODEL.append(GroundingModel.shared())
    return _MODEL[0]


@pytest.mark.integration
def test_the_grounding_weights_setting_picks_the_nli_model_and_a_wrong_folder_says_how_to_fix_it(tmp_path):
    from assistant.grounding.model import NAMED_WEIGHTS, ModelConfig
    from assistant.verify import make_verifier
    from lexcite.errors import ConfigError
    from lexcite.settings import load_settings

    nli = make_verifier(load_settings(env={}, grounding_weights="nli", data_dir=tmp_path), kind="model")
    assert nli.cross_encoder.threshold == ModelConfig.read(NAMED_WEIGHTS["nli"] / "config.json").threshold
    assert nli.cross_encoder.model.config.pooling == "pooler"
    default = make_verifier(load_settings(env={}, data_dir=tmp_path), kind="model")
    assert default.cross_encoder.model is not nli.cross_encoder.model
    with pytest.raises(ConfigError, match="grounding_weights .*training.lodo ship"):
        make_verifier(load_settings(env={}, grounding_weights=str(tmp_path / "nowhere"), data_dir=tmp_path))
