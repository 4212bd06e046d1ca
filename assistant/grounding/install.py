"""`python -m assistant.grounding.install`: export the verifier's grounding cross-encoder to ONNX now, into
`Settings.cache_dir` (`make install` runs it), so the first verified answer does not pay for it. Does nothing
when the weights do not ship or `encoder_backend` is torch."""

from __future__ import annotations

import logging
import sys

from assistant.grounding.model import WEIGHTS_DIR, GroundingModel, onnx_file, runtime_for
from lexcite.errors import LexciteError
from lexcite.settings import load_settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        if not GroundingModel.available() or runtime_for(settings) == "torch":
            return 0
        onnx_file(WEIGHTS_DIR, settings.cache_dir, runtime_for(settings))
        print(f"grounding model: ready in {settings.cache_dir / 'grounding'}")
    except LexciteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
