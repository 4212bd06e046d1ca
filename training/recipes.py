"""The corpus checks' synthetic recipes applied to labelled sets' premises: training pairs for the grounding
model, and a held-out row of the leave-one-dataset-out matrix (set "recipes", made from the threshold and test
splits' premises of the shippable sets). Generic English only: nothing here knows the topic of a corpus."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import Sequence

from training.pairs import LabelledPair
from training.perturb import (add_clause, add_figure, flip_quantifier, negate, split_sentences, supported_variants,
                              swap_antonym, swap_entity, swap_number, swap_roles)

# Generic rewordings that keep a sentence's meaning (no topic), used as faithful variants in training. Kept
# disjoint from bench/strict_paraphrase.py's REWORDS, so that bench measures rewordings the model never saw.
TRAIN_REWORDS = [(r"\bhowever\b", "but"), (r"\btherefore\b", "so"), (r"\bin respect of\b", "regarding"),
                 (r"\bconcerning\b", "about"), (r"\bcommence\b", "begin"), (r"\bterminate\b", "end"),
                 (r"\bassist\b", "help"), (r"\bpurchase\b", "buy"), (r"\bsufficient\b", "enough"),
                 (r"\bapproximately\b", "about"), (r"\badditional\b", "further"), (r"\brequire\b", "need"),
                 (r"\brequires\b", "needs"), (r"\bobtain\b", "get"), (r"\bindividuals\b", "persons"),
                 (r"\bin the event that\b", "if"), (r"\bfor the purpose of\b", "for"), (r"\bwhether or not\b", "whether"),
                 (r"\bupon\b", "on"), (r"\bamong\b", "between"), (r"\bregarding\b", "about"),
                 (r"\bensure\b", "make sure"), (r"\bprovide\b", "give"), (r"\bindicate\b", "show")]
NEGATED = re.compile(r"\b(?:no|not|never|none|neither|nor|without|nothing|nobody|cannot)\b|n't\b", re.I)


def train_reword(s: str) -> str | None:
    out = s
    for pattern, rep in TRAIN_REWORDS:
        out = re.sub(pattern, rep, out)
    return out if out != s else None


NEIGHBOUR_SAMPLE = 1000  # other premises' sentences a hard neighbour is chosen from (besides its own group's)
NEIGHBOUR_MAX_OVERLAP = 0.6  # word overlap (Jaccard) above which a neighbour may restate the sentence


@lru_cache(maxsize=65536)  # the same candidate sentences are compared with thousands of sentences
def _words(s: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", s.lower()))


def hard_neighbour(s: str, premise: str, candidates: Sequence[str]) -> str | None:
    """The candidate that shares most words with `s` without restating it (Jaccard below
    NEIGHBOUR_MAX_OVERLAP) and without being part of the premise: a sentence in the same register about
    something else ("Parties shall take appropriate measures to X" against "... to Y"), which the premise
    does not support. None when no candidate shares a word."""
    mine = _words(s)
    best, best_j = None, 0.0
    for c in candidates:
        if c in premise or len(c.split()) < 5:
            continue
        theirs = _words(c)
        j = len(mine & theirs) / max(1, len(mine | theirs))
        if best_j < j < NEIGHBOUR_MAX_OVERLAP:
            best, best_j = c, j
    return best


# words a formula hands over at, in both sentences of a splice, so that the seam reads as grammar ("... shall take
# appropriate measures to | facilitate the transport of ..."): a seam at a random word is a shortcut a model learns
SPLICE_PIVOTS = frozenset("to that of for the shall must may with by in on and which".split())


def splice(s: str, candidates: Sequence[str], premise: str, rng: random.Random) -> str | None:
    """`s`'s opening words up to a pivot word (its formula: "Parties shall take appropriate measures to"), then
    what follows the same pivot in another sentence, whose content words the premise does not hold: a sentence in
    the premise's own words up to where it says something else, as a sibling provision drafted in the same
    formula reads. None when no candidate shares a pivot with such a tail."""
    words = s.split()
    if len(words) < 6:
        return None
    have = _words(premise)
    heads = [i for i, w in enumerate(words) if 1 <= i <= len(words) * 0.7 and w.lower() in SPLICE_PIVOTS]
    for c in candidates:
        theirs = c.split()
        if len(theirs) < 6 or c in premise:
            continue
        seams = [(i, j) for i in heads for j, v in enumerate(theirs)
                 if v.lower() == words[i].lower() and 1 <= j < len(theirs) - 3]
        if not seams:
            continue
        i, j = rng.choice(seams)
        tail = theirs[j + 1:]
        if len({w for w in _words(" ".join(tail)) if len(w) > 3} - have) >= 2:
            return " ".join(words[: i + 1] + tail)
    return None


CONTEXT_WORDS = 90  # a passage made for `context_share` stays under this, so a 160-piece pair never truncates it


def in_context(s: str, candidates: Sequence[str], avoid: Sequence[str], rng: random.Random) -> str:
    """`s` among two to four other sentences (the candidates in order: its own premise's and its document's
    first), at a random place, under CONTEXT_WORDS words, without any sentence that holds one of `avoid`."""
    picked, words, want = [], len(s.split()), rng.randint(2, 4)
    for c in candidates:
        if len(picked) >= want:
            break
        if c == s or any(a and (a in c or c in a) for a in avoid) or words + len(c.split()) > CONTEXT_WORDS:
            continue
        picked.append(c)
        words += len(c.split())
    picked.insert(rng.randint(0, len(picked)), s)
    return " ".join(picked)


def recipe_pairs(pairs: Sequence[LabelledPair], n: int, rng: random.Random, negated_share: float = 0.35,
                 neighbour_share: float = 0.0, context_share: float = 0.0, splice_share: float = 0.0,
                 flip_share: float = 0.0) -> list[LabelledPair]:
    """The recipes the corpus checks use, on the training premises: for a sentence of a premise, one faithful
    variant (the copy, a trimmed or hedged form, a reworded one: supported) and one perturbation (negated, an
    antonym, a quantifier flipped, roles or a name swapped, a number changed or added, an unsupported clause
    added, or a sentence of another premise: not supported). A `negated_share` of the sentences are drawn from
    those that hold a negation, so "No Party may ..." copied is supported and its "Any Party may ..." is not.
    With `neighbour_share`, that share of the perturbations is a hard neighbour instead: the sentence of
    another premise (of the same group, i.e. the same document, or of a sample of all) that shares most words
    with the chosen sentence (`hard_neighbour`), so that a sentence about a sibling provision in the same
    words is not supported. With `context_share`, that share of the sentences is judged (both of its pairs) in a
    passage made of the sentence among a few others (`in_context`: its premise's, its document's, others'), as a
    chunk of a real document holds many: a model trained on one-sentence premises can lose "No" against "Any"
    once the passage holds more than the sentence. With `splice_share`, that share of the perturbations is a
    splice (`splice`): the sentence's frame with another sentence's content. With `flip_share`, that share of
    the perturbations of a sentence that holds a negation is its negation undone ("No Party may" → "Any Party
    may", "shall not" → "shall"), where a uniform choice among the recipes would make it rare."""
    out: list[LabelledPair] = []
    pool = [p for p in pairs if len(p.premise) > 80]
    others = [s for p in rng.sample(pool, min(len(pool), 2000)) for s in split_sentences(p.premise)]
    by_group: dict[str, list[str]] = {}
    if neighbour_share > 0 or context_share > 0 or splice_share > 0:
        for p in pool:
            by_group.setdefault(f"{p.set_name}|{p.group}", []).append(p.premise)

    def siblings(p: LabelledPair) -> list[str]:
        """The sentences of the other premises of p's group (its document), as a fresh list."""
        return [x for q in by_group.get(f"{p.set_name}|{p.group}", ()) if q != p.premise for x in split_sentences(q)]

    for p in rng.sample(pool, len(pool)):
        if len(out) >= n:
            break
        sents = [s for s in split_sentences(p.premise) if len(s.split()) >= 5]
        negated = [s for s in sents if NEGATED.search(s)]
        want_negated = rng.random() < negated_share
        if not sents or (want_negated and not negated):
            continue
        s = rng.choice(negated if want_negated else sents)
        faithful = [v for v, _ in supported_variants(s, rng)]
        if (r := train_reword(s)) is not None:
            faithful.append(r)
        good = rng.choice(faithful)
        other = rng.choice(others)
        makers = [lambda: negate(s), lambda: swap_antonym(s, rng), lambda: flip_quantifier(s, rng),
                  lambda: swap_roles(s, rng), lambda: swap_number(s, p.premise, rng),
                  lambda: swap_entity(s, p.premise + " " + other, rng), lambda: add_clause(s, other, rng),
                  lambda: add_figure(s, rng)]
        wrong = [w for w in (make() for make in makers) if w and w != s and w not in p.premise]
        if other not in p.premise:
            wrong.append(other)
        if flip_share > 0 and NEGATED.search(s) and rng.random() < flip_share:
            flips = [w for w in (flip_quantifier(s, rng), negate(s)) if w and w != s and w not in p.premise]
            wrong = flips[:1] or wrong
        # one draw only when a share is set, so the recipes of earlier runs (and the "recipes" row) are unchanged
        kind = rng.random() if neighbour_share > 0 or splice_share > 0 else 1.0
        if kind < neighbour_share:
            near = hard_neighbour(s, p.premise, siblings(p) + rng.sample(others, min(len(others), NEIGHBOUR_SAMPLE)))
            if near is not None:
                wrong = [near]
        elif kind < neighbour_share + splice_share:
            near_by = siblings(p)
            rng.shuffle(near_by)
            spliced = splice(s, near_by + rng.sample(others, min(len(others), 50)), p.premise, rng)
            if spliced is not None:
                wrong = [spliced]
        bad = rng.choice(wrong) if wrong else None
        premise = p.premise
        if context_share > 0 and rng.random() < context_share:
            own, near_by = [x for x in split_sentences(p.premise) if x != s], siblings(p)
            rng.shuffle(own)
            rng.shuffle(near_by)
            premise = in_context(s, own + near_by + rng.sample(others, min(len(others), 20)),
                                 [x for x in (bad, other) if x], rng)
        out.append(LabelledPair("synthetic", premise, good, True, p.group))
        if bad is not None:
            out.append(LabelledPair("synthetic", premise, bad, False, p.group))
    return out[:n]
