"""FactCC-style pair synthesis from real text: faithful variants (supported) and perturbations
(unsupported). Generic English only: nothing here knows the topic of a corpus."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from lexcite.text import sentences

ANTONYMS = [
    ("increase", "decrease"), ("increases", "decreases"), ("increased", "decreased"), ("increasing", "decreasing"),
    ("higher", "lower"), ("more", "less"), ("greater", "smaller"), ("larger", "smaller"), ("high", "low"),
    ("positive", "negative"), ("positively", "negatively"), ("promotes", "inhibits"), ("promote", "inhibit"),
    ("enhances", "reduces"), ("enhanced", "reduced"), ("activates", "suppresses"), ("activated", "suppressed"),
    ("permitted", "prohibited"), ("allowed", "forbidden"), ("legal", "illegal"), ("before", "after"),
    ("majority", "minority"), ("upregulated", "downregulated"), ("gain", "loss"), ("improves", "worsens"),
    ("improved", "worsened"), ("rise", "fall"), ("rose", "fell"), ("rises", "falls"), ("raises", "lowers"), ("strong", "weak"), ("stronger", "weaker"),
    ("common", "rare"), ("frequent", "infrequent"), ("success", "failure"), ("successful", "unsuccessful"),
    ("effective", "ineffective"), ("required", "optional"), ("mandatory", "voluntary"), ("includes", "excludes"),
    ("accept", "reject"), ("accepted", "rejected"), ("benefit", "harm"), ("safe", "unsafe"), ("early", "late"),
    ("maximum", "minimum"), ("above", "below"), ("internal", "external"), ("national", "international"),
    ("public", "private"), ("always", "never"), ("all", "no"), ("must", "need not"), ("shall", "shall not"),
]
_ANT = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}
_AUX = r"\b(is|are|was|were|can|could|may|might|does|do|did|has|have|had|will|would|shall|should|must)\b"
_NUM = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)(\s?%|\s?percent)?(?![\w])")
_CAP = re.compile(r"\b([A-Z][a-zA-Z0-9\-]+(?:\s+[A-Z][a-zA-Z0-9\-]+)*|[A-Z0-9]{2,}[a-z]?)\b")
_HEDGES = ["Evidence indicates that ", "The text states that ", "It is reported that ", "According to the source, "]


def split_sentences(text: str) -> list[str]:
    """The project's sentence splitter, keeping sentences of four or more words."""
    return [s.text.strip() for s in sentences.split_sentences(text) if len(s.text.split()) >= 4]


@dataclass(frozen=True)
class Pair:
    sentence: str
    context: str
    label: int  # 1 supported, 0 unsupported
    kind: str


