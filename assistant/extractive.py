"""The extractive backend (default, no LLM): answer by quoting the passage sentences that answer.

For every sentence of the retrieved passages: relevance = semantic similarity to the question
(the embedding model, at sentence level) blended with lexical coverage of the question's content
words. The best few are chosen with maximal marginal relevance (a near-duplicate of a chosen
sentence is skipped) and each becomes one answer sentence: a verbatim quote carrying its own `[n]`,
whose Citation span is the exact char span of the quote in the document.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.backends import Draft, DraftSentence, citation_for
from assistant.backends.terms import content_stems, coverage, has_stem
from assistant.policy import screen
from assistant.records import Passage
from assistant.sentences import split_sentences
from ingest.embedder import Embedder

_REFERS_BACK = re.compile(r"^(this|these|that|those|it|its|they|their|such|the system|the tool|the organi[sz]ation)\b", re.I)
BACK_REFERENCE_DISCOUNT = 0.85
CARRIED_WEIGHT = 0.35  # lexical weight of words a follow-up carries from earlier turns
MIN_WORDS = 4  # headings and list stubs are not answers on their own
_ENDED = re.compile(r"[.!?:;][\"'”’)\]]*$")  # a sentence, not a heading
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*•▪‣◦–]|\(?(?:\d{1,3}|[a-zA-Z])[.)])[ \t]+$")


def _is_list_item(text: str, start: int) -> bool:
    """A list item ("- Navigating complex…") answers a question even without a full stop."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_LIST_MARK.match(text[line_start:start]))


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into the passage's chunk text."""

    passage: int  # index into the passages list
    start: int
    end: int
    text: str
    semantic: float
    lexical: float
    relevance: float


class SentenceScorer:
    """Scores passage sentences against a question. Sentence vectors are cached by text."""

    def __init__(self, embedder: Embedder, semantic_weight: float = 0.65, cache_size: int = 20000):
        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = self.embedder.embed(missing)
            with self._lock:
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.embedder.dim))

    def candidates(self, question: str, passages: Sequence[Passage], focus: str = "") -> list[Candidate]:
        """Every answer-like sentence of `passages`, scored. `focus` (the words the user typed in a
        follow-up) weighs more than the words carried over from earlier turns. A sentence that opens
        with a reference back ("This system is…") is also read together with the sentence before it."""
        spans: list[tuple[int, int, int, str, str]] = []
        for i, p in enumerate(passages):
            text = p.chunk.text
            prev = ""
            for s in split_sentences(text):
                if (len(s.text.split()) >= MIN_WORDS and (_ENDED.search(s.text) or _is_list_item(text, s.start))
                        and not screen(s.text)):  # a sentence addressing the assistant is never an answer
                    spans.append((i, s.start, s.end, s.text, prev if _REFERS_BACK.match(s.text) else ""))
                prev = s.text
        if not spans:
            return []
        queries = [question] + ([focus] if focus else [])
        qvecs = self.embedder.embed(queries)
        svecs = self.vectors([sp[3] for sp in spans])
        sims = svecs @ qvecs.T
        sims = sims.mean(axis=1) if focus else sims[:, 0]
        qstems = content_stems(question)
        own = set(content_stems(focus)) if focus else set(qstems)
        idf = _local_idf(qstems, [sp[3] for sp in spans])
        weights = {s: idf[s] * (1.0 if s in own else CARRIED_WEIGHT) for s in qstems}
        w = self.semantic_weight
        out = []
        for (i, s, e, t, before), sim in zip(spans, sims):
            lex = coverage(qstems, t, weights)
            if before:
                lex = max(lex, BACK_REFERENCE_DISCOUNT * coverage(qstems, before + " " + t, weights))
            out.append(Candidate(i, s, e, t, float(sim), lex, w * float(sim) + (1 - w) * lex))
        return out


_PART_SPLIT = re.compile(r",?\s+(?:and|but|also)\s+(?=(?:what|which|who|whom|whose|when|where|why|how)\b)", re.I)


def question_parts(question: str) -> list[str]:
    """A question asking two things ("Which network …, and what else …?") split into its parts."""
    parts = [p.strip(" ,?") for p in _PART_SPLIT.split(question)]
    return [p + "?" for p in parts if len(p.split()) >= 3]


def _local_idf(qstems: list[str], sentences: Sequence[str]) -> dict[str, float]:
    """IDF of each question stem over the candidate sentences: words every passage repeats (the
    corpus' own topic) count less than the words that single out an answer."""
    sets = [set(content_stems(t)) for t in sentences]
    n = len(sets)
    return {q: math.log((n + 1) / (sum(1 for st in sets if has_stem(q, st)) + 0.5)) + 0.5 for q in qstems}


class ExtractiveBackend:
    """`draft(question, passages)`: up to `max_sentences` quoted sentences, most relevant first."""

    name = "extractive"

    def __init__(self, scorer: SentenceScorer, max_sentences: int = 3, keep_within: float = 0.12,
                 mmr_lambda: float = 0.7, duplicate_sim: float = 0.9):
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self.scorer = scorer
        self.model = ""
        self.max_sentences = max_sentences
        self.keep_within = keep_within
        self.mmr_lambda = mmr_lambda
        self.duplicate_sim = duplicate_sim

    def draft(self, question: str, passages: Sequence[Passage], focus: str = "") -> Draft:
        cands = self.scorer.candidates(question, passages, focus)
        chosen = self.select(cands)
        parts = question_parts(focus or question)
        if len(parts) > 1:  # "Which X …, and what Y …?": the best sentence for each part first
            firsts: list[Candidate] = []
            for part in parts:
                ranked = sorted(self.scorer.candidates(part, passages), key=lambda c: -c.relevance)
                top = next((c for c in ranked if (c.passage, c.start) not in {(f.passage, f.start) for f in firsts}), None)
                if top is not None:
                    firsts.append(next(c for c in cands if (c.passage, c.start) == (top.passage, top.start)))
            seen = {(c.passage, c.start) for c in firsts}
            chosen = (firsts + [c for c in chosen if (c.passage, c.start) not in seen])[: self.max_sentences]
        citations, sentences = [], []
        for n, c in enumerate(chosen, 1):
            citations.append(citation_for(n, passages[c.passage].chunk, c.start, c.end))
            sentences.append(DraftSentence(c.text, (n,)))
        best = max((c.relevance for c in cands), default=0.0)
        return Draft(sentences, citations, evidence=best)

    def select(self, cands: list[Candidate]) -> list[Candidate]:
        """Maximal marginal relevance over sentence vectors, within `keep_within` of the best."""
        if not cands:
            return []
        ranked = sorted(cands, key=lambda c: -c.relevance)
        floor = ranked[0].relevance - self.keep_within
        pool = [c for c in ranked if c.relevance >= floor][: 4 * self.max_sentences]
        vecs = dict(zip((c.text for c in pool), self.scorer.vectors([c.text for c in pool])))
        chosen: list[Candidate] = []
        while pool and len(chosen) < self.max_sentences:
            def mmr(c: Candidate) -> float:
                red = max((float(vecs[c.text] @ vecs[o.text]) for o in chosen), default=0.0)
                return self.mmr_lambda * c.relevance - (1 - self.mmr_lambda) * red

            best = max(pool, key=mmr)
            pool.remove(best)
            if any(float(vecs[best.text] @ vecs[o.text]) >= self.duplicate_sim for o in chosen):
                continue
            chosen.append(best)
        return chosen
