"""`generate_quiz(index, verifier, …)`: salient statements -> items that pass every gate.

Selection is deterministic for a seed: statements are drawn per (document, section) by a seeded
weighted sample (more salient first, on average), and documents, then sections within a
document, take turns, so a quiz spreads over the corpus. Each candidate item must pass the
per-item gates and must not test a fact already asked; rejections are counted by gate.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Sequence

from ingest.records import Chunk
from quiz.distractors import TermPool
from quiz.facts import NUMERIC_KINDS, Statement, build_lexicon, extract_statements, normalize
from quiz.gates import CachedVerifier, Verifier, check_item, same_fact, spread_violations
from quiz.items import ItemBuilder
from quiz.records import DIFFICULTIES, ITEM_TYPES, QuizError, QuizItem

log = logging.getLogger(__name__)

MAX_SAME_ANSWER = 2  # an mcq/short answer may key at most this many items
TOPIC_K = 30
_PARTS = 4  # documents without sections are cut into this many parts for spreading


@dataclass
class QuizRun:
    items: list[QuizItem]
    statements: int = 0
    candidates: int = 0
    attempts: int = 0
    rejected: Counter = field(default_factory=Counter)
    exhausted: set = field(default_factory=set)
    groups: set = field(default_factory=set)
    group_of: dict = field(default_factory=dict)  # item id -> (source, section or part)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {"items": len(self.items), "statements": self.statements, "candidates": self.candidates,
                "attempts": self.attempts, "rejected": dict(sorted(self.rejected.items())),
                "seconds": round(self.seconds, 3)}


def generate_quiz(index, verifier: Verifier, *, n: int = 10, topic: str | None = None,
                  types: Sequence[str] = ITEM_TYPES, difficulty: str | None = None, seed: int = 0,
                  chat_model=None) -> list[QuizItem]:
    """Up to `n` items, each citing the passage that proves its answer (see QuizGenerator).
    With a LangChain `chat_model` the LLM drafts and the verifier keeps or drops (quiz/llm_draft.py)."""
    return QuizGenerator(index, verifier).run(n=n, topic=topic, types=types, difficulty=difficulty, seed=seed,
                                              chat_model=chat_model).items


class QuizGenerator:
    """Reads the corpus once (statements, term pool); `run` may then be called many times."""

    def __init__(self, index, verifier: Verifier, embedder=None):
        self.index = index
        self.verifier = CachedVerifier(verifier)
        self.embedder = embedder if embedder is not None else getattr(index, "embedder", None)
        self._chunks: list[Chunk] | None = None
        self._statements: list[Statement] = []
        self._pool: TermPool | None = None

    def _load(self) -> None:
        if self._chunks is not None:
            return
        self._chunks = list(self.index.iter_chunks())
        if not self._chunks:
            require = getattr(self.index, "require_nonempty", None)
            if require:
                require()
            raise QuizError("the index holds no passages: run `lexcite ingest` first")
        self._statements = extract_statements(self._chunks, build_lexicon(self._chunks))
        self._pool = TermPool(self._statements, self.embedder)

    def run(self, *, n: int = 10, topic: str | None = None, types: Sequence[str] = ITEM_TYPES,
            difficulty: str | None = None, seed: int = 0, chat_model=None) -> QuizRun:
        t0 = time.perf_counter()
        types = _check_args(n, types, difficulty)
        self._load()
        assert self._chunks is not None and self._pool is not None
        if chat_model is not None:
            return self._run_llm(chat_model, n=n, topic=topic, types=types, difficulty=difficulty, seed=seed, t0=t0)
        rng = random.Random(seed)
        statements = self._statements
        if topic:
            keep = self._topic_chunks(topic)
            statements = [s for s in statements if s.chunk.id in keep]
            if not statements:
                raise QuizError(f"nothing in the corpus to ask about {topic!r}: try a broader topic or leave --topic out")
        labels = _difficulties(statements, self._pool)
        groups = _groups(self._chunks)
        queues = _queues(statements, groups, rng)
        run = QuizRun(items=[], statements=len(self._statements), candidates=len(statements),
                      groups=set(queues))
        builder = ItemBuilder(self._pool, self.verifier)
        type_cycle = deque(types)
        type_cycle.rotate(-(seed % len(types)))
        answers: Counter = Counter()
        docs = sorted({g[0] for g in queues})
        if docs:
            shift = seed % len(docs)
            docs = docs[shift:] + docs[:shift]
        sections = {d: deque(sorted((g for g in queues if g[0] == d), key=lambda g: groups.order[g])) for d in docs}
        for d in docs:
            sections[d].rotate(-(rng.randrange(len(sections[d]))))
        while len(run.items) < n and any(queues.values()):
            for d in docs:
                if len(run.items) >= n:
                    break
                item = self._take_from_document(d, sections[d], queues, builder, run, type_cycle, answers,
                                                labels, difficulty, topic, rng)
                if item is not None:
                    run.items.append(item)
                    if item.type != "true_false":
                        answers[normalize(item.answer)] += 1
        run.exhausted = {g for g, q in queues.items() if not q}
        run.group_of = {it.id: groups[it.citation.chunk_id] for it in run.items}
        for v in spread_violations(run.items, run.exhausted, run.groups, key=lambda it: run.group_of[it.id]):  # by construction this stays empty
            log.warning("quiz spread: %s", v)
        run.seconds = time.perf_counter() - t0
        log.info("quiz: %s", run.summary())
        return run

    def _take_from_document(self, doc, secs: deque, queues, builder, run, type_cycle, answers, labels,
                            difficulty, topic, rng) -> QuizItem | None:
        for _ in range(len(secs)):
            g = secs[0]
            while queues[g]:
                st = queues[g].popleft()
                item = self._try(st, builder, run, type_cycle, answers, labels, difficulty, topic, rng)
                if item is not None:
                    secs.rotate(-1)
                    return item
            secs.rotate(-1)
        return None

    def _try(self, st: Statement, builder: ItemBuilder, run: QuizRun, type_cycle: deque, answers: Counter,
             labels: dict, difficulty: str | None, topic: str | None, rng: random.Random) -> QuizItem | None:
        order = list(type_cycle)
        type_cycle.rotate(-1)
        label_topic = topic or st.chunk.section or st.chunk.title or st.chunk.source
        for kind in order:
            label = _shift(labels[id(st)], kind)
            if difficulty and label != difficulty:
                run.rejected["difficulty"] += 1
                continue
            run.attempts += 1
            item = builder.build(st, kind, label, label_topic, random.Random(f"{rng.random()}"))
            if item is None:
                run.rejected[f"no_{kind}"] += 1
                continue
            failed = check_item(item, self.verifier, st.chunk.text)
            if failed:
                run.rejected[failed[0]] += 1
                log.debug("rejected %s: %s", failed, item.stem)
                continue
            if any(same_fact(item, other) for other in run.items):
                run.rejected["same_fact"] += 1
                return None  # every type of this statement tests the same fact
            if item.type != "true_false" and answers[normalize(item.answer)] >= MAX_SAME_ANSWER:
                run.rejected["answer_reused"] += 1
                continue
            return item
        return None

    def _run_llm(self, chat_model, *, n, topic, types, difficulty, seed, t0) -> QuizRun:
        from quiz.llm_draft import LLMDrafter

        assert self._chunks is not None
        chunks = self._chunks
        if topic:
            keep = self._topic_chunks(topic)
            chunks = [c for c in chunks if c.id in keep]
            if not chunks:
                raise QuizError(f"nothing in the corpus to ask about {topic!r}: try a broader topic or leave --topic out")
        drafter = LLMDrafter(chat_model, self.verifier)
        items = drafter.run(chunks, n=n, types=types, seed=seed, difficulty=difficulty, topic=topic)
        run = QuizRun(items=items, statements=len(self._statements), candidates=len(chunks),
                      attempts=drafter.calls, rejected=Counter(drafter.rejected))
        run.seconds = time.perf_counter() - t0
        log.info("quiz (llm): %s", run.summary())
        return run

    def _topic_chunks(self, topic: str) -> set[str]:
        keep = {c.id for c, _ in self.index.lexical_search(topic, TOPIC_K)}
        try:
            dense = self.index.dense_search(topic, TOPIC_K)
        except Exception as exc:  # the vector store is optional for topic filtering
            log.warning("dense search for topic failed (%s); using lexical matches only", exc)
            dense = []
        if dense:
            best = dense[0][1]
            keep |= {c.id for c, s in dense if s >= max(0.25, best - 0.2)}
        return keep


# ---- helpers ------------------------------------------------------------------------------------
def _check_args(n: int, types: Sequence[str], difficulty: str | None) -> list[str]:
    if n < 1:
        raise QuizError(f"--n must be at least 1 (got {n})")
    types = [t.strip() for t in types if t.strip()]
    bad = [t for t in types if t not in ITEM_TYPES]
    if bad or not types:
        raise QuizError(f"unknown item type(s) {', '.join(bad) or '(none)'}: use {','.join(ITEM_TYPES)}")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise QuizError(f"difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    return list(dict.fromkeys(types))


class _Groups(dict):
    order: dict


def _groups(chunks: Sequence[Chunk]) -> _Groups:
    """(source, section) for every chunk; sectionless documents are cut into parts."""
    by_source: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_source[c.source].append(c)
    out = _Groups()
    out.order = {}
    for source, cs in by_source.items():
        for i, c in enumerate(cs):
            section = c.section or f"part {i * _PARTS // len(cs) + 1}"
            g = (source, section)
            out[c.id] = g
            out.order.setdefault(g, len(out.order))
    return out


def _queues(statements: Sequence[Statement], groups: _Groups, rng: random.Random) -> dict:
    """Per group, statements in a seeded weighted order (Efraimidis-Spirakis: key = u^(1/w))."""
    per: dict = defaultdict(list)
    for st in statements:
        w = math.exp(min(st.salience, 8.0))
        key = rng.random() ** (1.0 / w)
        per[groups[st.chunk.id]].append((-key, st.start, st))
    return {g: deque(st for _, _, st in sorted(v, key=lambda x: (x[0], x[1]))) for g, v in per.items()}


def _difficulties(statements: Sequence[Statement], pool: TermPool) -> dict[int, str]:
    """Tercile label per statement: longer sentences, numbers and rare terms are harder."""
    scores = []
    for st in statements:
        rare = max((1.0 / max(1, pool.frequency(t.text)) for t in st.terms), default=0.0)
        numeric = any(t.kind in NUMERIC_KINDS for t in st.terms)
        scores.append(0.04 * st.words + 1.0 * rare + (0.8 if numeric else 0.0) + 0.3 * len(st.terms))
    ranked = sorted(range(len(statements)), key=lambda i: (scores[i], statements[i].text))
    labels = {}
    for r, i in enumerate(ranked):
        labels[id(statements[i])] = DIFFICULTIES[min(2, r * 3 // max(1, len(ranked)))]
    return labels


def _shift(label: str, kind: str) -> str:
    """True/false is a level easier than its statement, short answer a level harder."""
    i = DIFFICULTIES.index(label) + {"true_false": -1, "short_answer": 1}.get(kind, 0)
    return DIFFICULTIES[max(0, min(2, i))]
