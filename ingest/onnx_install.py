"""`python -m ingest.onnx_install [--variant V]`: export the embedding model to ONNX now, into the cache of
the configured data dir (`make install` runs it), so the first ingest or question does not pay for it."""

from __future__ import annotations

import argparse
import logging
import sys

from ingest.embedder import HASH_MODEL, get_embedder
from ingest.encoders.onnx_export import VARIANTS
from lexcite.errors import LexciteError
from lexcite.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Export the embedding model to ONNX into Settings.cache_dir (the environment's share/lexcite/cache).")
    ap.add_argument("--variant", choices=VARIANTS, action="append",
                    help="default: the configured encoder_backend when it is an ONNX one, else every ONNX variant")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = load_settings()
        if settings.embedding_model == HASH_MODEL:
            return 0
        default = [settings.encoder_backend] if settings.encoder_backend in VARIANTS else list(VARIANTS)
        for variant in args.variant or default:
            embedder = get_embedder(settings.embedding_model, variant, str(settings.cache_dir))
            embedder.session  # noqa: B018 - exports (or finds) the model file
            print(f"{variant}: ready in {settings.cache_dir / 'encoders'}")
    except LexciteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
