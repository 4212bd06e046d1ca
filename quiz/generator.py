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
from typing import Any, Iterable, Protocol, Sequence, runtime_checkable

from ingest.records import Chunk
from quiz.distractors import TermPool
from quiz.facts import Statement, build_lexicon, extract_statements, normalize
from quiz.gates import CachedVerifier, Verifier, check_item, same_fact, spread_violations
from quiz.items import ItemBuilder
from quiz.provisions import LegalTexts
from quiz.records import DIFFICULTIES, ITEM_TYPES, QuizError, QuizItem
from quiz.support import CorpusSupport

log = logging.getLogger(__name__)

MAX_SAME_ANSWER = 2  # an mcq/short answer may key at most this many items
TYPE_WEIGHTS = {"mcq": 3, "true_false": 1, "short_answer": 1}  # multiple choice is the main item type
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
    types: tuple = ()
    requested: int = 0
    why_not: dict = field(default_factory=lambda: defaultdict(Counter))  # type -> Counter(reason)

    def summary(self) -> dict:
        built = Counter(i.type for i in self.items)
        return {"items": len(self.items), "statements": self.statements, "candidates": self.candidates,
                "attempts": self.attempts, "rejected": dict(sorted(self.rejected.items())),
                "seconds": round(self.seconds, 3), "built": {t: built.get(t, 0) for t in self.types},
                "why_not": {t: dict(self.why_not[t].most_common()) for t in self.types if self.why_not.get(t)}}

    def unbuilt(self) -> list[str]:
        """One line per requested type that no item came out of, saying why (the commonest reasons)."""
        built = Counter(i.type for i in self.items)
        out = []
        for t in self.types:
            if built.get(t):
                continue
            reasons = self.why_not.get(t) or Counter()
            if not reasons:
                out.append(f"{t}: no statement was tried for it (the quiz filled up with other types first)"
                           if self.items else f"{t}: no statement in scope to build it from")
                continue
            top = "; ".join(f"{n}× {r}" for r, n in reasons.most_common(3))
            out.append(f"{t}: none built from {sum(reasons.values())} attempts: {top}")
        if self.items and len(self.items) < self.requested:
            every = Counter()
            for c in self.why_not.values():
                every.update(c)
            top = "; ".join(f"{n}× {r}" for r, n in every.most_common(3))
            out.append(f"only {len(self.items)} of {self.requested}: the statements in scope ran out"
                       + (f" ({top})" if top else ""))
        return out


def generate_quiz(index, verifier: Verifier, *, n: int = 10, topic: str | None = None,
                  types: Sequence[str] = ITEM_TYPES, difficulty: str | None = None, seed: int = 0,
                  chat_model=None, documents: Sequence[str] = (), sections: Sequence[str] = ()) -> list[QuizItem]:
    """Up to `n` items, each citing the passage that proves its answer (see QuizGenerator).
    With a LangChain `chat_model` the LLM drafts and the verifier keeps or drops (quiz/llm_draft.py)."""
    return QuizGenerator(index, verifier).run(n=n, topic=topic, types=types, difficulty=difficulty, seed=seed,
                                              chat_model=chat_model, documents=documents, sections=sections).items


def in_scope(chunk: Chunk, documents: Sequence[str] = (), sections: Sequence[str] = ()) -> bool:
    """A chunk is in a quiz's scope when its document matches one of `documents` (file name or title,
    case-insensitive substring) and its section one of `sections` (prefix, "Article 2" holds
    "Article 2(1)–(4)" but not "Article 21"); empty lists mean everything."""
    if documents:
        hay = f"{chunk.source}\n{chunk.title}".casefold()
        if not any(d.strip().casefold() in hay for d in documents if d.strip()):
            return False
    if sections:
        sec = chunk.section.casefold()
        if not any(sec == s.strip().casefold() or (sec.startswith(s.strip().casefold()) and
                                                  not sec[len(s.strip()):][:1].isalnum())
                   for s in sections if s.strip()):
            return False
    return True


class ChunkIndex(Protocol):
    """What the quiz reads from an index (ingest.index.Index, or a test's list of chunks)."""

    def iter_chunks(self, source: str | None = None) -> Iterable[Chunk]: ...

    def documents(self) -> list: ...


@runtime_checkable
class Embedding(Protocol):
    """An index that holds the embedding model (its distractors are ranked by similarity with it)."""

    embedder: Any


@runtime_checkable
class Checked(Protocol):
    """An index that explains why it is empty (`run lexcite ingest ...`)."""

    def require_nonempty(self) -> None: ...


@runtime_checkable
class Catalogued(Protocol):
    """An index with a catalog: legal texts are then named by their short titles."""

    catalog: Any


