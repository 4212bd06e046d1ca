"""Distractors: wrong options of the same kind as the answer, drawn from elsewhere in the corpus.

Same kind means the same term kind (a body for a body, an acronym for an acronym, a number with
the same unit for a number, an article for an article). Never a synonym of the answer (same words,
an acronym of it, or nearly the same embedding), never absurd (much longer or shorter). The
embedding model ranks the rest: related-but-different terms make better distractors, and a harder
item prefers closer ones.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from quiz.facts import ENTITY_KINDS, NUMERIC_KINDS, Statement, Term, content_words, normalize

SYNONYM_COSINE = 0.86  # above this an option means the same thing as the answer
_TARGET_SIM = {"easy": 0.25, "medium": 0.45, "hard": 0.7}


_ORG_HEADS = frozenset("""organization organisation office agency council commission committee court bureau centre
    center group unit union association authority ministry department police service institute parliament nations
    bank board foundation society secretariat federation forum programme program force tribunal assembly
    government prosecutor prosecution team directorate division network""".split())
_DOC_HEADS = frozenset("""convention protocol principles principle declaration act directive regulation code treaty
    charter guidelines guideline law resolution agreement statute report strategy plan decision recommendation
    handbook manual framework rules constitution""".split())
_TOOL_HEADS = frozenset("""system systems database databases notice notices platform platforms tool tools portal
    register registry channel channels app software""".split())
_PLACE_PREPS = frozenset("in across throughout within from to into near".split())


@dataclass(frozen=True)
class PoolTerm:
    text: str
    kind: str
    unit: str
    sources: frozenset[str]
    count: int
    cls: str = "other"  # org | document | tool | place | other (entities only)
    origin: tuple[str, str] = ("", "")  # (source, section) where the corpus first uses it


def compatible(a: str, b: str) -> bool:
    """Kinds that may stand in for each other (a name for an acronym; an actor only for an actor)."""
    if a in ("name", "acronym"):
        return b in ("name", "acronym")
    return a == b


TIME_UNITS = frozenset({"day", "week", "month", "year", "hour", "working day"})
WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
WORD_NUMBERS.update({"fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60})
_NUMBER_WORDS = {v: k for k, v in WORD_NUMBERS.items()}


def entity_class(text: str, sentence: str = "", start: int = -1) -> str:
    """A coarse class from the term's own words and the word before it (generic English cues)."""
    words = [w.lower().strip("’'") for w in re.findall(r"[A-Za-z][\w’'\-]*", text)]
    if not words:
        return "other"
    head = words[-1].split("-")[-1]
    if any(w in _DOC_HEADS for w in words):
        return "document"
    if head in _ORG_HEADS:
        return "org"
    if head in _TOOL_HEADS or re.search(r"[A-Za-z]-(?:\d|[A-Z][a-z])", text):
        return "tool"  # "I-24/7", "I-Checkit", "… Database"
    if start > 0 and sentence:
        prev = re.findall(r"[A-Za-z]+", sentence[:start])[-1:]
        if prev and prev[0].lower() in _PLACE_PREPS and text[:1].isupper() and not text.isupper():
            return "place"
    letters = re.sub(r"[^A-Za-z]", "", text)
    if text.replace("-", "").isupper() and len(letters) >= 3 and not re.search(r"\d", text):
        return "org"  # a spelled-out acronym of three or more letters names a body more often than not
    return "other"


def is_acronym_of(short: str, long: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", short)
    if len(letters) < 2 or not short.replace("-", "").replace("/", "").isupper():
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w\-]*", long) if w.lower() not in ("of", "and", "for", "the", "on", "in")]
    initials = "".join(w[0] for w in words).upper()
    return letters.upper() == initials


