"""Turn one salient statement into one item: multiple choice, true/false or short answer.

Every item keys a claim that stands alone (quiz/stems.py) and cites the verbatim quote that proves it.
Multiple choice comes in four forms, each with three wrong options of the key's own kind, drawn from the
corpus and checked against it (quiz/support.py) so that none is also true:

- `cloze` / `question`: a term of the claim (a number or period, a body, a tool, a defined term) blanked;
  wrong options are the same document's other values of the kind, shifted values, or other names of the
  same class;
- `which_provision`, `provision_rule`, `which_section` (quiz/locate.py): where a rule stands — "Which article
  of <instrument> provides that …?", "Which of the following does Article 21 of <instrument> provide?",
  "Which part of <document> says that …?" — wrong options the document's other provisions, rules or parts.

A "false" true/false claim swaps a term for a corpus-checked wrong option, or negates the obligation.
Difficulty comes from measured features (quiz/difficulty.py); explanations quote the source's words
around the key and say why the nearest wrong option is wrong.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import replace

import numpy as np

from quiz.difficulty import grade
from quiz.distractors import WORD_NUMBERS, TermPool
from quiz.facts import NUMERIC_KINDS, Statement, Term, content_words, normalize
from quiz.gates import Verifier, stem_hides_answer
from quiz.provisions import LegalTexts, provision_of
from quiz.records import BLANK, QuizCitation, QuizItem, item_id
from quiz.locate import LocateForms
from quiz.prepared import N_DISTRACTORS, Prepared, claim_text, window
from quiz.stems import lower_first, standalone
from quiz.support import CorpusSupport

_KIND_PRIORITY = {"defined": 5.0, "reference": 4.0, "number": 4.0, "percent": 4.0, "money": 4.0, "year": 3.5,
                  "name": 3.0, "acronym": 2.0}
_NEGATABLE = [(r"\bshall not\b", "shall"), (r"\bmust not\b", "must"), (r"\bshall\b", "shall not"),
              (r"\bmust\b", "must not"), (r"\bis required to\b", "is not required to"),
              (r"\bare required to\b", "are not required to"), (r"\bis prohibited\b", "is permitted"),
              (r"\bare prohibited\b", "are permitted"), (r"\bmay not\b", "may"), (r"\bmay only\b", "may not"),
              (r"\bis entitled to\b", "is not entitled to"), (r"\bare entitled to\b", "are not entitled to"),
              (r"\bis (?!not\b)", "is not "), (r"\bare (?!not\b)", "are not "), (r"\bhas (?!not\b)", "has not ")]


def where(st: Statement) -> str:
    c = st.chunk
    parts = [c.title or c.source] + ([c.section] if c.section else []) + ([f"p. {c.page}"] if c.page else [])
    return ", ".join(parts)


def citation_for(st: Statement) -> QuizCitation:
    c = st.chunk
    return QuizCitation(chunk_id=c.id, source=c.source, page=c.page, section=c.section, quote=st.text,
                        title=c.title, start=c.start + st.start, end=c.start + st.end)


def cloze(sentence: str, term: Term) -> str:
    before, after = sentence[: term.start], sentence[term.end:]
    before = re.sub(r"\b([Aa])n? $", lambda m: m.group(1) + "(n) ", before)  # "an _____" gives the answer away
    return before + BLANK + after


def blankable_terms(st: Statement, pool: TermPool, rng: random.Random) -> list[Term]:
    """Terms worth blanking, best first: printed once, not the document's own subject, not given away."""
    low = st.text.casefold()
    title = normalize(st.chunk.title or "")
    out: list[tuple[float, Term]] = []
    for t in st.terms:
        if re.fullmatch(r"(?i)(?:articles?|paragraphs?|sections?|chapters?|indents?)", t.text):
            continue
        if t.kind in ("actor", "reference") or low.count(t.text.casefold()) != 1:
            continue  # actors and cross-references ask little; "which article" items ask for provisions
        if t.kind in ("name", "acronym") and pool.class_of(t, st) == "other":
            continue  # a name of no known class has no wrong options of its own kind
        if t.kind not in NUMERIC_KINDS and normalize(t.text) in title:
            continue  # the main subject of the document: blanking it asks nothing
        if re.search(r"\b(?:this|these|that|those)\s+$", st.text[: t.start], re.I):
            continue  # "this _____" points at the document itself
        if re.search(r"\b(?:articles?|paragraphs?|sections?|chapters?|indents?)\s+(?:[\w()]+,?\s+(?:and\s+|or\s+)?)*$",
                     st.text[: t.start], re.I):
            continue  # a cross-reference number
        if len(t.text.split()) > 0.5 * st.words or st.words - len(t.text.split()) < 5:
            continue
        rest = st.text[: t.start] + " " + st.text[t.end:]
        if {w for w in content_words(t.text) if len(w) >= 3} & content_words(rest):
            continue
        rarity = 1.0 / max(1, pool.frequency(t.text))
        out.append((_KIND_PRIORITY.get(t.kind, 1.0) + rarity + rng.random() * 0.1, t))
    out.sort(key=lambda x: -x[0])
    return [t for _, t in out]