class QuizGenerator:
    """Reads the corpus once (statements, term pool); `run` may then be called many times."""

    def __init__(self, index: ChunkIndex, verifier: Verifier, embedder=None):
        self.index = index
        self.verifier = CachedVerifier(verifier)
        self.embedder = embedder if embedder is not None else (index.embedder if isinstance(index, Embedding) else None)
        self._chunks: list[Chunk] | None = None
        self._statements: list[Statement] = []
        self._pool: TermPool | None = None

    def _load(self) -> None:
        if self._chunks is not None:
            return
        self._chunks = list(self.index.iter_chunks())
        if not self._chunks:
            if isinstance(self.index, Checked):
                self.index.require_nonempty()
            raise QuizError("the index holds no passages: run `lexcite ingest` first")
        self._statements = extract_statements(self._chunks, build_lexicon(self._chunks))
        self._pool = TermPool(self._statements, self.embedder)
        documents = []
        try:
            documents = list(self.index.documents())
        except Exception:  # an index without a catalog of documents: legal texts are found by their labels
            pass
        short_name = None
        if isinstance(self.index, Catalogued) and self.index.catalog is not None:
            from assistant.instruments import InstrumentNames

            short_name = InstrumentNames(self.index.catalog).short_name
        self.legal = LegalTexts(self._chunks, documents, short_name)
        self.support = CorpusSupport(self.index, self.verifier, self.legal)

    def run(self, *, n: int = 10, topic: str | None = None, types: Sequence[str] = ITEM_TYPES,
            difficulty: str | None = None, seed: int = 0, chat_model=None, documents: Sequence[str] = (),
            sections: Sequence[str] = ()) -> QuizRun:
        t0 = time.perf_counter()
        types = _check_args(n, types, difficulty)
        self._load()
        assert self._chunks is not None and self._pool is not None
        if documents or sections:
            if not any(in_scope(c, documents, sections) for c in self._chunks):
                raise QuizError(f"no indexed passage is in the scope documents={list(documents)} "
                                f"sections={list(sections)}: check the names with `lexcite status` / "
                                f"`lexcite inspect FILE`")
        if chat_model is not None:
            return self._run_llm(chat_model, n=n, topic=topic, types=types, difficulty=difficulty, seed=seed, t0=t0,
                                 documents=documents, sections=sections)
        rng = random.Random(seed)
        statements = [s for s in self._statements if in_scope(s.chunk, documents, sections)]
        if not statements:
            raise QuizError("no statement in the chosen documents/sections is worth asking about: widen the scope")
        if topic:
            keep = self._topic_chunks(topic)
            statements = [s for s in statements if s.chunk.id in keep]
            if not statements:
                raise QuizError(f"nothing in the corpus to ask about {topic!r}: try a broader topic or leave --topic out")
        labels: dict = {}
        groups = _groups(self._chunks)
        queues = _queues(statements, groups, rng)
        run = QuizRun(items=[], statements=len(self._statements), candidates=len(statements),
                      groups=set(queues), types=tuple(types), requested=n)
        builder = ItemBuilder(self._pool, self.verifier, self.support, self.legal, self.embedder, self._statements)
        type_cycle = deque(t for t in types for _ in range(TYPE_WEIGHTS.get(t, 1)))
        if len(types) > 1:  # interleave: mcq, true_false, mcq, short_answer, mcq, …
            type_cycle = deque(_interleave(types))
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
        built = Counter(i.type for i in run.items)
        cycle = list(dict.fromkeys(type_cycle))
        type_cycle.rotate(-1)
        # the type furthest behind its share (TYPE_WEIGHTS) first, so a statement that can only give a
        # true/false item does not use up multiple choice's turn
        order = sorted(cycle, key=lambda t: (built[t] / TYPE_WEIGHTS.get(t, 1), cycle.index(t)))
        label_topic = topic or st.chunk.section or st.chunk.title or st.chunk.source
        tf = Counter(i.answer for i in run.items if i.type == "true_false")
        builder.prefer_false = tf["true"] > tf["false"]  # keep "true" from being the safe guess
        for kind in order:
            run.attempts += 1
            item = builder.build(st, kind, label_topic, random.Random(f"{rng.random()}"))
            if item is None:
                run.rejected[f"no_{kind}"] += 1
                run.why_not[kind][builder.why or "nothing to ask"] += 1
                continue
            if difficulty and item.difficulty != difficulty:
                run.rejected["difficulty"] += 1
                run.why_not[kind][f"the item came out {item.difficulty}, not {difficulty}"] += 1
                continue
            failed = check_item(item, self.verifier, st.chunk.text)
            if not failed:
                failed = self.support.problem(item)
            if failed:
                run.rejected[failed[0]] += 1
                run.why_not[kind][f"gate {failed[0]}: {failed[1].split(':')[0]}"] += 1
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

    def _run_llm(self, chat_model, *, n, topic, types, difficulty, seed, t0, documents=(), sections=()) -> QuizRun:
        from quiz.llm_draft import LLMDrafter

        assert self._chunks is not None
        chunks = [c for c in self._chunks if in_scope(c, documents, sections)]
        if topic:
            keep = self._topic_chunks(topic)
            chunks = [c for c in chunks if c.id in keep]
            if not chunks:
                raise QuizError(f"nothing in the corpus to ask about {topic!r}: try a broader topic or leave --topic out")
        drafter = LLMDrafter(chat_model, self.verifier)
        items = drafter.run(chunks, n=n, types=types, seed=seed, difficulty=difficulty, topic=topic)
        run = QuizRun(items=items, statements=len(self._statements), candidates=len(chunks),
                      attempts=drafter.calls, rejected=Counter(drafter.rejected), types=tuple(types))
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


def _interleave(types: Sequence[str]) -> list[str]:
    """Each type as often as its weight, spread out: mcq, true_false, mcq, short_answer, mcq."""
    slots = []
    for t in types:
        w = TYPE_WEIGHTS.get(t, 1)
        slots += [((k + 0.5) / w, t) for k in range(w)]
    return [t for _, t in sorted(slots, key=lambda x: (x[0], types.index(x[1])))]
