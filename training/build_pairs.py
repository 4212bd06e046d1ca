"""Build labelled (passage, sentence) pairs from a corpus for calibrating and testing the verifier.

    python -m training.build_pairs [--corpus corpus] [--output eval/data/grounding_pairs.jsonl] [--seed 13]

Passages are the corpus paragraphs (lines of 25+ words). For each passage:
- supported: a sentence of the passage verbatim (`verbatim`) or lightly compressed (`trim`: the
  faithful variants of training/perturb.py: a "shows that" lead, a trailing clause or an intro dropped);
- unsupported: the perturbations of training/perturb.py, the one generator the grounding model is
  trained on too: `number_swap` (a number changed), `number_added` (a figure the passage never gives),
  `entity_swap` (a name replaced by one from elsewhere in the corpus), `actor_swap` (two names of the
  sentence swapped), `negation` (a negation added or removed), `quantifier` ("no" <-> "any"), `antonym`
  (a word replaced by its opposite), `other_part` (a sentence from a distant part of the corpus that
  shares little with the passage), `added_clause` (a true sentence + an unsupported clause).
Generic English only: nothing here knows the topic of a corpus. Deterministic for a given seed.
Output lines follow the `lexcite eval grounding` input: {"id","context","answer","label","kind"}.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from lexcite.text.sentences import split_sentences
from training.perturb import (add_clause, add_figure, flip_quantifier, negate, supported_variants, swap_antonym,
                              swap_entity, swap_number, swap_roles)


def passages(corpus: Path, min_words: int = 25) -> list[tuple[str, str]]:
    out = []
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line.split()) >= min_words:
                out.append((path.name, line))
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())}


def trim(sentence: str, rng: random.Random) -> str | None:
    options = [v for v, kind in supported_variants(sentence, rng) if kind in ("compress_that", "drop_clause", "drop_intro")]
    return rng.choice(options) if options else None


def added_clause(sentence: str, rng: random.Random, far: list[str], passage: str) -> str | None:
    pw = _words(passage)
    for cand in rng.sample(far, min(len(far), 20)):
        if len(cand.split()) >= 6 and len(_words(cand) - pw) >= 3:
            return add_clause(sentence, cand, rng)
    return None


def build(corpus: Path, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    paras = passages(corpus)
    all_sents = [(i, s.text) for i, (_, p) in enumerate(paras) for s in split_sentences(p)]
    everything = " ".join(s for _, s in all_sents)
    rows: list[dict] = []

    def add(pi: int, kind: str, answer: str | None, label: str) -> None:
        if answer and answer.strip():
            rows.append({"id": f"p{pi:03d}-{kind}-{len(rows):04d}", "context": paras[pi][1],
                         "answer": answer.strip(), "label": label, "kind": kind})

    for pi, (_, passage) in enumerate(paras):
        sents = [s.text for s in split_sentences(passage) if len(s.text.split()) >= 6]
        if not sents:
            continue
        far = [s for j, s in all_sents if abs(j - pi) >= 3]
        for s in sents:
            add(pi, "verbatim", s, "supported")
            add(pi, "trim", trim(s, rng), "supported")
        for kind, fn in [("number_swap", lambda s: swap_number(s, passage, rng)),
                         ("number_added", lambda s: add_figure(s, rng)),
                         ("actor_swap", lambda s: swap_roles(s, rng)),
                         ("negation", negate),
                         ("quantifier", lambda s: flip_quantifier(s, rng)),
                         ("antonym", lambda s: swap_antonym(s, rng)),
                         ("entity_swap", lambda s: swap_entity(s, everything, rng))]:
            for s in rng.sample(sents, len(sents)):
                out = fn(s)
                if out and out != s:
                    add(pi, kind, out, "unsupported")
                    break
        pw = _words(passage)
        for s in rng.sample(far, min(len(far), 40)):
            w = _words(s)
            if len(s.split()) >= 8 and w and len(w & pw) / len(w) < 0.35:
                add(pi, "other_part", s, "unsupported")
                break
        add(pi, "added_clause", added_clause(rng.choice(sents), rng, far, passage), "unsupported")
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--output", type=Path, default=Path("eval/data/grounding_pairs.jsonl"))
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    rows = build(args.corpus, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    kinds = Counter(r["kind"] for r in rows)
    print(f"wrote {len(rows)} pairs to {args.output}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
