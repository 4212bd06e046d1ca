"""Repairs to PDF page text that need the whole document's words: line-end hyphenation and drop caps.

    vocab = Vocabulary.of(pages)          # pages: lists of lines
    text = repair(lines, vocab)           # one page (or one footnote)
    join_break("the ter-", "ritory of", vocab) == ("the territory", "of")   # across a page break

* A soft hyphen at a line end ("deter \u00ad" / "mining") always joins: "determining".
* A hyphen at a line end before a lower-case word joins the two halves. The hyphen stays when the
  document spells the pair with a hyphen more often than without ("non-" / "refoulement" ->
  "non-refoulement" because "non-refoulement" occurs elsewhere), when neither spelling occurs elsewhere
  and the first half is a prefix that takes a hyphen (non-, self-, quasi-...) or both halves are words of
  the document ("first-" / "phase"); otherwise it was a line-break hyphen ("protec-" / "tion"). Before
  an upper-case word the hyphen is kept and the halves joined ("Anglo-" / "Saxon").
* A drop cap (a capital set apart from the rest of its word at the start of a paragraph, "1. T he",
  "(1) H" / "as been") is joined when the joined word occurs elsewhere in the document far more often
  than the two as two words ("A" + "series" and "A" + "broad" stay apart), or when the capital stands
  alone on its line before a fragment that is no word of the document ("D" / "ecisions").
* In footnotes, whose small type pypdf often spaces inside words ("Gener al As sembly"), two pieces
  are joined when the joined word is a word of the body and one of the pieces is (next to it) not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ingest.loaders.pdf_layout import letter_spaced

PREFIXES = frozenset({"non", "self", "quasi", "cross", "ex", "well", "half", "all", "post", "pre", "co"})
_SUSPENDED = frozenset({"and", "or", "to", "nor"})  # "pre- and post-natal": a suspended hyphen stays
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_SOFT_INLINE = re.compile(r"(?<=\w)[ \t]*\u00ad[ \t]*(?=\w)")
_SOFT_END = re.compile(r"[ \t]*\u00ad[ \t]*$")
_HYPHEN_END = re.compile(r"(?<![^\W\d_])([^\W\d_]+)[-\u2010]$")  # "non-discrim-": "discrim"
_FIRST = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")
_ENUM = r"(?:\(?\d{1,3}[.)]|\(\d{1,3}\)|\([a-z]{1,4}\)|[A-Z]\.|[IVXLC]{1,6}\.)"
_DROP_INLINE = re.compile(rf"(\s*(?:{_ENUM}\s*)*)([^\W\d_]) ([^\W\d_]+)")
_DROP_ALONE = re.compile(rf"(\s*(?:{_ENUM}\s*)*)([^\W\d_])\s*")


class Vocabulary:
    """Lower-cased word counts of a document, leaving out the halves of words broken at a line end."""

    def __init__(self, counts: Counter[str], pairs: Counter[tuple[str, str]] | None = None):
        self.counts = counts
        self.pairs = pairs or Counter()  # (word, next word) where the first is written lower-case

    @classmethod
    def of(cls, pages: Iterable[list[str]]) -> Vocabulary:
        counts: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for lines in pages:
            after_break = False
            for line in lines:
                line = _SOFT_INLINE.sub("", line).rstrip()
                if (cap := _DROP_INLINE.match(line)) and cap.group(2).isupper() and cap.group(3).islower():
                    line = cap.group(1) + line[cap.end(2):]  # "T he": the capital alone is no word
                elif (cap := _DROP_ALONE.fullmatch(line)) and cap.group(2).isupper():
                    line, after_break = "", True  # "H" / "as been": skip the fragment on the next line too
                    continue
                if letter_spaced(line):
                    continue  # "p r o t o c o l": letters, not words
                words = _WORD.findall(line)
                pairs.update((a.lower(), b.lower()) for a, b in zip(words, words[1:]) if a.islower())
                words = [w.lower() for w in words]
                broken = bool(_HYPHEN_END.search(line) or _SOFT_END.search(line))
                if after_break:
                    words = words[1:]
                if broken:
                    words = words[:-1]
                after_break = broken
                for w in words:
                    counts[w] += 1
                    if "-" in w or "\u2010" in w:
                        counts.update(re.split("[-\u2010]", w))
        return cls(counts, pairs)

    def __getitem__(self, word: str) -> int:
        return self.counts.get(word.lower(), 0)


def repair(lines: list[str], vocab: Vocabulary) -> str:
    """One page's (or one note's) lines as text, with drop caps and line-end hyphenation joined."""
    lines = [_SOFT_INLINE.sub("", line) for line in lines]
    return "\n".join(_join_breaks(_join_drop_caps(lines, vocab), vocab))


_PAIR = re.compile(r"(?<![^\W\d_])([^\W\d_]+) ([^\W\d_]+)(?![^\W\d_])")


def join_split_words(text: str, vocab: Vocabulary) -> str:
    """"Gener al As sembly r esolution" -> "General Assembly resolution" (see the module doc)."""
    def joined(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        whole, apart = vocab[a + b], vocab.pairs.get((a.lower(), b), 0)
        if b.islower() and whole > 5 * max(apart, min(vocab[a], vocab[b])):
            return a + b
        return m.group(0)

    previous = None
    while previous != text:  # "Na tions" then the next pair
        previous, text = text, _PAIR.sub(joined, text)
    return text


def _is_drop_cap(cap: str, rest: str, vocab: Vocabulary, alone: bool = False) -> bool:
    """"T" + "he": the joined word occurs in the document far more often than the two as two words
    ("a broad range" keeps "A broad"); a capital alone on its line before a fragment that is no word
    ("D" / "ecisions") is a drop cap too."""
    if not (cap.isupper() and rest.islower()):
        return False
    joined, apart = vocab[cap + rest], vocab.pairs.get((cap.lower(), rest.lower()), 0)
    return (joined > 0 and joined > 5 * apart) or (alone and vocab[rest] <= 1 and not apart)


def _join_drop_caps(lines: list[str], vocab: Vocabulary) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1].lstrip() if i + 1 < len(lines) else ""
        alone = _DROP_ALONE.fullmatch(line)
        first = _LETTERS.match(nxt)
        if alone and first and _is_drop_cap(alone.group(2), first.group(0), vocab, alone=True):
            out.append(alone.group(1) + alone.group(2) + nxt)
            i += 2
            continue
        inline = _DROP_INLINE.match(line)
        if inline and _is_drop_cap(inline.group(2), inline.group(3), vocab):
            line = inline.group(1) + inline.group(2) + line[inline.end(2) + 1:]
        out.append(line)
        i += 1
    return out


def keep_hyphen(left: str, right: str, vocab: Vocabulary) -> bool:
    """Whether "left-" at a line end followed by "right" is a real hyphen (see the module doc)."""
    joined, hyphenated = vocab[left + right], vocab[f"{left}-{right}"]
    if joined != hyphenated:
        return hyphenated > joined
    if left.lower() in PREFIXES:
        return True
    return len(left) > 1 and len(right) > 1 and vocab[left] > 0 and vocab[right] > 0


def _join_breaks(lines: list[str], vocab: Vocabulary) -> list[str]:
    pending: list[str | None] = list(lines)
    out: list[str] = []
    for i, line in enumerate(pending):
        if line is None:  # moved up entirely
            continue
        j = i + 1
        while j < len(pending) and pending[j] is None:
            j += 1
        if j < len(pending) and pending[j].strip():
            joined = join_break(line.rstrip(), pending[j].lstrip(), vocab)
            if joined:
                line, rest = joined
                pending[j] = rest or None
        out.append(line)
    return out


def join_break(line: str, nxt: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """(line with the next line's first word, rest of the next line) when the line ends in a broken word."""
    first = _FIRST.match(nxt)
    if not first:
        return None
    word, rest = first.group(0), nxt[first.end():].lstrip()
    if soft := _SOFT_END.search(line):
        return line[:soft.start()] + word, rest
    hyphen = _HYPHEN_END.search(line)
    letters = _LETTERS.match(word)
    if not hyphen or not letters:
        return None
    left, right = hyphen.group(1), letters.group(0)
    if right[0].isupper():
        return line + word, rest
    if not right[0].islower() or right.lower() in _SUSPENDED:
        return None
    return (line if keep_hyphen(left, right, vocab) else line[:-1]) + word, rest
