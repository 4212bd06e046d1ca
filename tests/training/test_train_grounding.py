"""Training the grounding cross-encoder: the perturbations change what a sentence claims, and the
training script never rots."""

from __future__ import annotations

import json

import pytest

from assistant.grounding.model import GroundingModel
from tests.support.grounding_text import LEGAL
from tests.support.scifact import labelled_folder
from training.perturb import negate, pairs_from_text, split_sentences, swap_antonym, swap_number


@pytest.mark.unit
def test_perturbations_change_what_the_sentence_claims():
    import random

    rng = random.Random(0)
    s = "The penalty for this offence shall be imprisonment of up to 10 years."
    assert "not" in negate(s)
    assert "10" not in swap_number(s, LEGAL, rng)
    assert swap_antonym("No Party is permitted to make a reservation.", rng) == "No Party is prohibited to make a reservation."
    pairs = pairs_from_text(split_sentences(LEGAL), split_sentences(LEGAL), rng, per_doc=3)
    assert {p.label for p in pairs} == {0, 1}
    assert all(p.context for p in pairs)


@pytest.mark.slow
@pytest.mark.integration
def test_the_training_script_runs_end_to_end_on_a_tiny_sample(tmp_path):
    from training.train_grounding import main

    corpus = tmp_path / "legal.txt"
    corpus.write_text(LEGAL * 3)
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    labelled_folder(labelled)
    main(["--text", str(corpus), "--scifact", str(labelled), "--steps", "3", "--batch", "4", "--max-len", "96",
          "--window-tokens", "60", "--out", str(tmp_path / "w")])
    assert (tmp_path / "w" / "grounding-minilm.safetensors").stat().st_size > 1_000_000
    cfg = json.loads((tmp_path / "w" / "config.json").read_text())
    assert 0 < cfg["threshold"] < 1 and cfg["window_tokens"] == 60
    report = json.loads((tmp_path / "w" / "training.json").read_text())
    assert report["steps"] == 3 and report["validation"]["pairs"] > 0
    assert {"real_evidence", "real_evidence_removed", "copy"} <= set(report["kinds"])
    model = GroundingModel.load(tmp_path / "w")
    probs = model.predict([("The penalty is up to 10 years.", LEGAL)])
    assert 0.0 <= float(probs[0]) <= 1.0