def _lc_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def supported_variants(s: str, rng: random.Random) -> list[tuple[str, str]]:
    out = [(s, "copy")]
    m = re.search(r"\b(?:show|shows|showed|suggest|suggests|suggested|indicate|indicates|demonstrate|demonstrates|"
                  r"demonstrated|found|find|finds|reveal|reveals|conclude|concluded)\s+that\s+(.+)$", s)
    if m and len(m.group(1).split()) >= 4:
        rest = m.group(1)
        out.append((rest[:1].upper() + rest[1:], "compress_that"))
    parts = re.split(r",\s+(?:which|while|whereas|although|and|but)\s+", s, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 5:
        out.append((parts[0].rstrip(",;") + ".", "drop_clause"))
    parts = re.split(r";\s+", s, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 5:
        out.append((parts[0] + ".", "drop_clause"))
    m = re.match(r"^(In|At|During|For|Among|Within|Using|Through|Based on)\b[^,]{3,80},\s+(.+)$", s)
    if m:
        rest = m.group(2)
        out.append((rest[:1].upper() + rest[1:], "drop_intro"))
    if rng.random() < 0.3:
        out.append((rng.choice(_HEDGES) + _lc_first(s), "hedge"))
    return out


def negate(s: str) -> str | None:
    m = re.search(r"\b(not|no longer|never)\s+", s)
    if m:
        return s[: m.start()] + s[m.end():]
    m = re.search(r"\b(\w+)n't\b", s)
    if m:
        return s[: m.start()] + m.group(1) + s[m.end():]
    m = re.search(_AUX, s)
    if m:
        return s[: m.end()] + " not" + s[m.end():]
    return None


def swap_antonym(s: str, rng: random.Random) -> str | None:
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[A-Za-z]+", s) if m.group().lower() in _ANT]
    if not words:
        return None
    a, b, w = rng.choice(words)
    rep = _ANT[w.lower()]
    rep = rep.capitalize() if w[0].isupper() else rep
    return s[:a] + rep + s[b:]


def swap_number(s: str, context: str, rng: random.Random) -> str | None:
    nums = list(_NUM.finditer(s))
    if not nums:
        return None
    m = rng.choice(nums)
    raw = m.group(1)
    others = [x.group(1) for x in _NUM.finditer(context) if x.group(1) != raw]
    if others and rng.random() < 0.5:
        new = rng.choice(others)
    else:
        try:
            v = float(raw.replace(",", ""))
        except ValueError:
            return None
        factor = rng.choice([0.5, 2, 3, 0.1, 10, 1.5])
        nv = v * factor + rng.choice([0, 1, 3])
        new = str(int(nv)) if "." not in raw else f"{nv:.{len(raw.split('.')[-1])}f}"
        if new == raw:
            new = str(int(v) + 7)
    return s[: m.start(1)] + new + s[m.end(1):]


def swap_entity(s: str, context: str, rng: random.Random) -> str | None:
    ents = [m for m in _CAP.finditer(s) if m.start() > 0]
    if not ents:
        return None
    m = rng.choice(ents)
    # in the order the context names them (a set's order changes with the process's hash seed, and the
    # "recipes" row and training pairs must be the same on every run)
    pool = [p for p in dict.fromkeys(x.group() for x in _CAP.finditer(context))
            if p != m.group() and p.lower() not in s.lower() and len(p) > 2]
    if not pool:
        return None
    return s[: m.start()] + rng.choice(pool) + s[m.end():]


_QUANT = {"no": "any", "any": "no", "none": "all", "every": "no", "each": "no", "nobody": "everybody",
          "nothing": "everything", "everything": "nothing", "without": "with"}


def flip_quantifier(s: str, rng: random.Random) -> str | None:
    """"No Party may …" → "Any Party may …": negation carried by a quantifier, not by "not"."""
    words = [m for m in re.finditer(r"[A-Za-z]+", s) if m.group().lower() in _QUANT]
    if not words:
        return None
    m = rng.choice(words)
    rep = _QUANT[m.group().lower()]
    rep = rep.capitalize() if m.group()[0].isupper() else rep
    return s[: m.start()] + rep + s[m.end():]


_OPENERS = frozenset("the a an no any all each every this these that those in on at for by it its".split())


def _named_at_start(text: str) -> bool:
    """A capitalised span opening a sentence is a name only if it is an acronym or several capitalised
    words not led by a function word ("Costa Rica", "UNESCO"; not "The Court", "Requests")."""
    words = text.split()
    return text.isupper() and len(text) > 1 or (len(words) > 1 and words[0].lower() not in _OPENERS)


def swap_roles(s: str, rng: random.Random) -> str | None:
    """Swap two different named parties of the same sentence ("A asked B" → "B asked A")."""
    ents = [m for m in _CAP.finditer(s) if m.start() > 0 or _named_at_start(m.group())]
    pairs = [(a, b) for i, a in enumerate(ents) for b in ents[i + 1:] if a.group() != b.group()]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    out = s[: a.start()] + b.group() + s[a.end(): b.start()] + a.group() + s[b.end():]
    return out if out != s else None


_FIGURES = [" in over 40 countries", " since 2015", " in 12 cases", " at a cost of $3 million",
            " within 48 hours", " in 2019", " with a 60% success rate", " for 250 people"]


def add_figure(s: str, rng: random.Random) -> str | None:
    """A figure the context never gives, added at the end ("... were adopted in 2019.")."""
    if not s.endswith("."):
        return None
    return s[:-1] + rng.choice(_FIGURES) + "."


def add_clause(s: str, other: str, rng: random.Random) -> str | None:
    frag = other.rstrip(".")
    words = frag.split()
    if len(words) < 5:
        return None
    tail = " ".join(words[len(words) // 2:]) if rng.random() < 0.5 else frag
    return s.rstrip(".") + ", and " + _lc_first(tail) + "."


def pairs_from_text(sentences: list[str], other_pool: list[str], rng: random.Random, per_doc: int = 4) -> list[Pair]:
    """Make pairs from one document's sentences. The context is a window around the target."""
    out: list[Pair] = []
    if len(sentences) < 2:
        return out
    for _ in range(per_doc):
        i = rng.randrange(len(sentences))
        w = rng.choice([0, 1, 1, 2, 3])
        lo, hi = max(0, i - w), min(len(sentences), i + w + 1)
        context = " ".join(sentences[lo:hi])
        s = sentences[i]
        text, kind = rng.choice(supported_variants(s, rng))
        out.append(Pair(text, context, 1, kind))
        choices = []
        for kind_, fn in (
            ("negation", lambda: negate(s)), ("antonym", lambda: swap_antonym(s, rng)),
            ("quantifier", lambda: flip_quantifier(s, rng)), ("role_swap", lambda: swap_roles(s, rng)),
            ("number", lambda: swap_number(s, " ".join(sentences), rng)),
            ("entity", lambda: swap_entity(s, " ".join(sentences) + " " + rng.choice(other_pool), rng)),
            ("added_clause", lambda: add_clause(s, rng.choice(other_pool), rng)),
        ):
            v = fn()
            if v and v != s:
                choices.append((v, kind_))
        outside = [x for j, x in enumerate(sentences) if j < lo or j >= hi]
        if outside:
            choices.append((rng.choice(outside), "same_doc_other_sentence"))
        choices.append((rng.choice(other_pool), "other_doc"))
        for v, kind_ in rng.sample(choices, k=min(2, len(choices))):
            out.append(Pair(v, context, 0, kind_))
    return out
