"""Quality gates. Each per-item gate returns None when the item passes, else a short reason.

- `answer_supported`: the verifier finds the keyed statement supported by the cited quote (and a
  "false" true/false claim unsupported by the cited passage);
- `exactly_one_correct`: the key is among the options once, and no distractor makes a statement the
  verifier supports as well as the key's;
- `options_distinct`: options differ after case/whitespace/quote folding;
- `stem_hides_answer`: the stem does not print the answer or its words;
- `duplicate_facts` / `spread_violations`: across the whole quiz.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable, Mapping, Protocol, Sequence

import re

from ingest.labels import names_provision
from quiz.facts import content_words, normalize
from quiz.records import QuizItem

SAME_FACT_JACCARD = 0.6
_NOT_A_GIVEAWAY = frozenset({"true", "false"})


class Verifier(Protocol):
    def score(self, sentence: str, passages: Sequence[str]): ...


class CachedVerifier:
    """Remembers every (sentence, passages) verdict and batches new ones through `score_many`
    when the wrapped verifier has it (one embedding batch instead of one per claim)."""

    def __init__(self, inner: Verifier):
        self.inner = inner
        self._memo: dict[tuple[str, tuple[str, ...]], object] = {}

    def score(self, sentence: str, passages: Sequence[str]):
        return self.score_many([(sentence, passages)])[0]

    def score_many(self, pairs: Sequence[tuple[str, Sequence[str]]]) -> list:
        keys = [(s, tuple(p)) for s, p in pairs]
        todo = list(dict.fromkeys(k for k in keys if k not in self._memo))
        if todo:
            many = getattr(self.inner, "score_many", None)
            results = many(todo) if many else [self.inner.score(s, list(p)) for s, p in todo]
            self._memo.update(zip(todo, results))
        return [self._memo[k] for k in keys]


def answer_supported(item: QuizItem, verifier: Verifier, passage: str | None = None) -> str | None:
    """The statement the key asserts is supported by the quote; a false claim is not."""
    if not item.statement or normalize(item.statement) not in normalize(item.citation.quote):
        return "statement not in quote"
    if item.form == "which_provision":
        if not names_provision(item.citation.section, item.answer):
            return "the keyed provision is not the cited one"
    elif item.form == "which_section":
        if item.answer != item.citation.section:
            return "the keyed part is not the cited one"
    elif item.form == "provision_rule":
        if normalize(item.answer) != normalize(item.keyed_claim):
            return "the keyed rule is not the cited statement"
    elif item.type in ("mcq", "short_answer") and normalize(item.answer) not in normalize(item.keyed_claim):
        return "answer not in statement"
    if not verifier.score(item.keyed_claim, [item.citation.quote]).supported:
        return "statement unsupported by quote"
    if item.type == "true_false":
        claim = claim_of(item)
        if item.answer == "true" and normalize(claim) != normalize(item.keyed_claim):
            return "true claim differs from the quote"
        if item.answer == "false":
            passages = [item.citation.quote] + ([passage] if passage else [])
            if any(verifier.score(claim, [p]).supported for p in passages):
                return "false claim supported by the passage"
    return None


def exactly_one_correct(item: QuizItem, verifier: Verifier) -> str | None:
    if item.type == "true_false":
        return None if item.answer in ("true", "false") else "true/false answer must be 'true' or 'false'"
    if item.type == "short_answer":
        return None if item.answer.strip() else "empty answer"
    keyed = [o for o in item.options if normalize(o) == normalize(item.answer)]
    if len(keyed) != 1:
        return f"answer appears {len(keyed)} times among the options"
    if item.form == "which_section":
        return "a distractor is the cited part" if item.options.count(item.citation.section) != 1 else None
    if item.form == "which_provision":
        wrong = [o for o in item.options if o != item.answer and names_provision(item.citation.section, o)]
        return f"distractor {wrong[0]!r} is the cited provision" if wrong else None
    key = verifier.score(item.keyed_claim, [item.citation.quote])
    for o in item.options:
        if normalize(o) == normalize(item.answer):
            continue
        if normalize(o) in normalize(item.citation.quote):
            return f"distractor {o!r} is in the quote"
        claim = o if item.form == "provision_rule" else fill(item, o)
        s = verifier.score(claim, [item.citation.quote])
        if s.supported and s.score >= key.score:
            return f"distractor {o!r} is as supported as the key"
    return None


def options_distinct(item: QuizItem) -> str | None:
    if item.type != "mcq":
        return None if not item.options else "only mcq items have options"
    if len(item.options) < 4:
        return "fewer than 4 options"
    norm = [normalize(o) for o in item.options]
    if any(not n for n in norm):
        return "empty option"
    if len(set(norm)) != len(norm):
        return "duplicate options"
    return None


def stem_hides_answer(item: QuizItem) -> str | None:
    if item.type == "true_false":
        words = content_words(item.stem.split(":", 1)[-1]) & _NOT_A_GIVEAWAY
        return "stem says true/false" if words else None
    stem = normalize(item.stem)
    if normalize(item.answer) in stem:
        return "stem prints the answer"
    if item.form in ("which_provision", "provision_rule"):
        return None  # the whole label or rule is the answer: its words alone give nothing away
    if item.form == "which_section":
        words = content_words(item.answer) - content_words(item.citation.title) - {"s"}
        shared = words & (content_words(item.stem) - content_words(item.citation.title))
        return f"stem repeats the heading's words {sorted(shared)}" if shared and len(shared) >= max(1, (len(words) + 1) // 2) else None
    leaked = {w for w in content_words(item.answer) if len(w) >= 3} & content_words(item.stem)
    if leaked:
        return f"stem prints answer words {sorted(leaked)}"
    return None


def stem_stands_alone(item: QuizItem) -> str | None:
    """No discourse opener, no pronoun or "these/such" the stem does not resolve."""
    from quiz.stems import stem_problem

    return stem_problem(item.stem, item.citation.title)


def provision_cited(item: QuizItem) -> str | None:
    """An item on a legal text names the provision it cites, in the stem or the explanation."""
    if not item.provision:
        return None
    head = re.sub(r"\(.*$", "", item.provision).strip()
    if not item.citation.section or not names_provision(item.citation.section, head):
        return f"the citation's section {item.citation.section!r} does not name {item.provision}"
    if head not in item.stem and head not in item.explanation and item.form != "which_provision":
        return f"neither stem nor explanation names {head}"
    return None


def answer_not_the_subject(item: QuizItem) -> str | None:
    """A blank must not hide what the whole document is about (the name in its title asks nothing)."""
    if item.form not in ("cloze", "question", "") or item.type == "true_false" or not item.citation.title:
        return None
    if item.kind in ("number", "percent", "year", "money"):
        return None
    if normalize(item.answer) in normalize(item.citation.title):
        return f"the answer {item.answer!r} is the document's own subject (in its title)"
    return None


ITEM_GATES: dict[str, Callable[..., str | None]] = {
    "answer_supported": answer_supported,
    "exactly_one_correct": exactly_one_correct,
    "options_distinct": options_distinct,
    "stem_hides_answer": stem_hides_answer,
    "stem_stands_alone": stem_stands_alone,
    "provision_cited": provision_cited,
    "answer_not_the_subject": answer_not_the_subject,
}


def check_item(item: QuizItem, verifier: Verifier, passage: str | None = None) -> tuple[str, str] | None:
    """The first gate the item fails, as (gate, reason), or None."""
    for name, gate in ITEM_GATES.items():
        if name == "answer_supported":
            reason = gate(item, verifier, passage)
        elif name == "exactly_one_correct":
            reason = gate(item, verifier)
        else:
            reason = gate(item)
        if reason:
            return name, reason
    return None


def same_fact(a: QuizItem, b: QuizItem) -> bool:
    if a.fact and a.fact == b.fact:
        return True
    wa, wb = content_words(a.statement), content_words(b.statement)
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= SAME_FACT_JACCARD


def duplicate_facts(items: Sequence[QuizItem]) -> list[tuple[int, int]]:
    """Pairs (i, j) of items that test the same fact."""
    return [(i, j) for i in range(len(items)) for j in range(i + 1, len(items)) if same_fact(items[i], items[j])]


def group_of(item: QuizItem) -> tuple[str, str]:
    return item.citation.source, item.citation.section


def spread_violations(items: Sequence[QuizItem], exhausted: Iterable[tuple[str, str]] = (),
                      groups: Iterable[tuple[str, str]] = (),
                      key: Callable[[QuizItem], tuple[str, str]] = group_of) -> list[str]:
    """Items must be spread across documents, and within a document across sections.

    `groups` lists every (source, section) that had candidates; `exhausted` those that ran out of
    acceptable ones; `key` gives an item's group. Among documents (and sections) that did not run
    out, counts differ by at most one, and one that ran out holds at most one more than the others.
    """
    exhausted = set(exhausted)
    keys = [key(i) for i in items]
    groups = set(groups) | set(keys)
    out: list[str] = []
    docs = {g[0] for g in groups}
    doc_count = Counter(k[0] for k in keys)
    doc_exhausted = {d for d in docs if all(g in exhausted for g in groups if g[0] == d)}
    out += _balance("document", {d: doc_count.get(d, 0) for d in docs}, doc_exhausted)
    sec_count = Counter(keys)
    for d in sorted(docs):
        secs = {g[1] for g in groups if g[0] == d}
        out += _balance(f"section of {d}", {s: sec_count.get((d, s), 0) for s in secs},
                        {s for s in secs if (d, s) in exhausted})
    return out


def _balance(what: str, counts: Mapping[str, int], exhausted: set[str]) -> list[str]:
    open_counts = [c for k, c in counts.items() if k not in exhausted]
    if not open_counts:
        return []
    hi, lo = max(open_counts), min(open_counts)
    out = []
    if hi - lo > 1:
        out.append(f"{what}: counts {dict(counts)} differ by more than one")
    for k in exhausted:
        if counts.get(k, 0) > hi + 1:
            out.append(f"{what} {k!r} holds {counts[k]} items while others hold at most {hi}")
    return out


def claim_of(item: QuizItem) -> str:
    """The statement a true/false stem asks about (after 'True or false:' and 'Under <provision> of …, ')."""
    claim = item.stem.split(":", 1)[1].strip() if item.stem.lower().startswith("true or false:") else item.stem
    if item.provision and claim.startswith(f"Under {item.provision} of ") and ", " in claim:
        tail = claim.split(", ", 1)[1]  # instrument names in stems hold no comma (quiz/provisions.py)
        return tail[:1].upper() + tail[1:]
    return claim


def fill(item: QuizItem, option: str) -> str:
    """The keyed statement with the answer replaced by `option`."""
    st = item.keyed_claim
    i = st.casefold().find(item.answer.casefold())
    if i < 0:
        return st
    return st[:i] + option + st[i + len(item.answer):]
