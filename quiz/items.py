"""Turn one salient statement into one item: cloze / short answer, multiple choice, true/false.

The keyed statement is always the verbatim sentence of the chunk, so the citation proves it. A
"false" true/false claim is a perturbation (another term of the same kind, or a negated
obligation) that the verifier judges unsupported by the passage; otherwise the claim is true.
"""

from __future__ import annotations

import random
import re
from quiz.distractors import TermPool
from quiz.facts import NUMERIC_KINDS, Statement, Term, content_words, normalize
from quiz.gates import Verifier, stem_hides_answer
from quiz.records import BLANK, QuizCitation, QuizItem, item_id

N_DISTRACTORS = 3
_KIND_PRIORITY = {"defined": 5.0, "reference": 4.0, "number": 4.0, "percent": 4.0, "money": 4.0, "year": 3.5,
                  "actor": 3.0, "name": 3.0, "acronym": 2.0}
_NEGATABLE = [(r"\bshall not\b", "shall"), (r"\bmust not\b", "must"), (r"\bshall\b", "shall not"),
              (r"\bmust\b", "must not"), (r"\bis required to\b", "is not required to"),
              (r"\bare required to\b", "are not required to"), (r"\bis prohibited\b", "is permitted"),
              (r"\bare prohibited\b", "are permitted")]


def citation_for(st: Statement) -> QuizCitation:
    c = st.chunk
    return QuizCitation(chunk_id=c.id, source=c.source, page=c.page, section=c.section, quote=st.text,
                        title=c.title, start=c.start + st.start, end=c.start + st.end)


def where(st: Statement) -> str:
    c = st.chunk
    parts = [c.title or c.source] + ([c.section] if c.section else []) + ([f"p. {c.page}"] if c.page else [])
    return ", ".join(parts)


def cloze(sentence: str, term: Term) -> str:
    before, after = sentence[: term.start], sentence[term.end:]
    before = re.sub(r"\b([Aa])n? $", lambda m: m.group(1) + "(n) ", before)  # "an _____" gives the answer away
    return before + BLANK + after


def blankable_terms(st: Statement, pool: TermPool, rng: random.Random) -> list[Term]:
    """Terms worth blanking, best first: printed once, not most of the sentence, not given away."""
    low = st.text.casefold()
    out: list[tuple[float, Term]] = []
    for t in st.terms:
        if low.count(t.text.casefold()) != 1:
            continue
        if re.search(r"\b(?:this|these|that|those)\s+$", st.text[: t.start], re.I):
            continue  # "this _____" points at the document itself
        if len(t.text.split()) > 0.5 * st.words or st.words - len(t.text.split()) < 5:
            continue
        rest = st.text[: t.start] + " " + st.text[t.end:]
        if {w for w in content_words(t.text) if len(w) >= 3} & content_words(rest):
            continue
        rarity = 1.0 / max(1, pool.frequency(t.text))
        out.append((_KIND_PRIORITY.get(t.kind, 1.0) + rarity + rng.random() * 0.1, t))
    out.sort(key=lambda x: -x[0])
    return [t for _, t in out]


