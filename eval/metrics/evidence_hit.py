"""Evidence hit: does some citation quote contain the expected evidence, word for word after normalisation?

Input: the quotes of an answer's citations and the expected evidence texts (`eval.normalise` gives the
normal form: NFKC, soft hyphens dropped, ASCII quotes, whitespace collapsed, line-end word breaks joined).
1.0 when every expected evidence lies inside one quote (each may lie in a different one), else 0.0; 0.0
when nothing is cited. An item without evidence text has no evidence hit (calling with none is an error).
"""

from __future__ import annotations

from typing import Sequence

from eval.metrics.common import MetricInputError
from eval.normalise import contains_normalised, normalise


def evidence_hit(quotes: Sequence[str], evidence: Sequence[str]) -> float:
    if quotes is None:
        raise MetricInputError("evidence hit needs the citation quotes (an empty list when nothing is cited)")
    if not evidence or any(not isinstance(e, str) or not normalise(e) for e in evidence):
        raise MetricInputError("evidence hit needs the expected evidence as non-empty text; this item has none "
                               "(unanswerable items get refusal metrics instead)")
    return float(all(any(contains_normalised(q, e) for q in quotes) for e in evidence))
