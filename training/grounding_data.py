"""Training pairs from a labelled claim-verification set in the BEIR layout (SciFact's, for one).

Reads `grounding_pairs.jsonl` (claim, cited abstract, supported/unsupported) and, when present,
`queries.jsonl` whose metadata names the evidence sentences of each cited abstract (index into the
abstract's sentences) with SUPPORT / CONTRADICT. The model scores a long passage window by window
and keeps the best window, so the pairs it learns from are windows too:

- an evidence window (the evidence sentences, sometimes with neighbours) carries the pair's label;
- a window of a supporting abstract with the evidence left out is unsupported (evidence removed);
- any window of an abstract that gives no evidence is unsupported;
- the claim with a negation, direction word or number flipped, against its supporting evidence,
  is unsupported (the contradiction the hard cases look like);
- the claim against the best-overlapping window of an abstract it does not cite is unsupported.

A fifth of the claims (by a hash of the claim id) is held out: none of its pairs, and none of the
abstracts it cites, are trained on.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.grounding.model import sentences_of
from training.perturb import Pair, flip_quantifier, negate, swap_antonym, swap_number, swap_roles

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("the a an of in on for to and or with by is are was were be been that this these those as at "
                  "from it its their which not no than more less".split())


def is_heldout(pair_id: str) -> bool:
    claim = pair_id.split("-")[0]
    return int(hashlib.sha256(claim.encode()).hexdigest(), 16) % 5 == 0


@dataclass(frozen=True)
class RealSplit:
    train_rows: list[dict]
    held_rows: list[dict]
    pairs: list[Pair]  # window pairs made from train_rows only
    held_contexts: frozenset[str]


def window(sents: list[str], core: list[int], budget: int, count: Callable[[str], int], rng: random.Random) -> str:
    """`core` sentences plus random neighbours while the window stays under `budget` tokens."""
    lo, hi = min(core), max(core)
    chosen = set(core)
    n = sum(count(sents[i]) for i in chosen)
    for _ in range(rng.choice([0, 1, 2, 3])):
        side = [i for i in (lo - 1, hi + 1) if 0 <= i < len(sents)]
        if not side:
            break
        i = rng.choice(side)
        if n + count(sents[i]) > budget:
            break
        chosen.add(i)
        n += count(sents[i])
        lo, hi = min(chosen), max(chosen)
    span = sents[lo : hi + 1]
    if sum(count(x) for x in span) > budget:  # evidence sentences far apart: keep just them
        return " ".join(sents[i] for i in sorted(set(core)))
    return " ".join(span)


def other_windows(sents: list[str], avoid: set[int], budget: int, count: Callable[[str], int],
                  rng: random.Random, k: int) -> list[str]:
    """Up to k windows of consecutive sentences that touch none of `avoid`."""
    free = [i for i in range(len(sents)) if i not in avoid]
    out = []
    for _ in range(k):
        if not free:
            break
        start = rng.choice(free)
        idx, n = [], 0
        i = start
        while i < len(sents) and i not in avoid and (n + count(sents[i]) <= budget or not idx):
            idx.append(i)
            n += count(sents[i])
            i += 1
            if len(idx) >= rng.choice([1, 2, 3, 4]):
                break
        out.append(" ".join(sents[j] for j in idx))
    return out


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def real_pairs(folder: Path, rng: random.Random, count: Callable[[str], int], budget: int = 120,
               repeats: int = 2) -> RealSplit:
    rows = [json.loads(l) for l in (folder / "grounding_pairs.jsonl").read_text().splitlines() if l.strip()]
    train_rows = [r for r in rows if not is_heldout(r["id"])]
    held_rows = [r for r in rows if is_heldout(r["id"])]
    held_ctx = frozenset(r["context"] for r in held_rows)
    evidence: dict[tuple[str, str], list[dict]] = {}
    queries = folder / "queries.jsonl"
    if queries.is_file():
        for line in queries.read_text().splitlines():
            q = json.loads(line)
            for doc_id, evs in (q.get("metadata") or {}).items():
                evidence[(str(q["_id"]), str(doc_id))] = evs
    # Evidence indices count the abstract's sentences without its title, so split the corpus text
    # itself when the folder has it (the pairs' contexts start with the title).
    bodies: dict[str, str] = {}
    corpus = folder / "corpus.jsonl"
    if corpus.is_file():
        for line in corpus.read_text().splitlines():
            doc = json.loads(line)
            bodies[str(doc["_id"])] = doc.get("text") or ""
    pairs: list[Pair] = []
    contexts_by_doc: dict[str, list[str]] = {}
    for r in train_rows:
        claim, _, doc_id = r["id"].partition("-")
        contexts_by_doc[doc_id] = sentences_of(bodies.get(doc_id) or r["context"])
    doc_words = {d: _words(" ".join(s)) for d, s in contexts_by_doc.items()}
    cited: dict[str, set[str]] = {}
    for r in rows:
        claim_id, _, doc_id = r["id"].partition("-")
        cited.setdefault(claim_id, set()).add(doc_id)
    for r in train_rows:
        claim_id, _, doc_id = r["id"].partition("-")
        sents = contexts_by_doc[doc_id]
        label = int(r["label"] == "supported")
        evs = [e for e in evidence.get((claim_id, doc_id), []) if e["sentences"] and max(e["sentences"]) < len(sents)] \
            if doc_id in bodies else []
        claim = r["answer"]
        for _ in range(repeats):
            if evs:
                ev = rng.choice(evs)
                ev_label = int(ev["label"] == "SUPPORT")
                w = window(sents, ev["sentences"], budget, count, rng)
                pairs.append(Pair(claim, w, ev_label, "real_evidence" if ev_label else "real_contradict"))
                if ev_label:
                    bad = [v for v in (negate(claim), swap_antonym(claim, rng), swap_number(claim, w, rng),
                                       flip_quantifier(claim, rng), swap_roles(claim, rng)) if v and v != claim]
                    if bad:
                        pairs.append(Pair(rng.choice(bad), w, 0, "real_claim_flipped"))
                if ev_label:  # the same abstract with its evidence (and the sentences beside it) left out
                    avoid = {i for e in evs for k in e["sentences"] for i in (k - 1, k, k + 1)}
                    for o in other_windows(sents, avoid, budget, count, rng, 1):
                        pairs.append(Pair(claim, o, 0, "real_evidence_removed"))
                else:
                    for o in other_windows(sents, set(), budget, count, rng, 1):
                        pairs.append(Pair(claim, o, 0, "real_no_evidence"))
            elif not label:  # the abstract gives no evidence: every window of it is unsupported
                for o in other_windows(sents, set(), budget, count, rng, 1):
                    pairs.append(Pair(claim, o, 0, "real_no_evidence"))
            elif not evidence:  # supported, but no evidence sentences named: the whole abstract
                pairs.append(Pair(claim, r["context"], label, "real"))
        # a topical abstract this claim does not cite
        cw = _words(claim)
        cand = [(len(cw & ws), d) for d, ws in doc_words.items() if d not in cited[claim_id]]
        if cand and rng.random() < 0.5:
            _, d = max(cand)
            other = contexts_by_doc[d]
            best = max(range(len(other)), key=lambda i: len(cw & _words(other[i])))
            pairs.append(Pair(claim, window(other, [best], budget, count, rng), 0, "real_other_abstract"))
    return RealSplit(train_rows, held_rows, pairs, held_ctx)
