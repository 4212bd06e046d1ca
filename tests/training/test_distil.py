"""Distillation: a student with fewer encoder layers of the shipped network, trained on a teacher's
probabilities, ships and loads like any grounding weights (training/distil.py)."""

from __future__ import annotations

import json

import pytest

from training.nli_data import LabelledPair

PAIRS = [("The committee meets twice a year.", "The committee shall meet twice a year in Geneva."),
         ("Cats are reptiles.", "The committee shall meet twice a year in Geneva."),
         ("No Party may make a reservation.", "No Party may make a reservation to this Convention.")]


@pytest.mark.integration
def test_a_student_keeps_the_teacher_s_chosen_layers_and_ships_as_a_smaller_grounding_model(tmp_path):
    from sentence_transformers import CrossEncoder

    from assistant.grounding.model import NAMED_WEIGHTS, GroundingModel, ModelConfig
    from training.distil import student_from
    from training.lodo_ship import ship, unship

    teacher = NAMED_WEIGHTS["nli"]
    student_dir = student_from(teacher, [0, 2, 4, 5], tmp_path / "run" / "model")
    student = CrossEncoder(str(student_dir), num_labels=1, max_length=160, local_files_only=True)
    assert len(student.model.bert.encoder.layer) == 4
    with pytest.raises(SystemExit):
        student_from(teacher, [0, 0, 7], tmp_path / "bad")

    (tmp_path / "scores.json").write_text(json.dumps({"sets": {"a": {"threshold": {
        "gold": [False, True], "scores": [0.2, 0.8]}}}}))
    ship(student_dir, tmp_path / "scores.json", tmp_path / "weights")
    assert ModelConfig.read(tmp_path / "weights" / "config.json").layers == 4
    shipped = GroundingModel.load(tmp_path / "weights").predict(PAIRS)
    expected = student.predict(PAIRS, show_progress_bar=False)
    assert max(abs(float(a) - float(b)) for a, b in zip(shipped, expected)) < 0.01  # fp16 weights

    onnx = GroundingModel.load(tmp_path / "weights", backend="onnx", cache_dir=tmp_path / "cache").predict(PAIRS)
    assert max(abs(float(a) - float(b)) for a, b in zip(onnx, shipped)) < 1e-3
    back = CrossEncoder(str(unship(tmp_path / "weights", tmp_path / "unshipped")), num_labels=1, max_length=160,
                        local_files_only=True)
    assert len(back.model.bert.encoder.layer) == 4


@pytest.mark.integration
def test_the_teacher_s_probabilities_are_computed_once_for_the_same_pairs(tmp_path):
    from assistant.grounding.model import NAMED_WEIGHTS, GroundingModel
    from training.distil import teacher_probabilities

    pairs = [LabelledPair("t", premise, claim, True, "g") for claim, premise in PAIRS]
    cache = tmp_path / "targets.json"
    got = teacher_probabilities(NAMED_WEIGHTS["nli"], pairs, 160, cache)
    direct = GroundingModel.load(NAMED_WEIGHTS["nli"]).predict(PAIRS)  # short passages: one window each
    assert max(abs(a - float(b)) for a, b in zip(got, direct)) < 1e-3
    cache.write_text(cache.read_text().replace(str(got[0]), "0.123"))  # a cache hit reads the file back
    assert teacher_probabilities(NAMED_WEIGHTS["nli"], pairs, 160, cache)[0] == 0.123
    assert teacher_probabilities(NAMED_WEIGHTS["nli"], pairs[:2], 160, cache)[0] != 0.123  # other pairs: scored anew


@pytest.mark.integration
def test_a_student_trains_on_the_teacher_s_probabilities_and_its_record_names_the_sets(tmp_path):
    from pathlib import Path

    from assistant.grounding.model import NAMED_WEIGHTS
    from training.distil import student_from
    from training.lodo_train import TrainConfig, train

    base = student_from(NAMED_WEIGHTS["nli"], [0, 5], tmp_path / "base")
    pairs = [LabelledPair("snli", premise, claim, True, str(i)) for i, (claim, premise) in enumerate(PAIRS)] * 4
    cfg = TrainConfig(out_dir=tmp_path / "run", train_sets=("snli",), nli_root=Path("."), scifact_root=Path("."),
                      steps=3, batch=4, base=str(base), frozen_layers=0, head_lr_factor=1.0)
    with pytest.raises(ValueError):
        train(cfg, given=pairs, targets=[0.5])
    done = train(cfg, given=pairs, targets=[0.9, 0.1, 0.8] * 4, counts={"snli": {"pairs": 12, "supported": 12}})
    assert done.finished and (tmp_path / "run" / "model" / "model.safetensors").is_file()
    record = json.loads((tmp_path / "run" / "training.json").read_text())
    assert record["data"] == {"snli": {"pairs": 12, "supported": 12}}
