"""Signals: each looks at a (sentence, cited passages) pair and returns named features + reasons.

A signal is anything with `name` and `evaluate_many(contexts) -> list[SignalOutput]` (the
`Signal` protocol), so a trained model (e.g. a cross-encoder giving P(supported)) plugs in next to
the heuristics: its features go to the combiner like any other. Contexts are built once per batch
by `ContextBuilder` (sentence splitting of the passages, embeddings in one batch, alignment of the
sentence to its best source sentences), so signals share that work.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

import numpy as np

from lexcite.text.sentences import split_sentences
from assistant.verify import lexical as lx
from lexcite.text.markers import strip_markers


@dataclass(frozen=True)
class SourceSentence:
    passage: int  # index into the cited passages
    start: int  # char span inside that passage
    end: int
    text: str


@dataclass
class PairContext:
    """Everything signals need about one (sentence, passages) pair, computed once."""

    sentence: str  # citation markers removed
    passages: tuple[str, ...]
    units: list[SourceSentence]
    sims: np.ndarray  # cosine of the sentence to each unit
    passage_sims: np.ndarray  # cosine to each whole passage (empty unless the builder embeds passages)
    aligned: list[int]  # unit indices, best-aligned first (at most 2)
    stems: list[str] = field(default_factory=list)
    window_sims: np.ndarray | None = None  # cosine to adjacent source-sentence pairs (mean vectors)

    @property
    def best(self) -> SourceSentence | None:
        return self.units[self.aligned[0]] if self.aligned else None

    def aligned_text(self, n: int = 2) -> str:
        return " ".join(self.units[i].text for i in self.aligned[:n])

    @property
    def passage_text(self) -> str:
        return "\n".join(self.passages)


@dataclass(frozen=True)
class SignalOutput:
    features: Mapping[str, float]
    reasons: tuple[str, ...] = ()


class Signal(Protocol):
    name: str

    def evaluate_many(self, contexts: Sequence[PairContext]) -> list[SignalOutput]:
        ...


class PairSignal:
    """Base for signals computed one pair at a time."""

    name = "pair"

    def evaluate_many(self, contexts: Sequence[PairContext]) -> list[SignalOutput]:
        return [self.evaluate(c) for c in contexts]

    def evaluate(self, ctx: PairContext) -> SignalOutput:  # pragma: no cover - abstract
        raise NotImplementedError


# ---- building contexts ------------------------------------------------------------------------

class ContextBuilder:
    """Splits passages into sentences, embeds everything in one batch (with a text cache), aligns."""

    def __init__(self, embedder, cache_size: int = 20_000, batch_size: int = 64, embed_passages: bool = False):
        self.embedder = embedder
        # Whole passages are long (up to 256 word pieces): embedding them costs more than all their
        # sentences together and added nothing in the fitted model, so it is off by default.
        self.embed_passages = embed_passages
        self.cache_size = cache_size
        self.batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str], progress=None) -> dict[str, np.ndarray]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for i in range(0, len(todo), self.batch_size * 4):
            part = todo[i:i + self.batch_size * 4]
            vecs = self.embedder.embed(part)
            for t, v in zip(part, vecs):
                self._cache[t] = v
            if progress is not None:
                progress(len(part))
        out = {t: self._cache[t] for t in texts}
        for t in out:
            self._cache.move_to_end(t)
        while len(self._cache) > max(self.cache_size, len(out)):
            self._cache.popitem(last=False)
        return out

    def build_many(self, pairs: Sequence[tuple[str, Sequence[str]]], progress=None) -> list[PairContext]:
        prepared = []
        texts: list[str] = []
        for sentence, passages in pairs:
            sent = strip_markers(sentence)
            units = [
                SourceSentence(pi, sp.start, sp.end, sp.text)
                for pi, p in enumerate(passages)
                for sp in split_sentences(p)
            ]
            prepared.append((sent, tuple(passages), units))
            texts.append(sent)
            texts.extend(u.text for u in units)
            if self.embed_passages:
                texts.extend(passages)
        vecs = self.embed([t for t in texts if t], progress=progress)
        zero = np.zeros(getattr(self.embedder, "dim", 384), dtype=np.float32)
        out = []
        for sent, passages, units in prepared:
            sv = vecs.get(sent, zero)
            sims = np.array([float(vecs[u.text] @ sv) for u in units], dtype=np.float32)
            psims = np.array([float(vecs[p] @ sv) for p in passages if p in vecs], dtype=np.float32)
            stems = lx.content_stems(sent)
            out.append(PairContext(sent, passages, units, sims, psims, _align(stems, units, sims), stems,
                                   _window_sims(sv, units, vecs)))
        return out


def _window_sims(sv: np.ndarray, units: list[SourceSentence], vecs: dict[str, np.ndarray]) -> np.ndarray:
    """A claim may merge two adjacent source sentences: cosine to their (normalised) mean vector."""
    out = []
    for a, b in zip(units, units[1:]):
        if a.passage != b.passage:
            continue
        w = vecs[a.text] + vecs[b.text]
        n = float(np.linalg.norm(w))
        out.append(float(w @ sv) / n if n else 0.0)
    return np.array(out, dtype=np.float32)


def _align(stems: list[str], units: list[SourceSentence], sims: np.ndarray) -> list[int]:
    """Best source sentences for the claim: cosine and shared content words, equally weighted."""
    if not units:
        return []
    claim = set(stems)
    scores = []
    for i, u in enumerate(units):
        overlap = len(claim & set(lx.content_stems(u.text))) / len(claim) if claim else 0.0
        scores.append(0.5 * float(sims[i]) + 0.5 * overlap)
    order = sorted(range(len(units)), key=lambda i: -scores[i])
    return order[:2]


# ---- the heuristic signals --------------------------------------------------------------------

class SemanticSignal(PairSignal):
    """Cosine (all-MiniLM-L6-v2) to the best-matching source sentence, to the best pair of adjacent
    source sentences, and (when the builder embeds passages) to the whole passage."""

    name = "semantic"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        best = float(ctx.sims.max()) if len(ctx.sims) else 0.0
        passage = float(ctx.passage_sims.max()) if len(ctx.passage_sims) else best
        ws = ctx.window_sims
        window = max(best, float(ws.max())) if ws is not None and len(ws) else best
        reasons = (f"closest source sentence is only {best:.2f} similar",) if best < 0.5 else ()
        return SignalOutput({"sim_best": best, "sim_passage": passage, "sim_window": window}, reasons)


class CoverageSignal(PairSignal):
    """Share of the sentence's content words (lightly stemmed) found in the passages / aligned text."""

    name = "coverage"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        claim = list(dict.fromkeys(ctx.stems))
        if not claim:
            return SignalOutput({"coverage": 1.0, "coverage_aligned": 1.0, "coverage_weighted": 1.0,
                                 "novel_words": 0.0})
        passage = set(lx.content_stems(ctx.passage_text))
        aligned = set(lx.content_stems(ctx.aligned_text(2)))
        missing = [w for w in claim if w not in passage]
        cov = 1 - len(missing) / len(claim)
        cov_al = sum(w in aligned for w in claim) / len(claim)
        # longer words are rarer and carry more of the claim: a length-weighted coverage
        cov_w = sum(len(w) for w in claim if w in passage) / sum(len(w) for w in claim)
        reasons = (f"words not in source: {', '.join(missing[:5])}",) if missing else ()
        return SignalOutput({"coverage": cov, "coverage_aligned": cov_al, "coverage_weighted": cov_w,
                             "novel_words": float(min(len(missing), 6))}, reasons)


