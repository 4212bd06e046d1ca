"""Multiple choice that asks where a rule stands: "Which article of <instrument> provides that …?", "Which of
the following does Article 21 of <instrument> provide?", "Which part of <document> says that …?".

Wrong options are the document's other provisions (or headed parts, or other provisions' rules) nearest in
meaning to the claim, each checked against the text it concerns so that none also says it.
"""

from __future__ import annotations

import random
import re

import numpy as np

from quiz.difficulty import grade
from quiz.facts import content_words, normalize
from quiz.prepared import RULE, MAX_RULE_WORDS, N_DISTRACTORS, Prepared, claim_text, window
from quiz.provisions import unit_label
from quiz.records import QuizItem, item_id
from quiz.stems import lower_first, standalone


class LocateForms:
    """Mixed into ItemBuilder: needs self.legal, self.support, self.embedder, self._statements, self._vec,
    self._rules, self.why and self._gate."""

    # ---- multiple choice: which provision -----------------------------------------------------------
    def which_provision(self, p: Prepared, topic: str, rng: random.Random) -> QuizItem | None:
        assert self.legal is not None
        key = unit_label(p.provision)
        claim = p.st.text.rstrip(" .;")
        if not RULE.search(claim) or normalize(key) in normalize(claim):
            self.why = "the sentence states no rule to locate"
            return None
        others = [o for o in self.legal.others(p.source.chunk.source, key)
                  if not re.search(rf"\b{re.escape(o.label.rsplit(' ', 1)[1])}\b", claim)]
        if len(others) < N_DISTRACTORS:
            self.why = "the document has fewer than 4 provisions of this kind"
            return None
        sims = self._similarities(claim, [o.text for o in others])
        ranked = [o for _, o in sorted(zip(sims, others), key=lambda x: -x[0])][: 2 * N_DISTRACTORS]
        sim_of = {o.label: s for s, o in zip(sims, others)}
        verdicts = self.support.supported([p.st.text] * len(ranked), [[o.text] for o in ranked], corpus=False) \
            if self.support is not None else [False] * len(ranked)
        wrong = [o for o, v in zip(ranked, verdicts) if not v][:N_DISTRACTORS]
        if len(wrong) < N_DISTRACTORS:
            self.why = "fewer than 3 other provisions whose text does not support the rule"
            return None
        unit = key.rsplit(" ", 1)[0].split(", ")[-1].lower()
        options = sorted([key] + [o.label for o in wrong], key=_label_order)
        stem = f"Which {unit} of {p.instrument} provides that {lower_first(claim, p.source.chunk.text)}?"
        heading = self.legal.provision(p.source.chunk.source, key)
        heading = heading.heading if heading else ""
        nearest = max(wrong, key=lambda o: sim_of[o.label])
        right = f"{key}{_paren(heading)} is the provision that says so (see the quote)."
        feedback = [(key, "Correct. " + right)] + [(o.label, _why_provision_wrong(o)) for o in wrong]
        label, basis = grade(closeness=sum(sim_of[o.label] for o in wrong) / len(wrong), evidence=p.citation.quote,
                             sentences=p.sa.sentences)
        item = QuizItem(
            id=item_id("mcq", "which_provision", p.source.chunk.id, p.source.text), type="mcq", stem=stem,
            options=tuple(options), answer=key, explanation=f"{right} {_why_provision_wrong(nearest)}",
            citation=p.citation, difficulty=label, topic=topic, statement=p.source.text,
            fact=normalize(p.source.text), kind="provision", form="which_provision", claim=claim_text(p),
            provision=p.provision, difficulty_basis=basis, feedback=tuple(feedback))
        return self._gate(item)

    # ---- multiple choice: which part of a document without provisions -----------------------------
    def which_section(self, p: Prepared, topic: str, rng: random.Random) -> QuizItem | None:
        """"Which part of <title> says that …?" — the options are the document's section headings."""
        if self.legal is None:
            return None
        c = p.source.chunk
        parts = self.legal.parts.get(c.source, {})
        key = c.section
        if not key or len(parts) < N_DISTRACTORS + 1:
            self.why = self.why or "the document has fewer than 4 headed parts"
            return None
        claim = p.st.text.rstrip(" .;")
        common = content_words(c.title or "") | {"s"}  # every heading shares the title's words
        key_words = content_words(key) - common
        if not key_words or len(key_words & content_words(claim)) >= max(1, (len(key_words) + 1) // 2):
            self.why = self.why or "the claim repeats its own heading"
            return None
        others = [h for h in parts if h != key and not (content_words(h) & content_words(claim)) >= content_words(h)]
        texts = ["\n\n".join(x.text for x in parts[h]) for h in others]
        sims = self._similarities(claim, texts)
        ranked = sorted(zip(sims, others, texts), key=lambda x: -x[0])[: 2 * N_DISTRACTORS]
        verdicts = self.support.supported([p.st.text] * len(ranked), [[t] for _, _, t in ranked], corpus=False) \
            if self.support is not None else [False] * len(ranked)
        wrong = [(sim, h) for (sim, h, _), v in zip(ranked, verdicts) if not v][:N_DISTRACTORS]
        if len(wrong) < N_DISTRACTORS:
            self.why = "fewer than 3 other parts whose text does not support the claim"
            return None
        options = [key] + [h for _, h in wrong]
        rng.shuffle(options)
        title = c.title or c.source
        stem = f"Which part of “{title}” says that {lower_first(claim)}?"
        right = f"The part headed “{key}” says so (see the quote)."
        nearest = max(wrong)[1]
        feedback = [(key, "Correct. " + right)] + [(h, f"Not “{h}”: that part does not say this.") for _, h in wrong]
        label, basis = grade(closeness=sum(x for x, _ in wrong) / len(wrong), evidence=p.citation.quote,
                             sentences=p.sa.sentences)
        item = QuizItem(
            id=item_id("mcq", "which_section", c.id, p.source.text), type="mcq", stem=stem, options=tuple(options),
            answer=key, explanation=f"{right} Not “{nearest}”: that part does not say this.", citation=p.citation,
            difficulty=label, topic=topic, statement=p.source.text, fact=normalize(p.source.text), kind="section",
            form="which_section", claim=claim_text(p), difficulty_basis=basis, feedback=tuple(feedback))
        return self._gate(item)

    # ---- multiple choice: which rule --------------------------------------------------------------
    def provision_rule(self, p: Prepared, topic: str, rng: random.Random) -> QuizItem | None:
        claim = p.st.text
        if len(claim.split()) > MAX_RULE_WORDS or not RULE.search(claim):
            self.why = "the rule is too long to offer as an option" if RULE.search(claim) else "no rule"
            return None
        key_label = unit_label(p.provision)
        rules = [(lab, r) for lab, r in self._rules_of(p.source.chunk.source) if lab != key_label
                 and normalize(r) != normalize(claim) and abs(len(r.split()) - len(claim.split())) <= 18]
        if len(rules) < N_DISTRACTORS:
            self.why = "fewer than 3 rules in other provisions"
            return None
        sims = self._similarities(claim, [r for _, r in rules])
        ranked = sorted(zip(sims, rules), key=lambda x: -x[0])
        picked, seen = [], set()
        for s, (lab, r) in ranked:
            if lab not in seen and not _same_rule(r, claim):
                picked.append((s, lab, r))
                seen.add(lab)
            if len(picked) == 2 * N_DISTRACTORS:
                break
        verdicts = self.support.supported([r for _, _, r in picked], [[p.source.chunk.text]] * len(picked),
                                          corpus=False) if self.support is not None else [False] * len(picked)
        wrong = [x for x, v in zip(picked, verdicts) if not v][:N_DISTRACTORS]
        if len(wrong) < N_DISTRACTORS:
            self.why = "fewer than 3 other provisions' rules the cited provision does not support"
            return None
        options = [claim] + [r for _, _, r in wrong]
        rng.shuffle(options)
        stem = f"Which of the following does {p.provision} of {p.instrument} provide?"
        src = p.source.chunk.source
        key_p = self.legal.provision(src, key_label) if self.legal is not None else None
        right = f"{p.provision} of {p.instrument}{_paren(key_p.heading if key_p else '')} says exactly this."

        def why_not_rule(lab: str) -> str:
            other = self.legal.provision(src, lab) if self.legal is not None else None
            return f"Not this one: it is {lab}’s rule{_paren(other.heading if other else '')}, not {p.provision}’s."

        why_not = {r: why_not_rule(lab) for _, lab, r in wrong}
        nearest = max(wrong, key=lambda x: x[0])
        feedback = [(claim, "Correct. " + right)] + [(r, why_not[r]) for _, _, r in wrong]
        label, basis = grade(closeness=sum(s for s, _, _ in wrong) / len(wrong), evidence=p.citation.quote,
                             sentences=p.sa.sentences)
        item = QuizItem(
            id=item_id("mcq", "provision_rule", p.source.chunk.id, p.source.text), type="mcq", stem=stem,
            options=tuple(options), answer=claim,
            explanation=f"{right} The nearest wrong option, “{window(nearest[2], '', 6)}”, is {nearest[1]}’s rule"
                        f"{_paren(self.legal.provision(src, nearest[1]).heading if self.legal and self.legal.provision(src, nearest[1]) else '')}"
                        f", not {p.provision}’s.",
            citation=p.citation, difficulty=label, topic=topic, statement=p.source.text,
            fact=normalize(p.source.text), kind="rule", form="provision_rule", claim=claim_text(p),
            provision=p.provision, difficulty_basis=basis, feedback=tuple(feedback))
        return self._gate(item)

    def _rules_of(self, source: str) -> list[tuple[str, str]]:
        """(provision label, stand-alone rule) of every short rule of a legal document."""
        if source not in self._rules:
            out = []
            for st in self._statements:
                if st.chunk.source != source or not unit_label(st.chunk.section):
                    continue
                sa = standalone(st, st.chunk.title)
                if sa is None or len(sa.claim.split()) > MAX_RULE_WORDS or not RULE.search(sa.claim):
                    continue
                out.append((unit_label(st.chunk.section), sa.claim))
            self._rules[source] = out
        return self._rules[source]

    def _similarities(self, text: str, others: list[str]) -> list[float]:
        if self.embedder is None:
            a = content_words(text)
            return [len(a & content_words(o)) / max(1, len(a | content_words(o))) for o in others]
        todo = [t for t in dict.fromkeys([text, *others]) if t not in self._vec]
        if todo:
            self._vec.update(zip(todo, self.embedder.embed(todo)))
        v = self._vec[text]
        return [round(float(np.dot(v, self._vec[o])), 3) for o in others]


def _paren(heading: str) -> str:
    return f" ({heading})" if heading else ""


def _why_provision_wrong(o) -> str:
    if o.heading:
        return f"Not {o.label}: it deals with {lower_first(o.heading)}, and its text does not say this."
    return f"Not {o.label}: its text does not say this."


def _label_order(label: str) -> tuple:
    num = label.rsplit(" ", 1)[-1]
    m = re.match(r"(\d+)", num)
    return (0, int(m.group(1)), num) if m else (1, 0, num)


def _same_rule(a: str, b: str) -> bool:
    wa, wb = content_words(a), content_words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.6