def same_meaning(a: str, b: str) -> bool:
    """Equal up to case/spacing, one contains the other's words, or one is the acronym of the other."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return True
    wa, wb = content_words(a), content_words(b)
    if wa and wb and (wa <= wb or wb <= wa):
        return True
    return is_acronym_of(a, b) or is_acronym_of(b, a)


class TermPool:
    """Every key term of the corpus, by kind, with lazily computed embeddings for the named ones."""

    def __init__(self, statements: Sequence[Statement], embedder=None):
        self.embedder = embedder
        self._with_the: Counter = Counter()
        forms: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        units: dict[tuple[str, str], str] = {}
        classes: dict[tuple[str, str], Counter] = defaultdict(Counter)
        origins: dict[tuple[str, str], tuple[str, str]] = {}
        for st in statements:
            for t in st.terms:
                key = (t.kind, normalize(t.text))
                origins.setdefault(key, (st.chunk.source, st.chunk.section))
                forms[key][t.text] += 1
                sources[key].add(st.chunk.source)
                units[key] = t.unit
                if t.kind in ENTITY_KINDS:
                    classes[key][entity_class(t.text, st.text, t.start)] += 1
                    if re.search(r"\bthe\s+$", st.text[: t.start], re.I):
                        self._with_the[t.text] += 1
        self.terms: list[PoolTerm] = []
        for key in sorted(forms):
            text = max(sorted(forms[key]), key=lambda f: forms[key][f])  # the commonest spelling
            self.terms.append(PoolTerm(text, key[0], units[key], frozenset(sources[key]), sum(forms[key].values()),
                                       _majority(classes.get(key)), origins[key]))
        self._origin = {normalize(t.text): t.origin for t in self.terms}
        self._cls = {(t.kind, normalize(t.text)): t.cls for t in self.terms}
        self.doc_freq: dict[str, int] = defaultdict(int)
        for t in self.terms:
            self.doc_freq[normalize(t.text)] += t.count
        self._vec: dict[str, np.ndarray] | None = None

    def origin(self, text: str) -> tuple[str, str]:
        """(source, section) where the corpus uses `text`; ("", "") for a made-up option."""
        return self._origin.get(normalize(text), ("", ""))

    def frequency(self, text: str) -> int:
        return self.doc_freq.get(normalize(text), 0)

    def _vectors(self) -> dict[str, np.ndarray]:
        if self._vec is None:
            texts = sorted({t.text for t in self.terms if t.kind not in NUMERIC_KINDS})
            self._vec = {}
            if self.embedder is not None and texts:
                vecs = self.embedder.embed(texts)
                self._vec = dict(zip(texts, vecs))
        return self._vec

    def similarity(self, a: str, b: str) -> float | None:
        vec = self._vectors()
        if a not in vec:
            if self.embedder is None:
                return None
            vec[a] = self.embedder.embed([a])[0]
        if b not in vec:
            return None
        return float(np.dot(vec[a], vec[b]))

    def distractors(self, answer: Term, statement: Statement, k: int, rng: random.Random,
                    difficulty: str = "medium") -> list[str]:
        """Up to `k` wrong options for `answer` (best first), distinct from each other."""
        if answer.kind in NUMERIC_KINDS:
            ranked = self._numeric(answer, statement, rng)
        else:
            ranked = self._named(answer, statement, rng, difficulty)
        out: list[str] = []
        for c in ranked:
            if all(not same_meaning(c, o) for o in out):
                out.append(c)
            if len(out) >= k:
                break
        return out

    # ---- named things ---------------------------------------------------------------------------
    def _named(self, answer: Term, statement: Statement, rng: random.Random, difficulty: str) -> list[str]:
        target = _TARGET_SIM.get(difficulty, 0.45)
        n_words = len(answer.text.split())
        stem_norm = normalize(statement.text)
        cls = self.class_of(answer, statement)
        scored: list[tuple[float, str]] = []
        for t in self.terms:
            if not compatible(answer.kind, t.kind) or same_meaning(t.text, answer.text):
                continue
            if answer.kind in ENTITY_KINDS and (t.cls != cls or cls == "other"):
                continue  # a place for a body, or a law for a tool, is absurd
            if normalize(t.text) in stem_norm:
                continue  # an option printed in the stem is no option
            words = len(t.text.split())
            if words > 3 * n_words + 1 or n_words > 3 * words + 1:
                continue  # absurd next to the answer
            sim = self.similarity(answer.text, t.text)
            if sim is not None and sim >= SYNONYM_COSINE:
                continue
            score = 0.0 if sim is None else -abs(sim - target)
            score += 0.3 if t.kind == answer.kind else 0.0
            score += 0.15 if _shape(t.text) == _shape(answer.text) else 0.0
            score -= 0.05 * abs(words - n_words)
            score += 0.05 * min(t.count, 4) / 4  # terms the corpus uses are more plausible
            scored.append((score + rng.random() * 0.05, t.text))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [t for _, t in scored]

    def substitute(self, statement: Statement, term: Term, option: str) -> str:
        """The statement with `term` replaced by `option` ("the" added when the corpus writes it so)."""
        before, after = statement.text[: term.start], statement.text[term.end:]
        if self._with_the[option] and not re.search(r"\b(?:the|a|an|its|their)\s+$", before, re.I):
            before += "The " if not before.strip() else "the "
        return before + option + after

    def class_of(self, term: Term, statement: Statement) -> str:
        if term.kind not in ENTITY_KINDS:
            return term.kind
        here = entity_class(term.text, statement.text, term.start)
        return here if here != "other" else self._cls.get((term.kind, normalize(term.text)), "other")

    # ---- numbers --------------------------------------------------------------------------------
    def _numeric(self, answer: Term, statement: Statement, rng: random.Random) -> list[str]:
        """The same document's other values of the kind first (periods of any time unit count), then
        the answer's value shifted plausibly in its own format."""
        stem_norm = normalize(statement.text)
        period = answer.unit in TIME_UNITS

        def same_kind(t: PoolTerm) -> bool:
            if t.kind != answer.kind:
                return False
            return t.unit in TIME_UNITS if period else t.unit == answer.unit

        from_corpus = [t for t in self.terms if same_kind(t) and normalize(t.text) != normalize(answer.text)
                       and normalize(t.text) not in stem_norm]
        rng.shuffle(from_corpus)
        from_corpus.sort(key=lambda t: statement.chunk.source not in t.sources)  # the same document first
        made = [v for v in _numeric_variants(answer) if normalize(v) not in stem_norm]
        out = [t.text for t in from_corpus[:2]] + made[:3] + [t.text for t in from_corpus[2:]] + made[3:]
        return list(dict.fromkeys(out))


