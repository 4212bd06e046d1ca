"""The reliability tests reuse the ingest tests' generators (tests/ingest/docs.py, legal_corpus.py)."""

import sys
from pathlib import Path

_INGEST_TESTS = str(Path(__file__).resolve().parents[1] / "ingest")
if _INGEST_TESTS not in sys.path:
    sys.path.insert(0, _INGEST_TESTS)
