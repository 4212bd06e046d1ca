"""Refusal and verification policy: when the corpus does not answer, say so instead of guessing.

Two stages, both free of topic knowledge:
- `screen(question)` before retrieval: requests about the assistant's own instructions
  ("ignore previous instructions", "reveal your system prompt", "developer mode") are refused.
- `EvidenceGate.judge(question, own_words, passages, chosen)` after drafting: refuse when
    * the best sentence is too far from the question (`min_relevance`, calibrated on the golden set);
    * the question names something no retrieved passage mentions: a number or year, an
      "Article 12"/"Section 32" reference, a capitalised name or an acronym ("Palermo", "2015");
    * the question asks for a kind of answer the chosen sentences do not hold (assistant/answer_type.py):
      "how many years" with no number of years, "how long / by when" with no period or date, "in euros"
      with no amount in euros, "who is" with no name, "which States" with no States named;
    * the question names an instrument the corpus does not hold (assistant/instruments.py); a name the
      retrieved passages lack but the corpus holds elsewhere is not held against the question, unless it
      is what a which-question asks about;
    * the thing asked about ("what FINES …", "which CITY …") or, for a follow-up, every word of
      the question itself, matches nothing in the chosen sentences, lexically or semantically.
`apply_policy(sentences, policy)` implements flag | strict on verified sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from assistant.answer_type import answers
from lexcite.text.terms import QUESTION_WORDS, STOP, content_stems, has_stem, stem, words
from assistant.records import Sentence

REFUSAL_TEXT = "The indexed documents do not contain enough to answer this question."
REASON_TEXT = {
    "instructions": "I answer questions from the indexed documents only; I cannot show or change my instructions.",
    "no_passages": "Nothing in the indexed documents matches this question.",
    "low_relevance": "No passage in the indexed documents addresses this question.",
    "absent_terms": "The indexed documents do not mention {terms}.",
    "unknown_instrument": "The indexed documents do not include {terms}.",
    "answer_type": "The passages found do not state {what}.",
    "focus": "The passages found do not say anything about {terms}.",
    "unsupported": "The model's draft answer could not be verified: none of its {what} sentences follows from the "
                   "passages shown to it (the extractive backend quotes the passages themselves).",
}

_INSTRUCTION_REQUESTS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules|prompt|guidelines|directives)\b",
    r"\b(reveal|show|print|repeat|output|display|tell me|what (are|were|is))\b.{0,60}"
    r"\b(system prompt|your (instructions|prompt|rules)|(hidden|initial|original|secret) (instructions?|prompt))",
    r"\bsystem prompt\b",
    r"\b(developer|god|jailbreak|dan) mode\b",
    r"\byou are now\b",
    r"\b(without|no) citations?\b",
    r"\bpretend (to be|you are)\b",
    r"\binstructions you were given\b",
]
_INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTION_REQUESTS), re.IGNORECASE | re.DOTALL)

_REFERENCE = re.compile(r"\b(article|art\.|section|sec\.|s\.|rule|regulation|paragraph|para\.|clause|schedule|"
                        r"chapter|annex|protocol)\s*(\d+[a-z]?(\(\d+\))?)", re.I)
_WH_HEAD = re.compile(r"\b(?:what|which)\s+(?:(?:kinds?|types?|sorts?|forms?) of\s+)?((?:[\w\-’']+\s+){0,3}?[\w\-’']+)"
                      r"\s+(?:do|does|did|is|are|was|were|will|would|can|could|has|have|had|should|may|might|must)\b",
                      re.I)
_GENERIC_HEADS = frozenset("thing things way ways kind kinds type types part parts role roles one ones else situation "
                           "situations case cases circumstance circumstances instance instances event events".split())
# heads that name the kind of answer ("from what DATE …"): the answer-type check judges those, not the focus check
_KIND_HEADS = frozenset("date dates day days year years month months time period deadline age number amount".split())


_WH_NAMES = re.compile(r"\b(?i:which|what|whose)\s+((?:[A-Z][\w’'\-]*\s+){1,4})")


def _focus_names(question: str) -> set[str]:
    """The capitalised words a which/what question asks about ("Which INTERPOL Secretary General ..."):
    when the passages lack one, the corpus holding it elsewhere does not excuse it."""
    m = _WH_NAMES.search(question)
    return set(m.group(1).split()) if m else set()


def screen(question: str) -> str | None:
    """'instructions' when the question asks about or against the assistant's instructions."""
    return "instructions" if _INSTRUCTION_RE.search(question) else None


def strip_instructions(text: str) -> str:
    """`text` with every sentence that addresses the assistant blanked out (offsets kept), so an
    instruction planted in a document can never count as support for an answer."""
    from lexcite.text.sentences import split_sentences

    out = text
    for s in split_sentences(text):
        if screen(s.text):
            out = out[: s.start] + " " * (s.end - s.start) + out[s.end:]
    return out


@dataclass(frozen=True)
class Scope:
    """What the question's instrument mentions resolved to (assistant/instruments.py) and a look-up in the
    whole corpus, so a name the retrieved passages lack is not taken for a name the documents lack."""

    covered: frozenset[str] = frozenset()  # lower-case words explained by a resolved instrument mention
    unresolved: tuple[str, ...] = ()  # instrument mentions no document answers to
    in_corpus: Callable[[str], bool] | None = None
    cited_provision: bool = False  # the question cites a provision by number and it was fetched by its label


