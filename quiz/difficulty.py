"""Difficulty from measured features, stated in the item (`QuizItem.difficulty_basis`).

- `distractor_closeness`: mean similarity of the wrong options to the key (embedding cosine for names
  and rules, relative distance for numbers); closer options are harder to rule out;
- `evidence_words`: length of the quote that proves the key; more to read and hold is harder;
- `sentences`: 2 when the claim combines a sentence with its antecedent in the one before;
- `recall`: 1 for short answer (the trainee must produce the answer, not recognise it).

score = 0.55·closeness + 0.30·min(1, words/45) + 0.20·(sentences > 1) + 0.15·recall (+ a form's bonus);
easy below 0.35, hard from 0.55.
"""

from __future__ import annotations

from quiz.records import DIFFICULTIES

EASY_BELOW = 0.35
HARD_FROM = 0.55
NO_DISTRACTOR = 0.3  # true statements and short answers: an average closeness


def grade(closeness: float | None, evidence: str, sentences: int = 1, recall: bool = False,
          bonus: float = 0.0) -> tuple[str, tuple[tuple[str, float], ...]]:
    words = len(evidence.split())
    c = NO_DISTRACTOR if closeness is None else max(0.0, min(1.0, closeness))
    score = 0.55 * c + 0.30 * min(1.0, words / 45) + (0.20 if sentences > 1 else 0.0) + (0.15 if recall else 0.0)
    score += bonus
    label = DIFFICULTIES[0] if score < EASY_BELOW else DIFFICULTIES[2] if score >= HARD_FROM else DIFFICULTIES[1]
    basis: list[tuple[str, float]] = []
    if closeness is not None:
        basis.append(("distractor_closeness", round(c, 3)))
    basis += [("evidence_words", float(words)), ("sentences", float(sentences))]
    if recall:
        basis.append(("recall", 1.0))
    basis.append(("score", round(score, 3)))
    return label, tuple(basis)
