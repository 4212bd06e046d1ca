"""Does the corpus support a claim? The check every distractor (and every "false" statement) must fail.

`CorpusSupport.supported(claims, near)` asks the verifier whether each claim follows from the passages
it concerns (`near`: the cited provision, or the provision a "which article" distractor names) and from
the corpus' best lexical matches for it. A wrong option is kept only when no such passage supports it.

`distractor_problem(item)` is the same check as a quiz gate on a finished item.
"""

from __future__ import annotations

from typing import Sequence

from quiz.gates import CachedVerifier, fill
from quiz.records import QuizItem

LEXICAL_K = 3  # best lexical matches of a claim searched for support besides the passages it concerns


class CorpusSupport:
    def __init__(self, index, verifier, legal=None):
        self.index = index
        self.verifier = verifier if isinstance(verifier, CachedVerifier) else CachedVerifier(verifier)
        self.legal = legal
        self._text: dict[str, str] = {}

    def _lexical(self, claim: str) -> list[str]:
        try:
            hits = self.index.lexical_search(claim, LEXICAL_K)
        except Exception:  # an index without a lexical side: the near passages alone decide
            return []
        return [c.text for c, _ in hits]

    def chunk_text(self, chunk_id: str) -> str:
        if chunk_id not in self._text:
            got = self.index.get_chunks([chunk_id])
            self._text[chunk_id] = got[0].text if got else ""
        return self._text[chunk_id]

    def supported(self, claims: Sequence[str], near: Sequence[Sequence[str]], corpus: bool = True) -> list[bool]:
        """Per claim: does any passage it concerns (near[i]) or, with `corpus`, any of its best lexical
        matches in the corpus support it?"""
        pairs = []
        for claim, passages in zip(claims, near):
            ps = [p for p in passages if p]
            if corpus:
                ps += [p for p in self._lexical(claim) if p not in ps]
            pairs.append((claim, ps))
        return [bool(v.supported) for v in self.verifier.score_many(pairs)]

    def quote_problem(self, item: QuizItem) -> str | None:
        """The quote must be verbatim text of the cited chunk, at the offsets the citation gives."""
        text = self.chunk_text(item.citation.chunk_id)
        if not text:
            return f"the cited chunk {item.citation.chunk_id} is not in the index"
        if item.citation.quote not in text:
            return "the quote is not verbatim text of the cited chunk"
        return None

    def problem(self, item: QuizItem) -> tuple[str, str] | None:
        """The corpus gates: (gate, reason) for the first that fails, or None."""
        for gate, check in (("quote_verbatim", self.quote_problem), ("distractor_unsupported", self.distractor_problem)):
            reason = check(item)
            if reason:
                return gate, reason
        return None

    def failures(self, item: QuizItem) -> list[tuple[str, str]]:
        """Every gate the item fails, per-item gates (quiz/gates.py) and corpus gates alike."""
        from quiz.gates import ITEM_GATES

        out = []
        passage = self.chunk_text(item.citation.chunk_id) or None
        for name, gate in ITEM_GATES.items():
            if name == "answer_supported":
                reason = gate(item, self.verifier, passage)
            elif name == "exactly_one_correct":
                reason = gate(item, self.verifier)
            else:
                reason = gate(item)
            if reason:
                out.append((name, reason))
        for gate, check in (("quote_verbatim", self.quote_problem), ("distractor_unsupported", self.distractor_problem)):
            reason = check(item)
            if reason:
                out.append((gate, reason))
        return out

    def distractor_problem(self, item: QuizItem) -> str | None:
        """The first wrong option (or false claim) the corpus supports, as a reason; None when there is none."""
        cited = self.chunk_text(item.citation.chunk_id) or item.citation.quote
        if item.type == "true_false":
            if item.answer != "false":
                return None
            from quiz.gates import claim_of

            claim = claim_of(item)
            return "the false statement is supported by the corpus" if self.supported([claim], [[cited]])[0] else None
        if item.type != "mcq":
            return None
        wrong = [o for o in item.options if o != item.answer]
        if item.form in ("which_provision", "which_section"):
            near = []
            for o in wrong:
                chunks = self.legal.chunks_of(item.citation.source, o) if self.legal is not None else []
                if not chunks:
                    return f"distractor {o!r} names no provision of the document"
                near.append([c.text for c in chunks])
            verdicts = self.supported([item.keyed_claim] * len(wrong), near, corpus=False)
        elif item.form == "provision_rule":
            verdicts = self.supported(wrong, [[cited]] * len(wrong), corpus=False)
        else:
            verdicts = self.supported([fill(item, o) for o in wrong], [[cited]] * len(wrong))
        for o, v in zip(wrong, verdicts):
            if v:
                return f"distractor {o!r} is supported by the corpus"
        return None
