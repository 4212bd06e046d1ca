"""`python -m assistant.grounding.install`: export the verifier's grounding cross-encoder to ONNX now, into
`Settings.cache_dir` (`make install` runs it), so the first verified answer does not pay for it. Does nothing
when the weights do not ship or `encoder_backend` is torch. Exports the weights `grounding_weights` names."""

from __future__ import annotations

import logging
import sys

from assistant.grounding.model import GroundingModel, onnx_file, runtime_for, weights_dir_for
from lexcite.errors import LexciteError
from lexcite.settings import load_settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        weights = weights_dir_for(settings)  # the weights `grounding_weights` names, as answers will load them
        if not GroundingModel.available(weights) or runtime_for(settings) == "torch":
            return 0
        onnx_file(weights, settings.cache_dir, runtime_for(settings))
        print(f"grounding model: ready in {settings.cache_dir / 'grounding'}")
    except LexciteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
