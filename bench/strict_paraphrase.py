"""Strict mode on real legal text: does the verifier keep a correct sentence an LLM reworded, and drop a wrong one?

Not a test (issue 19, item 4). From the legal-dev instruments' sentences (or any folder of documents), a
scripted "LLM" writes, for each sentence and the chunk it comes from:
  supported:   reworded (generic drafting synonyms: shall -> must, each -> every, in accordance with -> under …),
               a clause dropped, an introduction dropped, a hedge added (training/perturb.py's faithful variants);
  unsupported: negated, a number changed, a name swapped for another of the chunk's, roles swapped, a quantifier
               flipped, an antonym (training/perturb.py's perturbations); "sibling": the sentence of another chunk
               of the same document that shares most words with it (training/recipes.py's hard_neighbour), as
               when a draft cites the wrong provision of an instrument.
Each is scored by the default verifier against its chunk, as strict mode would, and again with one veto left
out at a time, so a veto's worth on LLM-style drafts is measured, not assumed. Verbatim copies are not scored
(they are supported without the model): the "copied" columns score them with that rule off, to show what the
model alone makes of a provision's own words; they are left out of "supported kept", which is what strict mode
does with a draft.

    .venv/bin/python bench/strict_paraphrase.py [--docs ../shared/legal-dev/docs] [--n 150] [--seed 0]

The perturbation recipes are the ones the shipped grounding model was trained with (on another text), so the
unsupported rows flatter it; the reworded rows use synonyms it never saw.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from training import perturb  # noqa: E402
from training.recipes import NEGATED, hard_neighbour  # noqa: E402

# generic English drafting synonyms (no topic): what a chat model rewording a provision tends to write
REWORDS = [(r"\bshall not\b", "must not"), (r"\bshall\b", "must"), (r"\bEach\b", "Every"), (r"\beach\b", "every"),
           (r"\bin accordance with\b", "under"), (r"\breferred to in\b", "mentioned in"), (r"\bprovided that\b", "as long as"),
           (r"\bin order to\b", "to"), (r"\bwith a view to\b", "in order to"), (r"\bpursuant to\b", "under"),
           (r"\bnotwithstanding\b", "despite"), (r"\bprior to\b", "before"), (r"\bthereof\b", "of it")]


def reword(s: str) -> str | None:
    out = s
    for pattern, rep in REWORDS:
        out = re.sub(pattern, rep, out)
    return out if out != s else None


def drafts(sentence: str, context: str, rng: random.Random, siblings: Sequence[str] = ()) -> list[tuple[str, str, bool]]:
    """(draft sentence, kind, supported) for one source sentence. "copied" drafts are scored with the
    verbatim-quote rule off: they measure the model on the source's own words ("No Party may ..." included)."""
    out = [(v, k, True) for v, k in perturb.supported_variants(sentence, rng) if k != "copy"]
    out.append((sentence, "copied, with a negation" if NEGATED.search(sentence) else "copied", True))
    if (r := reword(sentence)) is not None:
        out.append((r, "reworded", True))
    for kind, make in (("negated", lambda: perturb.negate(sentence)),
                       ("number", lambda: perturb.swap_number(sentence, context, rng)),
                       ("entity", lambda: perturb.swap_entity(sentence, context, rng)),
                       ("roles", lambda: perturb.swap_roles(sentence, rng)),
                       ("quantifier", lambda: perturb.flip_quantifier(sentence, rng)),
                       ("antonym", lambda: perturb.swap_antonym(sentence, rng))):
        if (d := make()) is not None and d != sentence:
            out.append((d, kind, False))
    if (near := hard_neighbour(sentence, context, siblings)) is not None:
        out.append((near, "sibling", False))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    legal = Path(os.environ.get("LEXCITE_LEGAL_DEV") or ROOT.parent / "shared" / "legal-dev") / "docs"
    ap.add_argument("--docs", type=Path, default=legal)
    ap.add_argument("--n", type=int, default=150, help="source sentences, spread over the documents")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from assistant.verify import LogisticModel, Verifier, make_verifier
    from assistant.verify.crossenc import CrossEncoderSignal
    from ingest import loaders
    from ingest.chunker import chunk
    from ingest.embedder import embedder_for
    from lexcite.settings import load_settings

    files = sorted(p for p in args.docs.glob("*") if p.suffix.lower() in loaders.SUPPORTED)
    if not files:
        raise SystemExit(f"no documents in {args.docs}")
    rng = random.Random(args.seed)
    pool, by_doc = [], defaultdict(list)
    for path in files:
        for c in chunk(loaders.load(path, path.name)):
            sents = [s for s in perturb.split_sentences(c.text) if len(s.split()) >= 8]
            pool += [(s, c.text, path.name) for s in sents]
            by_doc[path.name] += sents
    picked = rng.sample(pool, min(args.n, len(pool)))
    items = [(d, kind, ok, ctx) for s, ctx, doc in picked for d, kind, ok in drafts(s, ctx, rng, by_doc[doc])]
    settings = load_settings()
    embedder = embedder_for(settings)
    shipped = make_verifier(settings, embedder)
    model = shipped.model
    variants = {"shipped (model + vetoes)": shipped}
    backend = shipped.cross_encoder.backend if shipped.cross_encoder else "torch"
    for veto in (*model.vetoes, *(shipped.cross_encoder.extra_vetoes if shipped.cross_encoder else ())):
        less = LogisticModel(**{**model.to_dict(), "vetoes": tuple(v for v in model.vetoes if v != veto)})
        signal = CrossEncoderSignal(backend=backend, cache_dir=settings.cache_dir,
                                    weights_dir=shipped.cross_encoder.weights_dir) if shipped.cross_encoder else None
        if signal is not None and veto in signal.extra_vetoes:
            signal.extra_vetoes = tuple(v for v in signal.extra_vetoes if v != veto)
        variants[f"without {veto}"] = Verifier(embedder=embedder, model=less, cross_encoder=signal)
    rows = {}
    for name, verifier in variants.items():
        got = verifier.score_many([(d, [ctx]) for d, _, _, ctx in items], quote_rule=False)
        by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (d, kind, ok, _), r in zip(items, got):
            by_kind[kind][0] += 1
            by_kind[kind][1] += int(bool(r.supported) == ok)
        sup = [(bool(r.supported), ok) for (_, kind, ok, _), r in zip(items, got) if not kind.startswith("copied")]
        recall = sum(1 for s, ok in sup if ok and s) / max(1, sum(1 for _, ok in sup if ok))
        caught = sum(1 for s, ok in sup if not ok and not s) / max(1, sum(1 for _, ok in sup if not ok))
        rows[name] = {"supported_kept": round(recall, 3), "unsupported_dropped": round(caught, 3),
                      "by_kind": {k: f"{v[1]}/{v[0]}" for k, v in sorted(by_kind.items())}}
    kinds = sorted({k for _, k, _, _ in items})
    copies = sum(kind.startswith("copied") for _, kind, _, _ in items)
    print(f"{len(picked)} source sentences from {len(files)} documents, {len(items) - copies} drafts "
          f"({sum(ok for _, k, ok, _ in items if not k.startswith('copied'))} supported) and {copies} copies; "
          "cells: drafts judged right / drafts")
    print("| verifier | supported kept | unsupported dropped | " + " | ".join(kinds) + " |")
    print("|---|---:|---:|" + "---:|" * len(kinds))
    for name, r in rows.items():
        print(f"| {name} | {r['supported_kept']:.3f} | {r['unsupported_dropped']:.3f} | "
              + " | ".join(r["by_kind"].get(k, "–") for k in kinds) + " |")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