def _majority(counts: Counter | None) -> str:
    if not counts:
        return "other"
    known = [(n, c) for c, n in counts.items() if c != "other"]
    return max(known)[1] if known else "other"


def _shape(text: str) -> str:
    if text.replace("-", "").replace("/", "").isupper():
        return "ACRONYM"
    return "Name" if text[:1].isupper() else "phrase"


_NUM_IN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _numeric_variants(answer: Term) -> list[str]:
    """Plausible wrong numbers in the answer's own format ("30 days" -> "15 days", "60 days", ...)."""
    m = _NUM_IN.search(answer.text)
    if not m:
        return _word_variants(answer)
    raw = m.group()
    value = float(raw.replace(",", ""))
    if answer.kind == "year":
        cands = [value + d for d in (-5, 3, -2, 10, 1, -10)]
    elif answer.kind == "reference":
        cands = [value + d for d in (1, 2, -1, 3, 5) if value + d > 0]
    elif answer.kind == "percent":
        cands = [value + d for d in (10, -10, 5, 20, -5) if 0 < value + d <= 100]
    else:
        cands = [value * 2, value / 2, value * 3, value + 1, value * 1.5, value - 1]
    out = []
    for v in cands:
        if v <= 0 or v == value:
            continue
        if "." not in raw and v != int(v):
            continue
        txt = f"{int(v):,}" if "," in raw else (str(int(v)) if "." not in raw else f"{v:g}")
        out.append(answer.text[: m.start()] + txt + answer.text[m.end():])
    return out


def _word_variants(answer: Term) -> list[str]:
    """'three months' -> 'two months', 'six months', 'one month', ... (numbers written as words)."""
    words = answer.text.split(" ", 1)
    value = WORD_NUMBERS.get(words[0].lower())
    if value is None:
        return []
    rest = words[1] if len(words) > 1 else ""
    out = []
    for v in (value * 2, value - 1, value + 1, value * 4, 1, value + 2):
        if v <= 0 or v == value or v not in _NUMBER_WORDS:
            continue
        unit = rest
        if v == 1 and unit.endswith("s"):
            unit = unit[:-1]
        elif value == 1 and v > 1 and unit and not unit.endswith("s"):
            unit += "s"
        word = _NUMBER_WORDS[v]
        word = word.capitalize() if words[0][:1].isupper() else word
        out.append(f"{word} {unit}".strip())
    return list(dict.fromkeys(out))