@dataclass(frozen=True)
class Verdict:
    reason: str | None  # None = answer; else a key of REASON_TEXT
    detail: str = ""

    @property
    def refused(self) -> bool:
        return self.reason is not None

    def message(self) -> str:
        if self.reason is None:
            return ""
        text = REASON_TEXT[self.reason]
        return text.format(terms=self.detail, what=self.detail)


def salient_terms(question: str) -> list[str]:
    """Names, numbers and provision references the question is about (each must be in the passages)."""
    out: list[str] = []
    for m in _REFERENCE.finditer(question):
        out.append(f"{m.group(1)} {m.group(2)}")
    toks = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9’'\-/]*", question))
    for i, m in enumerate(toks):
        w = re.sub(r"[’']s$", "", m.group())
        if re.fullmatch(r"\d+(st|nd|rd|th)?", w):
            if not any(w in t for t in out):
                out.append(w)
        elif i > 0 and w[0].isupper() and w.lower() not in STOP and w.lower() not in QUESTION_WORDS:
            out.append(w)
    return out


def _acronym_in(term: str, text: str) -> bool:
    if not (term.isupper() and 2 <= len(term) <= 6):
        return False
    caps = re.findall(r"\b([A-Z])[a-z]+", text)
    return term in "".join(caps)


def term_in(term: str, text: str) -> bool:
    if " " in term:  # "Article 12": the number must follow the word
        word, num = term.split(" ", 1)
        return re.search(rf"\b{re.escape(word.rstrip('.'))}\w*\.?\s*{re.escape(num)}\b", text, re.I) is not None
    if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.I):
        return True
    return _acronym_in(term, text)


def wh_head(question: str) -> str | None:
    """The noun a what/which question asks for ("What FINES does …" -> "fines"), if any."""
    m = _WH_HEAD.search(question)
    if not m:
        return None
    head = m.group(1).split()[-1].lower()
    if head in STOP or head in _GENERIC_HEADS or head in QUESTION_WORDS:
        return None
    return head


class EvidenceGate:
    """Decides whether the drafted evidence answers the question. Thresholds calibrated on eval/golden."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], min_relevance: float = 0.33,
                 word_similarity: float = 0.65):
        self.embed = embed
        self.min_relevance = min_relevance
        self.word_similarity = word_similarity

    def judge(self, question: str, own_words: str, passages: Sequence[str], chosen: Sequence[str],
              relevance: float, scope: Scope | None = None, cited: Sequence[str] | None = None,
              sections: Sequence[str] = ()) -> Verdict:
        """`question` is the standalone question; `own_words` what the user typed in this turn; `cited` the
        passages the chosen sentences come from (the names a which-question asks about must be there)."""
        scope = scope or Scope()
        if scope.unresolved:
            return Verdict("unknown_instrument", ", ".join(f"“{t}”" for t in scope.unresolved))
        if not passages or not chosen:
            return Verdict("no_passages")
        if relevance < self.min_relevance and not scope.cited_provision:
            return Verdict("low_relevance")  # a provision asked for by number is relevant by definition
        context = "\n".join(passages)
        focus = _focus_names(own_words)
        near = "\n".join(cited) if cited else context
        missing = [t for t in salient_terms(own_words)
                   if (not term_in(t, near) if t in focus else not term_in(t, context) and not self._elsewhere(t, scope))]
        if missing:
            return Verdict("absent_terms", ", ".join(f"“{t}”" for t in missing))
        answer = " ".join(chosen)
        kind = answers(own_words, chosen, sections)  # the kind of thing asked for: a number, a period, a name …
        if not kind.ok:
            return Verdict("answer_type", kind.wanted)
        head = wh_head(own_words)
        if head in _KIND_HEADS and kind.wanted:
            head = None  # "what date": a date is what the type check found, whatever the passages call it
        if head and not has_stem(stem(head), set(content_stems(context))) and not self._matched([head], answer):
            return Verdict("focus", f"“{head}”")
        own = [w for w in words(own_words) if w.lower() not in STOP and len(w) > 2]
        if own and not self._matched(own, answer):
            return Verdict("focus", ", ".join(f"“{w}”" for w in own))
        return Verdict(None)

    @staticmethod
    def _elsewhere(term: str, scope: Scope) -> bool:
        """A name the passages lack but the question's instrument explains, or that the corpus holds.
        Numbers and provision references must be in the passages (the named provision is fetched)."""
        if all(w.lower() in scope.covered for w in term.split()):
            return True
        if " " in term or term[:1].isdigit():
            return False
        return bool(scope.in_corpus and scope.in_corpus(term))

    def _matched(self, terms: Sequence[str], answer: str) -> bool:
        """True when any term occurs in `answer` (by stem) or is close in meaning to one of its words."""
        have = set(content_stems(answer))
        if any(has_stem(stem(t), have) for t in terms):
            return True
        answer_words = sorted({w.lower() for w in words(answer) if w.lower() not in STOP and len(w) > 2})
        if not answer_words:
            return False
        vecs = self.embed(list(terms) + answer_words)
        sims = vecs[: len(terms)] @ vecs[len(terms):].T
        return bool(sims.max() >= self.word_similarity)


def apply_policy(sentences: Sequence[Sentence], policy: str) -> list[Sentence]:
    """flag: keep every sentence (unsupported ones marked); strict: keep only supported ones."""
    if policy not in ("flag", "strict"):
        raise ValueError(f"verify policy {policy!r} must be 'flag' or 'strict'")
    if policy == "flag":
        return list(sentences)
    return [s for s in sentences if s.supported and s.citations]