class ItemBuilder:
    """Builds items of one statement; `topic` is the label written on every item."""

    def __init__(self, pool: TermPool, verifier: Verifier):
        self.pool = pool
        self.verifier = verifier

    def build(self, st: Statement, kind: str, difficulty: str, topic: str, rng: random.Random) -> QuizItem | None:
        if kind == "true_false":
            return self.true_false(st, difficulty, topic, rng)
        for term in blankable_terms(st, self.pool, rng):
            item = self.mcq(st, term, difficulty, topic, rng) if kind == "mcq" else \
                self.short_answer(st, term, difficulty, topic)
            if item is not None:
                return item
        return None

    def short_answer(self, st: Statement, term: Term, difficulty: str, topic: str) -> QuizItem | None:
        stem = f"Fill in the blank: {cloze(st.text, term)}"
        item = QuizItem(
            id=item_id("short_answer", st.chunk.id, st.text, term.text), type="short_answer", stem=stem,
            answer=term.text, explanation=f'{where(st)} states: "{st.text}"', citation=citation_for(st),
            difficulty=difficulty, topic=topic, statement=st.text, fact=normalize(st.text), kind=term.kind,
        )
        return item if stem_hides_answer(item) is None else None

    def mcq(self, st: Statement, term: Term, difficulty: str, topic: str, rng: random.Random) -> QuizItem | None:
        cands = self.pool.distractors(term, st, k=3 * N_DISTRACTORS, rng=rng, difficulty=difficulty)
        if len(cands) < N_DISTRACTORS:
            return None
        claims = [st.text[: term.start] + d + st.text[term.end:] for d in cands]
        key, *verdicts = _score_many(self.verifier, [(c, [st.text]) for c in [st.text, *claims]])
        wrong: list[str] = []
        for d, s in zip(cands, verdicts):
            if s.supported and s.score >= key.score:
                continue  # the verifier cannot tell it from the key: ambiguous
            wrong.append(d)
            if len(wrong) == N_DISTRACTORS:
                break
        if len(wrong) < N_DISTRACTORS:
            return None
        options = [term.text, *wrong]
        rng.shuffle(options)
        stem = _question_form(st, term) or f"Complete the statement: {cloze(st.text, term)}"
        return QuizItem(
            id=item_id("mcq", st.chunk.id, st.text, term.text), type="mcq", stem=stem, options=tuple(options),
            answer=term.text, explanation=f'{term.text}. {where(st)} states: "{st.text}"',
            citation=citation_for(st), difficulty=difficulty, topic=topic, statement=st.text,
            fact=normalize(st.text), kind=term.kind,
        )

    def true_false(self, st: Statement, difficulty: str, topic: str, rng: random.Random) -> QuizItem | None:
        claim, answer = st.text, "true"
        if rng.random() < 0.5:
            false_claim = self._false_claim(st, rng, difficulty)
            if false_claim is not None:
                claim, answer = false_claim, "false"
        verdict = "True" if answer == "true" else "False"
        return QuizItem(
            id=item_id("true_false", st.chunk.id, st.text, claim), type="true_false",
            stem=f"True or false: {claim}", answer=answer,
            explanation=f'{verdict}. {where(st)} states: "{st.text}"', citation=citation_for(st),
            difficulty=difficulty, topic=topic, statement=st.text, fact=normalize(st.text),
        )

    def perturbations(self, st: Statement, rng: random.Random, difficulty: str) -> list[str]:
        """Candidate false versions of the statement: swap a term, or negate an obligation."""
        out: list[str] = []
        for term in blankable_terms(st, self.pool, rng)[:2]:
            for d in self.pool.distractors(term, st, k=3, rng=rng, difficulty=difficulty):
                out.append(self.pool.substitute(st, term, d))
        for pattern, repl in _NEGATABLE:
            m = re.search(pattern, st.text)
            if m:
                out.append(st.text[: m.start()] + repl + st.text[m.end():])
                break
        return out

    def _false_claim(self, st: Statement, rng: random.Random, difficulty: str) -> str | None:
        claims = [c for c in self.perturbations(st, rng, difficulty) if normalize(c) != normalize(st.text)]
        if not claims:
            return None
        pairs = [(c, [p]) for c in claims for p in (st.text, st.chunk.text)]
        verdicts = _score_many(self.verifier, pairs)
        for i, claim in enumerate(claims):
            if not verdicts[2 * i].supported and not verdicts[2 * i + 1].supported:
                return claim
        return None


def _score_many(verifier: Verifier, pairs):
    many = getattr(verifier, "score_many", None)
    return many(pairs) if many else [verifier.score(s, p) for s, p in pairs]


def _question_form(st: Statement, term: Term) -> str | None:
    """'Which of the following shall notify …?' when the answer is the subject of the sentence."""
    before = st.text[: term.start].strip()
    after = st.text[term.end:]
    if term.kind in NUMERIC_KINDS or before not in ("", "The", "the", "A", "An"):
        return None
    m = re.match(r" (shall|must|is|are|was|were|has|have|may|can|provides?|offers?|facilitates?|"
                 r"enables?|supports?|coordinates?|maintains?|issues?|serves?|functions?|operates?|"
                 r"helps?|uses?|employs?|leads?|requires?)\b", after)
    if not m:
        return None
    rest = after.strip().rstrip(".;!").strip()
    return f"Which of the following {rest}?"

