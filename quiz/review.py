"""A trainer reviews a quiz before export: delete, edit or regenerate one item (1-based numbers).

Edits keep the item's key, options and citation (the proof); only the wording a trainer owns changes, and an
edited stem must still stand alone and not give the answer away. Regenerating asks the generator for a new
item from the same document and section that tests a fact no other item tests.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from quiz.gates import same_fact, stem_hides_answer, stem_stands_alone
from quiz.records import QuizError, QuizItem

REGENERATE_TRIES = 4


def _check(items: Sequence[QuizItem], n: int) -> int:
    if not 1 <= int(n) <= len(items):
        raise QuizError(f"there is no item {n}: choose a number from 1 to {len(items)}")
    return int(n) - 1


def delete(items: Sequence[QuizItem], n: int) -> list[QuizItem]:
    i = _check(items, n)
    return list(items[:i]) + list(items[i + 1:])


def edit(items: Sequence[QuizItem], n: int, stem: str | None = None, explanation: str | None = None) -> list[QuizItem]:
    i = _check(items, n)
    new = replace(items[i], stem=(stem or "").strip() or items[i].stem,
                  explanation=(explanation or "").strip() or items[i].explanation)
    problem = stem_hides_answer(new) or stem_stands_alone(new)
    if problem:
        raise QuizError(f"the edited stem {problem}: reword it")
    return list(items[:i]) + [new] + list(items[i + 1:])


def regenerate(generator, items: Sequence[QuizItem], n: int, seed: int = 0) -> list[QuizItem]:
    """Item `n` replaced by a new one from its document and section (another seed each try)."""
    i = _check(items, n)
    old = items[i]
    others = [it for k, it in enumerate(items) if k != i]
    for k in range(1, REGENERATE_TRIES + 1):
        run = generator.run(n=3, types=(old.type,), seed=seed + 7919 * k, documents=(old.citation.source,),
                            sections=(old.citation.section,) if old.citation.section else ())
        for cand in run.items:
            if cand.id != old.id and not same_fact(cand, old) and not any(same_fact(cand, o) for o in others):
                return others[:i] + [cand] + others[i:]
    raise QuizError(f"no other {old.type} item could be built from {old.citation.section or old.citation.source}: "
                    f"delete item {n} or edit it")
