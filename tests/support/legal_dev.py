"""Where the legal-dev folder is for the tests that run on real instruments: `LEXCITE_LEGAL_DEV`, else
`../shared/legal-dev` beside the repository. Those tests skip with the reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

LEGAL_DEV = Path(os.environ.get("LEXCITE_LEGAL_DEV") or Path(__file__).resolve().parents[3] / "shared" / "legal-dev")
ABSENT = f"no legal-dev folder at {LEGAL_DEV} (set LEXCITE_LEGAL_DEV to its path)"