class NumberSignal(PairSignal):
    """Numbers, dates and percentages in the sentence must appear in the source."""

    name = "numbers"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        claim = lx.numbers_in_claim(ctx.sentence)
        if not claim:
            return SignalOutput({"number_missing": 0.0, "number_missing_aligned": 0.0})
        src = lx.numbers(ctx.passage_text)
        al = lx.numbers(ctx.aligned_text(2))
        missing = sorted(n for n in claim if not lx.number_supported(n, src))
        missing_al = [n for n in claim if not lx.number_supported(n, al)]
        reasons = tuple(f"number {n} not in source" for n in missing)
        return SignalOutput({"number_missing": float(bool(missing)),
                             "number_missing_aligned": float(bool(missing_al))}, reasons)


class EntitySignal(PairSignal):
    """Names, acronyms and capitalised terms of the sentence must appear in the source."""

    name = "entities"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        claim = lx.entities(ctx.sentence)
        if not claim:
            return SignalOutput({"entity_missing": 0.0, "entity_missing_aligned": 0.0})
        src_words = {t.lower() for t in lx.tokens(ctx.passage_text)}
        src_stems = set(lx.content_stems(ctx.passage_text))
        al_words = {t.lower() for t in lx.tokens(ctx.aligned_text(2))}
        missing = sorted(e for e in claim if e not in src_words and lx.stem(e) not in src_stems)
        missing_al = [e for e in claim if e not in al_words]
        reasons = tuple(f"name '{e}' not in source" for e in missing)
        return SignalOutput({"entity_missing": float(min(len(missing), 3)),
                             "entity_missing_aligned": float(min(len(missing_al), 3))}, reasons)


