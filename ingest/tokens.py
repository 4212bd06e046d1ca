"""Word-piece counting for the embedding window, without loading the model.

`default_counter()` reads tokenizer.json of the shipped all-MiniLM-L6-v2 with the `tokenizers` library
(~60 ms, once). BERT pre-tokenisation splits on whitespace first, so the pieces of a span are the sum of
the pieces of its words: the chunker counts each distinct word once and adds.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

log = logging.getLogger(__name__)


class WordPieceCounter(Protocol):
    specials: int  # tokens the model adds around every input ([CLS], [SEP])

    def count_words(self, words: Sequence[str]) -> list[int]:
        """Word pieces of each whitespace-free word, without special tokens."""
        ...


class TokenizerCounter:
    def __init__(self, tokenizer_json: Path):
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(tokenizer_json))
        self._tok.no_truncation()  # the shipped file truncates/pads at 128: off for counting
        self._tok.no_padding()
        self.specials = len(self._tok.encode("", add_special_tokens=True).ids)
        self._cache: dict[str, int] = {}

    def count_words(self, words: Sequence[str]) -> list[int]:
        todo = sorted({w for w in words if w not in self._cache})
        if todo:
            for w, enc in zip(todo, self._tok.encode_batch(todo, add_special_tokens=False)):
                self._cache[w] = len(enc.ids)
            if len(self._cache) > 200_000:
                self._cache.clear()
        return [self._cache.get(w) or len(self._tok.encode(w, add_special_tokens=False).ids) for w in words]

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=True).ids)


class EstimateCounter:
    """Used only when the tokenizer file is missing: half a piece per letter, one per punctuation mark
    (2-3x the real count on English; a test checks it never undercounts real text)."""

    specials = 2

    def count_words(self, words: Sequence[str]) -> list[int]:
        out = []
        for w in words:
            runs = re.findall(r"\w+|[^\w\s]", w)
            out.append(sum(1 if not r.isalnum() else (len(r) + 1) // 2 for r in runs) or 1)
        return out


@lru_cache(maxsize=1)
def default_counter() -> WordPieceCounter:
    try:
        from ingest.embedder import default_model_path

        return TokenizerCounter(Path(default_model_path()) / "tokenizer.json")
    except Exception as exc:  # no tokenizer on disk: stay safe rather than fail
        log.warning("word-piece tokenizer unavailable (%s); chunk sizes use a conservative estimate", exc)
        return EstimateCounter()