class ItemBuilder(LocateForms):
    """Builds items of one statement. `why` holds the reason the last `build` returned None."""

    def __init__(self, pool: TermPool, verifier: Verifier, support: CorpusSupport | None = None,
                 legal: LegalTexts | None = None, embedder=None, statements=()):
        self.pool = pool
        self.verifier = verifier
        self.support = support
        self.legal = legal
        self.embedder = embedder
        self.why = ""
        self.prefer_false = False  # set by the generator when true statements outnumber false ones
        self._statements = list(statements)
        self._vec: dict[str, np.ndarray] = {}
        self._rules: dict[str, list[tuple[str, str]]] = {}

    # ---- entry ----------------------------------------------------------------------------------
    def build(self, st: Statement, kind: str, topic: str, rng: random.Random) -> QuizItem | None:
        self.why = ""
        p = self.prepare(st)
        if p is None:
            self.why = ("the sentence does not stand alone (a reference it cannot resolve)" if _substantive(st)
                        else "the sentence states nothing but the document's own subject")
            return None
        if kind == "true_false":
            return self.true_false(p, topic, rng)
        if kind == "short_answer":
            for term in blankable_terms(p.st, self.pool, rng):
                item = self.short_answer(p, term, topic)
                if item is not None:
                    return item
            self.why = self.why or "no term worth blanking"
            return None
        forms = []
        terms = blankable_terms(p.st, self.pool, rng)
        if p.legal:
            forms = ["which_provision", "provision_rule"]
            rng.shuffle(forms)
            if terms and (terms[0].kind in NUMERIC_KINDS or rng.random() < 0.4):
                forms.insert(0, "term")
            else:
                forms.append("term")
        else:
            forms = ["term", "which_section"]
        for form in forms:
            if form == "term":
                for term in terms[:3]:
                    item = self.term_mcq(p, term, topic, rng)
                    if item is not None:
                        return item
                self.why = self.why or "no term worth blanking"
            elif form == "which_provision":
                item = self.which_provision(p, topic, rng)
                if item is not None:
                    return item
            elif form == "which_section":
                item = self.which_section(p, topic, rng)
                if item is not None:
                    return item
            else:
                item = self.provision_rule(p, topic, rng)
                if item is not None:
                    return item
        return None

    def prepare(self, st: Statement) -> Prepared | None:
        c = st.chunk
        if not _substantive(st):
            return None
        sa = standalone(st, c.title)
        if sa is None:
            return None
        legal = self.legal is not None and self.legal.is_legal(c.source)
        prov = provision_of(c, st.start) if legal else ""
        if legal and not prov:
            return None  # a legal text's front matter or chapter heading: no provision to cite
        if legal and re.match(r"[A-Z]{4,}\b", st.text):
            return None  # "DONE at …", "IN WITNESS WHEREOF …": the closing formula, not a provision
        terms = tuple(t for t in (_relocate(t, sa.claim) for t in st.terms) if t is not None)
        quote = c.text[sa.start:sa.end]
        cit = QuizCitation(chunk_id=c.id, source=c.source, page=c.page, section=c.section, quote=quote,
                           title=c.title, start=c.start + sa.start, end=c.start + sa.end)
        inst = self.legal.instrument(c.source) if legal else ""
        return Prepared(replace(st, text=sa.claim, terms=terms), st, sa, prov, inst, cit)

    # ---- multiple choice: a blanked term ------------------------------------------------------------
    def term_mcq(self, p: Prepared, term: Term, topic: str, rng: random.Random) -> QuizItem | None:
        cands = self.pool.distractors(term, p.st, k=2 * N_DISTRACTORS, rng=rng)
        if len(cands) < N_DISTRACTORS:
            self.why = "fewer than 3 wrong options of the key's kind in the corpus"
            return None
        wrong = self._unsupported(p, term, cands)
        if len(wrong) < N_DISTRACTORS:
            self.why = "fewer than 3 wrong options of the key's kind that the corpus does not support"
            return None
        close = {d: self._closeness(term, d) for d in wrong}
        options = [term.text, *wrong]
        rng.shuffle(options)
        text = cloze(p.st.text, term)
        if p.legal:
            stem, form = f"Under {p.provision} of {p.instrument}, {lower_first(text, p.source.chunk.text)}", "cloze"
        else:
            q = _question_form(p.st, term)
            stem, form = (q, "question") if q else (f"Complete the statement: {text}", "cloze")
        nearest = max(wrong, key=lambda d: close[d])
        feedback = [(term.text, "Correct. " + self._key_words(p, term))]
        feedback += [(d, self._why_term_wrong(p, term, d)) for d in wrong]
        label, basis = grade(closeness=sum(close.values()) / len(close), evidence=p.citation.quote,
                             sentences=p.sa.sentences)
        item = QuizItem(
            id=item_id("mcq", p.source.chunk.id, p.source.text, term.text), type="mcq", stem=stem,
            options=tuple(options), answer=term.text,
            explanation=f"{self._key_words(p, term)} {self._why_term_wrong(p, term, nearest)}",
            citation=p.citation, difficulty=label, topic=topic, statement=p.source.text,
            fact=normalize(p.source.text), kind=term.kind, form=form, claim=claim_text(p), provision=p.provision,
            difficulty_basis=basis, feedback=tuple(feedback))
        return self._gate(item)

    def _unsupported(self, p: Prepared, term: Term, cands: list[str]) -> list[str]:
        claims = [p.st.text[: term.start] + d + p.st.text[term.end:] for d in cands]
        if self.support is not None:
            verdicts = self.support.supported(claims, [[p.source.chunk.text]] * len(claims))
        else:
            verdicts = [v.supported for v in _score_many(self.verifier, [(c, [p.source.chunk.text]) for c in claims])]
        return [d for d, v in zip(cands, verdicts) if not v][:N_DISTRACTORS]

    def _closeness(self, term: Term, option: str) -> float:
        if term.kind in NUMERIC_KINDS:
            a, b = _value(term.text), _value(option)
            if a is None or b is None or a <= 0 or b <= 0:
                return 0.3
            same_unit = _unit_of(term.text) == _unit_of(option)
            return round(max(0.0, 1 - abs(math.log(a / b)) / math.log(10)) * (1.0 if same_unit else 0.6), 3)
        sim = self.pool.similarity(term.text, option)
        return round(max(0.0, sim), 3) if sim is not None else 0.3

    def _key_words(self, p: Prepared, term: Term) -> str:
        return f"{self._where(p)} says: “{window(p.source.text, term.text)}”."

    def _why_term_wrong(self, p: Prepared, term: Term, d: str) -> str:
        src, section = self.pool.origin(d)
        here = p.provision or "the source"
        if src and (src, section) != (p.source.chunk.source, p.source.chunk.section):
            at = section if src == p.source.chunk.source and section else (self._title(src) or src)
            return f"Not {d}: that belongs to {at}, not here; {here} says {term.text}."
        return f"Not {d}: {here} says {term.text}."

    # ---- true / false ---------------------------------------------------------------------------
    def true_false(self, p: Prepared, topic: str, rng: random.Random) -> QuizItem | None:
        claim, answer, closeness, nearest = p.st.text, "true", None, ""
        if self.prefer_false or rng.random() < 0.5:
            got = self._false_claim(p, rng)
            if got is not None:
                claim, answer, closeness, nearest = got
        shown = f"Under {p.provision} of {p.instrument}, {lower_first(claim, p.source.chunk.text)}" if p.legal else claim
        if answer == "true":
            explanation = f"True: {self._where(p)} states exactly this (see the quote)."
        else:
            explanation = f"False: {self._where(p)} says “{window(p.source.text, nearest, 8)}”; the statement changes that."
        label, basis = grade(closeness=closeness, evidence=p.citation.quote, sentences=p.sa.sentences, bonus=-0.1)
        item = QuizItem(
            id=item_id("true_false", p.source.chunk.id, p.source.text, claim), type="true_false",
            stem=f"True or false: {shown}", answer=answer, explanation=explanation, citation=p.citation,
            difficulty=label, topic=topic, statement=p.source.text, fact=normalize(p.source.text), form="claim",
            claim=claim_text(p), provision=p.provision, difficulty_basis=basis)
        return self._gate(item)

    def _false_claim(self, p: Prepared, rng: random.Random):
        """(false claim, 'false', closeness, the key words it changes) or None."""
        cands: list[tuple[str, float, str]] = []
        for term in blankable_terms(p.st, self.pool, rng)[:2]:
            for d in self.pool.distractors(term, p.st, k=3, rng=rng):
                cands.append((p.st.text[: term.start] + d + p.st.text[term.end:], self._closeness(term, d), term.text))
        for pattern, repl in _NEGATABLE:
            m = re.search(pattern, p.st.text)
            if m:
                cands.append((p.st.text[: m.start()] + repl + p.st.text[m.end():], 0.9, m.group()))
                break
        cands = [c for c in cands if normalize(c[0]) != normalize(p.st.text)]
        if not cands:
            return None
        claims = [c for c, _, _ in cands]
        if self.support is not None:
            verdicts = self.support.supported(claims, [[p.source.chunk.text]] * len(claims))
        else:
            verdicts = [v.supported for v in _score_many(self.verifier, [(c, [p.source.chunk.text]) for c in claims])]
        for (c, close, changed), v in zip(cands, verdicts):
            if not v:
                return c, "false", close, changed
        return None

    # ---- short answer -----------------------------------------------------------------------------
    def short_answer(self, p: Prepared, term: Term, topic: str) -> QuizItem | None:
        text = cloze(p.st.text, term)
        body = f"Under {p.provision} of {p.instrument}, {lower_first(text, p.source.chunk.text)}" if p.legal else text
        label, basis = grade(closeness=None, evidence=p.citation.quote, sentences=p.sa.sentences, recall=True)
        item = QuizItem(
            id=item_id("short_answer", p.source.chunk.id, p.source.text, term.text), type="short_answer",
            stem=f"Fill in the blank: {body}", answer=term.text, explanation=self._key_words(p, term),
            citation=p.citation, difficulty=label, topic=topic, statement=p.source.text,
            fact=normalize(p.source.text), kind=term.kind, form="cloze", claim=claim_text(p), provision=p.provision,
            difficulty_basis=basis)
        return self._gate(item)

    # ---- helpers ----------------------------------------------------------------------------------
    def _gate(self, item: QuizItem) -> QuizItem | None:
        reason = stem_hides_answer(item)
        if reason:
            self.why = reason
            return None
        return item

    def _where(self, p: Prepared) -> str:
        if p.legal:
            return f"{p.provision} of {p.instrument}"
        c = p.source.chunk
        return (c.title or c.source) + (f", “{c.section}”" if c.section else "") + (f", p. {c.page}" if c.page else "")

    def _title(self, source: str) -> str:
        return next((s.chunk.title for s in self._statements if s.chunk.source == source), "")


def _substantive(st: Statement) -> bool:
    """A rule, a definition, a number, or a name besides the document's own subject: something to learn.
    "X's efforts boost global compliance" in a text about X states only its framing."""
    if set(st.features) & {"definition", "obligation", "penalty", "number"}:
        return True
    title = normalize(st.chunk.title or "")
    return any(t.kind in ("name", "acronym", "defined") and normalize(t.text) not in title for t in st.terms)


def _relocate(t: Term, claim: str) -> Term | None:
    i = claim.find(t.text)
    if i < 0 or claim.find(t.text, i + 1) >= 0:
        return None
    return replace(t, start=i, end=i + len(t.text))


def _value(text: str) -> float | None:
    m = re.search(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text)
    if m:
        return float(m.group().replace(",", ""))
    w = text.split(" ", 1)[0].lower()
    return float(WORD_NUMBERS[w]) if w in WORD_NUMBERS else None


def _unit_of(text: str) -> str:
    parts = text.split(" ", 1)
    return parts[1].rstrip("s").lower() if len(parts) > 1 else ""


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
                 r"helps?|uses?|employs?|leads?|requires?|allows?)\b", after)
    if not m:
        return None
    rest = after.strip().rstrip(".;!").strip()
    return f"Which of the following {rest}?"
