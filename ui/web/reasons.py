"""Why an answer was refused, in words a reader can act on: nothing matched, the documents are silent,
or a drafted answer failed verification.

The assistant's refusal text ends with the message of its verdict (`assistant.policy.REASON_TEXT`); the
reason is read from `Answer.reason` when the assistant sets one, else recognised from that message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.policy import REASON_TEXT, REFUSAL_TEXT
from assistant.records import Answer

NOTHING_MATCHED = "nothing_matched"
SILENT = "silent"
FAILED_VERIFICATION = "failed_verification"
OUT_OF_SCOPE = "out_of_scope"
UNKNOWN = "unknown"

KIND_OF = {
    "no_passages": NOTHING_MATCHED, "low_relevance": NOTHING_MATCHED,
    "absent_terms": SILENT, "unknown_instrument": SILENT, "answer_type": SILENT, "focus": SILENT,
    "unsupported": FAILED_VERIFICATION, "instructions": OUT_OF_SCOPE,
}
HEADS = {
    NOTHING_MATCHED: "Nothing in the documents matches this question",
    SILENT: "The documents are silent on this",
    FAILED_VERIFICATION: "The drafted answer failed verification",
    OUT_OF_SCOPE: "Not a question about the documents",
    UNKNOWN: "No answer in the documents",
}


@dataclass(frozen=True)
class Refusal:
    kind: str  # one of HEADS
    head: str  # the headline shown above the text
    text: str  # the refusal text, without a lead-in that would contradict the reason


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for key, template in REASON_TEXT.items():
        parts = re.split(r"\{(?:terms|what)\}", template)
        out.append((key, re.compile(".+?".join(re.escape(p) for p in parts))))
    return out


def reason_of(answer: Answer) -> str | None:
    """The verdict key of a refusal (a key of REASON_TEXT), or None when it cannot be told."""
    given = getattr(answer, "reason", None)
    if given in REASON_TEXT:
        return given
    for key, pattern in _patterns():
        if pattern.search(answer.answer or ""):
            return key
    return None


def explain(answer: Answer) -> Refusal:
    reason = reason_of(answer)
    kind = KIND_OF.get(reason or "", UNKNOWN)
    text = answer.answer or REFUSAL_TEXT
    if kind == FAILED_VERIFICATION and text.startswith(REFUSAL_TEXT):
        # the documents did match: the generic "do not contain enough" lead-in would misstate why
        text = text[len(REFUSAL_TEXT):].strip() or text
    return Refusal(kind, HEADS[kind], text)
