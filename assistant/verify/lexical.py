"""Word-level tools for the verifier's signals: content words with light stemming, numbers, names,
negation cues and direction words. Pure functions, no model, nothing topic-specific.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lexcite.text import stopwords
from lexcite.text.terms import suffix_stem as stem

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*%?")
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?%)?")

STOPWORDS = stopwords.VERIFIER

NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "twenty": "20", "thirty": "30", "fifty": "50", "hundred": "100", "thousand": "1000",
    "single": "1", "twice": "2", "double": "2", "half": "50%", "once": "1",
}

NEGATION = frozenset(
    """not no never without none neither nor cannot nobody nothing nowhere lack lacks lacking lacked
    absence absent fail fails failed failing unable""".split()
)

# Opposite directions: each row is (one side, the other side), as stem prefixes.
DIRECTIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("increas", "rise", "rises", "rising", "rose", "raise", "elevat", "higher", "highest", "greater",
      "gain", "enhanc", "promot", "improv", "boost", "accelerat", "stimulat", "activat", "upregulat",
      "augment", "expand", "grow", "grew", "exceed", "more", "most", "strengthen", "amplif", "induc"),
     ("decreas", "declin", "fall", "fell", "reduc", "lower", "lowest", "less", "least", "fewer",
      "smaller", "loss", "lose", "diminish", "inhibit", "suppress", "impair", "attenuat", "slow",
      "downregulat", "shrink", "drop", "weaken", "worsen", "deactivat", "block", "prevent")),
    (("permit", "allow", "authoris", "authoriz", "legal", "lawful", "legitimate", "licit", "encourag"),
     ("prohibit", "forbid", "forbad", "ban", "illegal", "unlawful", "illegitimate", "illicit", "criminali",
      "outlaw", "restrict", "discourag")),
    (("positive", "positiv"), ("negative", "negativ")),
    (("before", "prior", "earlier", "precede", "preced"), ("after", "later", "subsequent", "follow")),
    (("include", "includ", "inclusion"), ("exclude", "exclud", "exclusion")),
    (("accept",), ("reject", "refus", "declin")),
    (("success", "succeed"), ("failure", "fail")),
    (("strong",), ("weak",)),
    (("benefi", "advantage", "protect"), ("harm", "disadvantage", "risk", "damag")),
    (("maximum", "max"), ("minimum", "min")),
    (("above", "over", "exceed"), ("below", "under")),
    (("major",), ("minor",)),
    (("same", "similar", "identical"), ("different", "differ", "distinct")),
    (("international", "transnational", "global", "foreign"), ("national", "domestic", "local")),
    (("public",), ("private",)),
    (("voluntar",), ("involuntar", "forced", "coerc")),
    (("require", "mandatory", "compulsory", "oblig"), ("optional", "voluntary")),
    (("all", "every", "always"), ("some", "few", "never", "rarely", "sometimes")),
    (("common", "frequent", "often"), ("rare", "infrequent", "seldom")),
)

def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("’", "'"))


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry content, in order (numbers excluded: they are checked apart).
    Remembered per text (answers verify the same passages' sentences again and again); a fresh list."""
    return list(_content_stems(text))


@lru_cache(maxsize=8192)
def _content_stems(text: str) -> tuple[str, ...]:
    out = []
    for t in tokens(text):
        low = t.lower()
        if low in STOPWORDS or low in NUMBER_WORDS or low[0].isdigit() or len(low) < 2:
            continue
        out.append(stem(low))
    return tuple(out)


def numbers(text: str) -> set[str]:
    """Numbers, percentages and years, normalised ("1,000" -> "1000", "5 %" -> "5%", "five" -> "5")."""
    out = set()
    for m in _NUMBER.finditer(text):
        n = m.group().replace(",", "").replace(" ", "").replace("−", "-")
        out.add(n)
        if n.endswith("%"):
            out.add(n[:-1])  # "5%" is supported by "5 percent" / "5 per cent"
    for t in tokens(text):
        w = NUMBER_WORDS.get(t.lower())
        if w:
            out.add(w)
    return out


def numbers_in_claim(text: str) -> set[str]:
    """Numbers a claim commits to: as `numbers`, without the bare twin of a percentage."""
    nums = numbers(text)
    return {n for n in nums if not (n + "%" in nums)} | {n for n in nums if n.endswith("%")}


def number_supported(n: str, source_numbers: set[str]) -> bool:
    if n in source_numbers:
        return True
    bare = n.rstrip("%")
    if bare in source_numbers or bare + "%" in source_numbers:
        return True
    try:
        v = float(bare)
    except ValueError:
        return False
    for s in source_numbers:
        try:
            if abs(float(s.rstrip("%")) - v) < 1e-9:
                return True
        except ValueError:
            continue
    return False


def entities(text: str) -> set[str]:
    """Names: capitalised words not opening the sentence, acronyms, and words mixing letters and digits."""
    out = set()
    toks = tokens(text)
    for i, t in enumerate(toks):
        if len(t) < 2:
            continue
        has_digit = any(c.isdigit() for c in t) and any(c.isalpha() for c in t)
        acronym = sum(c.isupper() for c in t) >= 2
        capital = t[0].isupper() and i > 0 and t.lower() not in STOPWORDS
        if has_digit or acronym or capital:
            out.add(t.lower())
    return out


def negations(text: str) -> list[str]:
    found = []
    for t in tokens(text):
        low = t.lower().replace("’", "'")
        if low in NEGATION or low.endswith("n't"):
            found.append(low)
    return found


def directions(text: str) -> dict[int, set[int]]:
    """For each direction row that the text touches, which side(s) (0 or 1) it uses."""
    out: dict[int, set[int]] = {}
    for t in tokens(text):
        low = t.lower()
        for row, sides in enumerate(DIRECTIONS):
            for side, prefixes in enumerate(sides):
                if any(low == p or (len(p) >= 4 and low.startswith(p)) for p in prefixes):
                    out.setdefault(row, set()).add(side)
    return out


def direction_word(text: str, row: int, side: int) -> str:
    for t in tokens(text):
        low = t.lower()
        if any(low == p or (len(p) >= 4 and low.startswith(p)) for p in DIRECTIONS[row][side]):
            return low
    return DIRECTIONS[row][side][0]


def order_agreement(claim: list[str], source: list[str]) -> float:
    """Share of shared content words that appear in the same order (LCS / shared); 1.0 when < 2 shared."""
    src_set = set(source)
    a = [w for w in claim if w in src_set]
    seen: set[str] = set()
    a = [w for w in a if not (w in seen or seen.add(w))]
    if len(a) < 2:
        return 1.0
    first: dict[str, int] = {}
    for i, w in enumerate(source):
        first.setdefault(w, i)
    b = sorted(set(a), key=lambda w: first[w])
    # LCS of two permutations of the same set = longest increasing subsequence
    pos = {w: i for i, w in enumerate(b)}
    seq = [pos[w] for w in a]
    import bisect

    tails: list[int] = []
    for x in seq:
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails) / len(a)
