"""Training pairs from a labelled claim/abstract set: windows that carry the evidence keep the label,
windows without it are unsupported, and the held-out fifth of the claims is never trained on."""

from __future__ import annotations

import json
import random
import re

import pytest

from assistant.grounding.model import sentences_of
from tests.support.scifact import ABSTRACT, claim_tag, labelled_folder
from training.grounding_data import is_heldout, real_pairs


def _words(text: str) -> int:
    return len(text.split())


@pytest.mark.unit
def test_evidence_windows_keep_the_label_and_windows_without_it_are_unsupported(tmp_path):
    split = real_pairs(labelled_folder(tmp_path), random.Random(0), _words, budget=40, repeats=3)
    evidence = sentences_of(ABSTRACT)[1]
    supported = [p for p in split.pairs if p.label == 1]
    assert supported and all(evidence in p.context for p in supported)
    removed = [p for p in split.pairs if p.kind == "real_evidence_removed"]
    assert removed and all(evidence not in p.context for p in removed)
    flipped = [p for p in split.pairs if p.kind == "real_claim_flipped"]
    claims = {json.loads(l)["answer"] for l in (tmp_path / "grounding_pairs.jsonl").read_text().splitlines()}
    assert flipped and all(p.label == 0 and p.sentence not in claims for p in flipped)


@pytest.mark.unit
def test_the_held_out_fifth_of_claims_is_never_trained_on(tmp_path):
    split = real_pairs(labelled_folder(tmp_path), random.Random(0), _words)
    held_claims = {r["id"].split("-")[0] for r in split.held_rows}
    assert held_claims and all(is_heldout(r["id"]) for r in split.held_rows)
    assert not any(is_heldout(r["id"]) for r in split.train_rows)
    assert len(split.held_rows) + len(split.train_rows) == 40
    held_tags = {f"cohort {claim_tag(int(c))}" for c in held_claims}
    trained_tags = {t for p in split.pairs for t in re.findall(r"cohort [a-j]+", p.sentence)}
    assert trained_tags and not trained_tags & held_tags
