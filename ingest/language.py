"""Language identification: the ISO 639-1 code of a block of text, of a document's blocks, of a question.

    detect("The States Parties shall cooperate to the fullest extent possible.")   # "en"
    detect("Artikel 5")                                                            # "" (too short to tell)
    detect_blocks(["Artikel 5", "De Staten die partij zijn, werken samen.", "1."], default="en")
                                                                                   # ["nl", "nl", "nl"]

The model is py3langid's (langid.py's naive Bayes over byte n-grams, shipped inside the wheel, so
nothing is fetched and the same text always gets the same answer), restricted to `DEFAULT_LANGUAGES`:
a shorter list of candidates is what keeps short lines right (Dutch is never taken for Afrikaans,
English headings for Polish). Compared with lingua, fastText's lid.176.ftz, CLD2 and langdetect on
English/Dutch treaty text and French/German/Spanish sentences, it made no error on paragraphs,
5-12 word lines or questions (nor did lingua's high-accuracy mode: a 96 MB wheel, 4-9x slower),
at ~0.1 ms a paragraph, from a 4.5 MB wheel, BSD-3-Clause.

A text is *unsure* ("") when it has fewer than `min_letters` letters (headings such as "Article 5",
list markers, numbers) or when the model's probability is below `min_confidence`. `detect_blocks`
labels every block of one document anyway: an unsure block takes the language of the confident
blocks around it, and a short line in another language inside a run (a status note repeated through
a text in another language) joins the run when most of the text around it is in the run's language,
so a chunker that keeps one language per chunk does not cut the run into slivers.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Sequence

# Candidates: the official languages of the European and UN institutions, plus a few other widely
# used ones. A corpus in another language passes its own list to LanguageDetector(languages=...).
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt",
    "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    "ar", "ru", "zh",
    "is", "ja", "ko", "no", "tr", "uk",
)
MIN_LETTERS = 12  # "Article 12" (7 letters) says little; "Definitions of terms" (18) is a guess worth making
MIN_CONFIDENCE = 0.8  # below it the model is often wrong on short lines (measured on treaty text)
SHORT_LETTERS = 75  # a confident block with fewer letters (~15 words) follows the majority of its neighbourhood:
NEIGHBOURS = 4  # itself and this many confident blocks each side, weighing their letters (at most 2 * SHORT_LETTERS)
MAX_CHARS = 2000  # a block's language is read from its first MAX_CHARS characters (speed)

_NOISE = re.compile(r"\]\([^)]*\)|\b(?:https?://|www\.)\S+|\S*/\S*|[\d_]+")  # link targets, URLs, paths, digits
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"[a-z]{2}")


@dataclass(frozen=True)
class Guess:
    """What the model says about one text: `language` is "" when unsure."""

    language: str
    confidence: float
    letters: int  # letters the model saw (digits, URLs and link targets left out)


class LanguageDetector:
    """A language identifier over a fixed set of candidate languages; the model loads on first use.

    Thread-safe: the model is built once under a lock and only read afterwards.
    """

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, min_confidence: float = MIN_CONFIDENCE,
                 min_letters: int = MIN_LETTERS):
        langs = tuple(dict.fromkeys(str(code).strip().lower() for code in languages))
        bad = [code for code in langs if not _CODE.fullmatch(code)]
        if not langs or bad:
            raise ValueError(f"languages must be ISO 639-1 codes such as 'en', 'nl' (got {list(languages)!r})")
        if not 0.0 < float(min_confidence) <= 1.0:
            raise ValueError(f"min_confidence must be in (0, 1] (got {min_confidence})")
        if int(min_letters) < 1:
            raise ValueError(f"min_letters must be at least 1 (got {min_letters})")
        self.languages = langs
        self.min_confidence = float(min_confidence)
        self.min_letters = int(min_letters)
        self._identifier = None
        self._lock = threading.Lock()

    @property
    def identifier(self):
        """The py3langid model restricted to `languages` (built on first use)."""
        if self._identifier is None:
            with self._lock:
                if self._identifier is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                    unknown = sorted(set(self.languages) - set(ident.labels))
                    if unknown:
                        raise ValueError(f"the language model does not know {', '.join(unknown)}; "
                                         f"choose among {', '.join(sorted(c for c in ident.labels if len(c) == 2))}")
                    ident.set_languages(list(self.languages))
                    self._identifier = ident
        return self._identifier

    def guess(self, text: str) -> Guess:
        clean = _clean(text)
        letters = len(_LETTER.findall(clean))
        if letters < self.min_letters:
            return Guess("", 0.0, letters)
        lang, p = self.identifier.classify(clean)
        return Guess(lang if p >= self.min_confidence else "", float(p), letters)

    def detect(self, text: str) -> str:
        """The ISO 639-1 code of `text`, or "" when it is too short or the model is unsure."""
        return self.guess(text).language

    def detect_blocks(self, texts: Sequence[str], default: str = "") -> list[str]:
        """One code per block of one document (consecutive paragraphs), never "" unless `default` is.

        Confident blocks keep their language, except short ones (< SHORT_LETTERS letters), which
        take the language that holds more than half of the letters of their neighbourhood (see
        `_join_islands`): a run in one language stays together. Unsure blocks take the language of
        the nearest confident block on each side; when those differ, the one the model rates higher
        for the block, and on a tie the following one (a heading belongs to the text after it).
        With no confident block at all the blocks together decide, and failing that `default`.
        """
        guesses = [self.guess(t) for t in texts]
        anchors = [i for i, g in enumerate(guesses) if g.language]
        if not anchors:
            whole = self.detect(" ".join(t[:MAX_CHARS] for t in texts)) or default
            return [whole] * len(texts)
        labels = [g.language for g in guesses]
        self._join_islands(labels, guesses, anchors)
        out = list(labels)
        for i, lang in enumerate(labels):
            if lang:
                continue
            before = next((labels[j] for j in range(i - 1, -1, -1) if labels[j]), "")
            after = next((labels[j] for j in range(i + 1, len(labels)) if labels[j]), "")
            if not before or not after or before == after:
                out[i] = after or before
            else:
                out[i] = self._pick(texts[i], before, after)
        return out

    def _join_islands(self, labels: list[str], guesses: list[Guess], anchors: list[int]) -> None:
        """A short confident block takes the language that holds most letters of its neighbourhood:
        itself and NEIGHBOURS confident blocks on each side (as detected, not as relabelled), each
        weighing its letters up to 2 * SHORT_LETTERS, so one long paragraph does not outvote a run."""
        found = {i: labels[i] for i in anchors}
        for pos, i in enumerate(anchors):
            if guesses[i].letters >= SHORT_LETTERS:
                continue
            votes: dict[str, int] = {}
            for j in anchors[max(0, pos - NEIGHBOURS) : pos + NEIGHBOURS + 1]:
                votes[found[j]] = votes.get(found[j], 0) + min(guesses[j].letters, 2 * SHORT_LETTERS)
            best = max(votes, key=votes.get)
            if best != found[i] and 2 * votes[best] > sum(votes.values()):
                labels[i] = best

    def _pick(self, text: str, first: str, second: str) -> str:
        """Of two candidate languages, the one the model rates higher for `text` (`second` on a tie)."""
        clean = _clean(text)
        if not _LETTER.search(clean):
            return second
        scores = dict(self.identifier.rank(clean))
        return first if scores.get(first, 0.0) > scores.get(second, 0.0) else second


def _clean(text: str) -> str:
    return " ".join(_NOISE.sub(" ", (text or "")[:MAX_CHARS]).split())


_default: LanguageDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> LanguageDetector:
    """The shared detector over DEFAULT_LANGUAGES (one model per process)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = LanguageDetector()
    return _default


def detect(text: str) -> str:
    """ISO 639-1 code of `text` ("en", "nl", ...), or "" when too short or unsure."""
    return default_detector().detect(text)


def detect_blocks(texts: Sequence[str], default: str = "") -> list[str]:
    """A code for each of a document's consecutive blocks, short and unsure ones smoothed over."""
    return default_detector().detect_blocks(texts, default)
