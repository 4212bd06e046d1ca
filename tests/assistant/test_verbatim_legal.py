"""A sentence quoted word for word from the passage it cites is supported, always: every sentence the
extractive backend could quote from the real legal-dev instruments (../shared/legal-dev/docs, set
LEXCITE_LEGAL_DEV), checked by the default verifier against its citation, exactly as an answer is checked.
Before the verbatim rule, the grounding model marked 8 of 52 such quotes unsupported."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer_units import ENDED, layout
from assistant.backends import citation_for
from assistant.extractive import MIN_WORDS
from assistant.policy import strip_instructions
from ingest import loaders
from ingest.chunker import chunk
from tests.support.legal_dev import LEGAL_DEV

DOCS = sorted(p for p in (LEGAL_DEV / "docs").glob("*") if p.suffix.lower() in loaders.SUPPORTED) \
    if (LEGAL_DEV / "docs").is_dir() else []
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not DOCS, reason=f"no legal-dev documents at {LEGAL_DEV / 'docs'} (set LEXCITE_LEGAL_DEV)"),
]


@pytest.fixture(scope="module")
def verifier(real_embedder):
    from assistant.registry import VERIFIERS
    from lexcite.settings import load_settings

    settings = load_settings(env={})
    return VERIFIERS.build(settings.verifier or "auto", settings, real_embedder)


def quotable(path: Path) -> list[tuple[str, str]]:
    """(sentence, cited passage) for every sentence of the document the extractive backend may quote."""
    out = []
    for c in chunk(loaders.load(path, path.name)):
        for line in layout(c.text):
            s = line.span
            if len(s.text.split()) >= MIN_WORDS and ENDED.search(s.text):
                cited = citation_for(1, c, s.start, s.end)
                out.append((s.text, strip_instructions(cited.passage)))
    return out


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_verbatim_quote_of_a_real_instrument_is_supported(verifier, path):
    pairs = quotable(path)
    assert len(pairs) > 50, f"{path.name}: only {len(pairs)} quotable sentences found"
    results = verifier.score_many([(s, [p]) for s, p in pairs])
    unsupported = [s[:80] for (s, _), r in zip(pairs, results) if not r.supported]
    assert not unsupported, f"{path.name}: {len(unsupported)} of {len(pairs)} verbatim quotes unsupported: {unsupported[:5]}"