class NegationSignal(PairSignal):
    """Negation ("not", "no", "never", "without", …) must agree with the aligned source sentence."""

    name = "negation"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        if ctx.best is None:
            return SignalOutput({"negation_mismatch": 0.0})
        claim = lx.negations(ctx.sentence)
        src = lx.negations(ctx.best.text)
        mismatch = (len(claim) % 2) != (len(src) % 2)
        if not mismatch:
            return SignalOutput({"negation_mismatch": 0.0})
        why = (f"negation mismatch: sentence says '{claim[0]}', source does not" if claim
               else f"negation mismatch: source says '{src[0]}', sentence does not")
        return SignalOutput({"negation_mismatch": 1.0}, (why,))


class DirectionSignal(PairSignal):
    """Direction words (increase/decrease, permit/prohibit, before/after, …) must not flip."""

    name = "direction"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        if ctx.best is None:
            return SignalOutput({"direction_conflict": 0.0})
        claim = lx.directions(ctx.sentence)
        src_text = ctx.aligned_text(1)
        src = lx.directions(src_text)
        for row, sides in claim.items():
            other = src.get(row, set())
            for side in sides:
                if (1 - side) in other and side not in other:
                    a = lx.direction_word(ctx.sentence, row, side)
                    b = lx.direction_word(src_text, row, 1 - side)
                    return SignalOutput({"direction_conflict": 1.0}, (f"'{a}' vs source '{b}'",))
        return SignalOutput({"direction_conflict": 0.0})


class OrderSignal(PairSignal):
    """Shared words in another order (a swapped actor: "A pays B" vs "B pays A").

    `role_swap` fires when the sentence reuses nearly all words of one source sentence (4+ shared,
    80%+ of its content words) yet in another order: the roles are likely swapped.
    """

    name = "order"

    def evaluate(self, ctx: PairContext) -> SignalOutput:
        if ctx.best is None:
            return SignalOutput({"order_disagreement": 0.0, "role_swap": 0.0})
        src = lx.content_stems(ctx.best.text)
        agree = lx.order_agreement(ctx.stems, src)
        claim = set(ctx.stems)
        shared = claim & set(src)
        swap = agree < 0.85 and len(shared) >= 4 and len(shared) >= 0.8 * len(claim)
        reasons = ("shared words appear in another order (swapped roles?)",) if agree < 0.85 else ()
        return SignalOutput({"order_disagreement": 1.0 - agree, "role_swap": float(swap)}, reasons)


def default_signals() -> list[Signal]:
    return [SemanticSignal(), CoverageSignal(), NumberSignal(), EntitySignal(), NegationSignal(),
            DirectionSignal(), OrderSignal()]
