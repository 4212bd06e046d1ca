"""A tiny labelled claim/abstract folder in the BEIR layout (SciFact's), for the training tests."""

from __future__ import annotations

import json

ABSTRACT = (
    "We studied 120 patients over two years. Treatment with the drug lowered blood pressure in most of them. "
    "Side effects were mild. The effect persisted after the treatment stopped. Costs were not assessed. "
    "Further trials are planned in three countries."
)
OTHER = "Rainfall in the region rose sharply in the last decade. Farmers adapted their planting calendars."


def labelled_folder(tmp_path, n_claims=40):
    """A tiny BEIR-layout folder: corpus, queries with evidence sentence indices, grounding pairs."""
    (tmp_path / "corpus.jsonl").write_text(
        json.dumps({"_id": "100", "title": "Drug trial", "text": ABSTRACT}) + "\n"
        + json.dumps({"_id": "200", "title": "Rain", "text": OTHER}) + "\n")
    queries, pairs = [], []
    for c in range(n_claims):
        supported = c % 2 == 0
        claim = (f"The drug lowers blood pressure in cohort {claim_tag(c)}." if supported
                 else f"Rainfall fell in the region of cohort {claim_tag(c)}.")
        doc = "100" if supported else "200"
        meta = {"100": [{"sentences": [1], "label": "SUPPORT"}]} if supported else {}
        queries.append({"_id": str(c), "text": claim, "metadata": meta})
        context = ("Drug trial. " + ABSTRACT) if supported else ("Rain. " + OTHER)
        pairs.append({"id": f"{c}-{doc}", "context": context, "answer": claim,
                      "label": "supported" if supported else "unsupported"})
    (tmp_path / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    (tmp_path / "grounding_pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs))
    return tmp_path


def claim_tag(claim: int) -> str:
    """A lowercase word naming the claim that no perturbation rewrites (no digits, no capitals)."""
    return "".join(chr(ord("a") + int(d)) for d in str(claim))
