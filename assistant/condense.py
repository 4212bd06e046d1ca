"""Follow-up questions -> standalone questions, before retrieval.

`history` is a list of (user, assistant) turns, oldest first. Without an LLM (`HeuristicCondenser`),
a question that leans on the conversation ("and what about its penalties?", "who invented it?",
"how were suspects found in that operation?") keeps its own words and carries the key noun phrases
of the previous question (and, when that is not enough, of the previous answer's first sentence).
With an LLM (`LLMCondenser`), a condense prompt asks the chat model to rewrite the question; its
output is used only if it is a single plausible question, else the heuristic result is.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

from lexcite.text import markers
from lexcite.text.terms import QUESTION_WORDS, STOP, content_stems, has_stem, stem, words

History = Sequence[tuple[str, str]]

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|that|this|those|these|he|she|his|her|him|there|such|"
    r"the same|the latter|the former|the above|above|former|latter)\b", re.I)
_CONTINUATION = re.compile(r"^\s*(and|but|also|so|what about|how about|and what about|what else|why|how so|"
                           r"any|more|tell me more|explain)\b", re.I)
_CITATION = markers.SPACED


class Condenser(Protocol):
    def condense(self, question: str, history: History | None) -> str: ...


def needs_context(question: str) -> bool:
    """Does the question lean on earlier turns (pronouns, "and what about…", or almost no content)?"""
    content = [w for w in words(question) if w.lower() not in STOP]
    return bool(_ANAPHORA.search(question) or _CONTINUATION.search(question) or len(content) <= 1)


def key_phrases(text: str, limit: int = 8) -> list[str]:
    """Content words of `text` in order (names kept whole), without question words or repeats."""
    text = _CITATION.sub("", text)
    out: list[str] = []
    for w in words(text):
        lw = w.lower()
        if lw in STOP or lw in QUESTION_WORDS or len(lw) < 3 and not w.isupper():
            continue
        if lw not in (o.lower() for o in out):
            out.append(w)
    return out[:limit]


class HeuristicCondenser:
    """No LLM: append the previous turn's key phrases to a question that needs them."""

    def condense(self, question: str, history: History | None) -> str:
        question = question.strip()
        if not history or not needs_context(question):
            return question
        prev_q, prev_a = history[-1]
        carried = key_phrases(prev_q)
        if len(carried) < 3 and prev_a:
            first = re.split(r"(?<=[.!?])\s", _CITATION.sub("", prev_a).strip(), maxsplit=1)[0]
            carried += [w for w in key_phrases(first) if w.lower() not in (c.lower() for c in carried)]
        own = {w.lower() for w in words(question)}
        carried = [w for w in carried if w.lower() not in own]
        if not carried:
            return question
        return f"{question.rstrip('?').rstrip()} ({' '.join(carried)})?"


CONDENSE_PROMPT = """Rewrite the follow-up question as one standalone question that can be understood \
without the conversation. Replace pronouns with what they refer to. Do not answer it. Reply with the \
question only.

Conversation:
{history}

Follow-up question: {question}
Standalone question:"""


class LLMCondenser:
    """Asks a LangChain chat model to rewrite the follow-up; falls back to the heuristic."""

    def __init__(self, chat_model, max_turns: int = 3):
        self.chat_model = chat_model
        self.max_turns = max_turns
        self.fallback = HeuristicCondenser()

    def condense(self, question: str, history: History | None) -> str:
        if not history:
            return question.strip()
        turns = "\n".join(f"User: {u}\nAssistant: {_CITATION.sub('', a)[:500]}" for u, a in history[-self.max_turns:])
        try:
            reply = self.chat_model.invoke(CONDENSE_PROMPT.format(history=turns, question=question))
            text = str(getattr(reply, "content", reply)).strip().splitlines()[0].strip() if reply else ""
        except Exception:  # a flaky server must not stop the answer: the heuristic still works
            text = ""
        if 3 <= len(text.split()) <= 60 and keeps_follow_up(text, question, history[-1][0]):
            return text
        return self.fallback.condense(question, history)


_NAME_OR_NUMBER = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w’'-]*|\d[\w./()-]*)")


def keeps_follow_up(rewrite: str, follow_up: str, last_question: str) -> bool:
    """An LLM's rewrite is used only when it is a question, keeps every name and number of the follow-up
    ("Article 5", "Europol"), and shares a content word with the follow-up or the question before it: a
    made-up statement, or a question about something else, falls back to the built-in rewrite."""
    text = rewrite.strip()
    if not text.endswith("?") or text.lower().startswith(("i ", "sorry", "the answer")):
        return False
    have = set(content_stems(text))
    for name in _NAME_OR_NUMBER.findall(follow_up.strip()):
        if name[0].isdigit():
            if not re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text):
                return False
        elif name.lower() not in STOP and not has_stem(stem(name), have):
            return False
    return any(has_stem(s, have) for s in content_stems(f"{follow_up} {last_question}"))
