"""Labelled (premise, hypothesis, supported) pairs from the shared NLI sets and SciFact, split honestly.

Every pair belongs to a *group* (a contract, a claim, a premise): the unit that is never cut across
splits, so a test pair never shares its document or claim with a training pair. A group's split comes
from a hash of (set, group): 60% train, 20% threshold (for choosing decision thresholds, never
reported), 20% test. SciFact keeps the shipped model's own hold-out: its training claims are the
four fifths that `training.grounding_data.is_heldout` leaves to training, and the held-out fifth is
cut in two, threshold and test, so no figure on it comes from a claim the shipped model saw.

Layout read (see ../shared/datasets/nli/README.md): `<root>/<set>/pairs.jsonl` with premise,
hypothesis, label, split, source_id; `entailment` = supported, anything else = not supported.
SciFact: `grounding_pairs.jsonl` (context = abstract, answer = claim, label supported/unsupported).

`recipes` is made, not read: the corpus checks' synthetic recipes (training/recipes.py: a faithful variant and
a perturbation of one premise sentence) on the premises of the shippable sets, each pair in its source
group's split, so its threshold and test pairs come from premises no model trained on.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from lexcite.errors import ConfigError
from training.grounding_data import is_heldout
from training.pairs import LabelledPair
from training.recipes import recipe_pairs

SPLITS = ("train", "threshold", "test")
SCIFACT = "scifact"
RECIPES = "recipes"
RECIPES_PER_SPLIT = 500  # pairs made per source set and split (the samples take at most --test-n of all)


@dataclass(frozen=True)
class SetInfo:
    name: str
    licence: str
    shippable: bool  # CC BY / CC BY-SA / BSD: weights trained on it may ship for any use
    group_of: Callable[[dict], str]


def _by_premise(row: dict) -> str:
    return row["premise"]


def _by_hypothesis(row: dict) -> str:
    return row["hypothesis"]


def _by_source_prefix(row: dict) -> str:
    return str(row["source_id"]).split(":")[0]


SETS: dict[str, SetInfo] = {s.name: s for s in (
    SetInfo("contractnli", "CC BY 4.0", True, _by_source_prefix),  # "doc3:nda-11": the contract
    SetInfo("snli", "CC BY-SA 4.0", True, _by_premise),  # one caption, several hypotheses
    SetInfo("mnli_binary", "CC BY-SA 3.0 / BSD-3", True, _by_premise),
    SetInfo("fever_nli_binary", "CC BY-SA 3.0 / BSD-3", True, _by_hypothesis),  # the claim
    SetInfo("med", "CC BY-SA 4.0", True, _by_premise),
    SetInfo("legalbench_cuad", "CC BY 4.0", True, _by_premise),  # the clause
    SetInfo("climate_fever", "no licence file (Wikipedia text)", False, _by_source_prefix),  # the claim
    SetInfo("sufficient_facts", "no licence file (FEVER/HoVer/VitaminC, CC BY-SA)", False, _by_hypothesis),
    SetInfo(SCIFACT, "CC BY-NC 2.0", False, lambda row: row["id"].split("-")[0]),  # the claim
    SetInfo(RECIPES, "made from the shippable sets' premises", True, lambda row: row["group"]),  # "set|group"
)}


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)


def split_of(set_name: str, group: str) -> str:
    """train / threshold / test for a group, the same on every machine and every run."""
    if set_name == RECIPES:  # "contractnli|doc3": the source pair's split
        source, _, inner = group.partition("|")
        return split_of(source, inner)
    if set_name == SCIFACT:
        if not is_heldout(group):
            return "train"
        return "threshold" if _hash(f"{set_name}:{group}") % 2 == 0 else "test"
    bucket = _hash(f"{set_name}:{group}") % 10
    return "train" if bucket < 6 else "threshold" if bucket < 8 else "test"


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise ConfigError(f"{path} is missing; point --nli at ../shared/datasets/nli (or --scifact at "
                          "../shared/datasets/scifact-dev)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _fill_not_mentioned(rows: list[dict]) -> list[dict]:
    """ContractNLI leaves the premise empty when the contract does not mention the hypothesis: give it
    two other evidence spans of the same contract (deterministically), which then do not support it."""
    spans: dict[str, list[str]] = {}
    for r in rows:
        if r["premise"].strip():
            spans.setdefault(_by_source_prefix(r), []).append(r["premise"])
    out = []
    for r in rows:
        if r["premise"].strip():
            out.append(r)
            continue
        pool = sorted(set(spans.get(_by_source_prefix(r), [])))
        if not pool:
            continue  # a contract with no span at all gives nothing to judge against
        rng = random.Random(_hash(str(r["source_id"])))
        out.append({**r, "premise": " ".join(rng.sample(pool, min(2, len(pool))))})
    return out


def load_set(name: str, nli_root: Path, scifact_root: Path) -> list[LabelledPair]:
    if name not in SETS:
        raise ConfigError(f"unknown set {name!r}; choose from {', '.join(SETS)}")
    info = SETS[name]
    if name == RECIPES:
        return recipe_set(nli_root, scifact_root)
    if name == SCIFACT:
        rows = _read_jsonl(scifact_root / "grounding_pairs.jsonl")
        return [LabelledPair(name, r["context"], r["answer"], r["label"] == "supported", info.group_of(r))
                for r in rows]
    rows = _read_jsonl(nli_root / name / "pairs.jsonl")
    if name == "contractnli":
        rows = _fill_not_mentioned(rows)
    return [LabelledPair(name, r["premise"], r["hypothesis"], r["label"] == "entailment", info.group_of(r))
            for r in rows if r["premise"].strip() and r["hypothesis"].strip()]


def recipe_set(nli_root: Path, scifact_root: Path) -> list[LabelledPair]:
    """Recipe pairs on the threshold and test premises of each shippable set, the same on every run."""
    out: list[LabelledPair] = []
    for source in (n for n, info in SETS.items() if info.shippable and n != RECIPES):
        pairs = load_set(source, nli_root, scifact_root)
        for split in ("threshold", "test"):
            unique = list({p.premise: p for p in in_split(pairs, split)}.values())
            made = recipe_pairs(unique, RECIPES_PER_SPLIT, random.Random(_hash(f"{RECIPES}:{source}:{split}")))
            out += [LabelledPair(RECIPES, p.premise, p.hypothesis, p.supported, f"{source}|{p.group}") for p in made]
    return out


def in_split(pairs: Sequence[LabelledPair], split: str) -> list[LabelledPair]:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    return [p for p in pairs if split_of(p.set_name, p.group) == split]


def stratified_sample(pairs: Sequence[LabelledPair], n: int, seed: int) -> list[LabelledPair]:
    """At most `n` pairs, keeping the share of supported pairs, the same for the same seed."""
    if len(pairs) <= n:
        return list(pairs)
    rng = random.Random(seed)
    pos = [p for p in pairs if p.supported]
    neg = [p for p in pairs if not p.supported]
    n_pos = round(n * len(pos) / len(pairs))
    out = rng.sample(pos, n_pos) + rng.sample(neg, n - n_pos)
    rng.shuffle(out)
    return out
