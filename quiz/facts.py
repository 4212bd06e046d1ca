"""Salient factual statements of a corpus and the key terms a question can blank out.

Generic heuristics only (nothing here knows a corpus's topic): a statement is worth asking about
when it defines something, states an obligation or a penalty, gives a number, or names an actor,
a body or a tool; it must read on its own (no leading "This …", no first person, no heading).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from ingest.records import Chunk
from lexcite.text import stopwords

try:  # the shared splitter (char spans into the chunk text)
    from lexcite.text.sentences import split_sentences as _split
except ImportError:  # pragma: no cover - only while the splitter has not landed
    _split = None

# ---- what a term is -------------------------------------------------------------------------------
NUMERIC_KINDS = frozenset({"number", "percent", "year", "money", "reference"})
ENTITY_KINDS = frozenset({"name", "acronym", "actor"})

_NUM_WORDS = ("one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
              "fifty sixty hundred thousand million billion").split()
_STOP = stopwords.QUIZ
_PRONOUN_START = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|them|such|he|she|his|her|here|there|which|both|either)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]urs?|us|[Yy]ou|[Yy]ours?|I)\b")
_DEFINITION = re.compile(
    r"\b(?:means|refers to|is defined as|are defined as|shall mean|denotes|is understood as|"
    r"is (?:a|an|the)|are (?:a|an|the))\b")
_OBLIGATION = re.compile(
    r"\b(?:shall|must|is required to|are required to|is obliged to|are obliged to|is prohibited|are prohibited|"
    r"prohibits?|may not|is responsible for|are responsible for|has to|have to|is entitled to|are entitled to)\b",
    re.I)
_PENALTY = re.compile(r"\b(?:punishable|imprisonment|fine[sd]?|penalt(?:y|ies)|sanctions?|liable|offen[cs]es?)\b", re.I)
_HEDGE = re.compile(r"\b(?:may|might|could|can|often|typically|generally|usually|likely|perhaps|potentially|"
                    r"is expected to|tends? to)\b", re.I)

_REFERENCE = re.compile(
    r"\b(?P<unit>Article|Art\.|Section|Sec\.|Chapter|Part|Paragraph|Rule|Regulation|Directive|Annex|Schedule|Title)"
    r"\s+(?P<num>\d+[A-Za-z]?(?:\(\d+[a-z]?\))*(?:\([a-z]\))?)")
_NUMBER = re.compile(
    r"(?<![\w/\-.])(?P<cur>[$€£]\s?|(?:EUR|USD|GBP)\s)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + "|".join(_NUM_WORDS) + r")"
    r"(?![\w/\-])(?P<pct>\s?%|\s(?:percent|per cent))?"
    r"(?:\s(?P<unit>[a-z][a-z\-]{2,}))?", re.I)
_ACRONYM = re.compile(
    r"(?<![\w\-])(?:[A-Z][A-Z0-9]+(?:[\-/&][A-Z0-9]+)*s?|[A-Z]-[A-Za-z0-9/]+(?:-[A-Za-z0-9/]+)*|"
    r"[A-Z][a-z]+-\d+)(?![\w\-])")
_CAP_WORD = r"[A-Z][\w\-/]*"
_CONNECT = r"(?:of|and|for|on|the|in|against|to|de|du|des|la|le|del|und|für)"
_NAME = re.compile(rf"{_CAP_WORD}(?:\s+(?:{_CONNECT}\s+)*{_CAP_WORD})*")
_DEFINED = re.compile(
    r"^(?:(?:For the purposes? of|In|Under) [^,]{1,80}, )?(?:[Tt]he (?:term|expression|word) |(?:[Tt]he|[Aa]n?) )?"
    r"[“\"‘']?(?P<t>[A-Za-z][\w\-’' ]{1,60}?)[”\"’']?"
    r"(?:\s*\([^)]{1,40}\))?\s+(?:means|refers to|is defined as|are defined as|shall mean|denotes|is understood as)\b")
_ACTOR = re.compile(
    r"^(?P<det>(?:The|All|Each|Every|Any|No|A|An)\s+)?(?P<a>[A-Za-z][\w\-’']*(?:\s+[\w\-’']+){0,5}?)\s+"
    r"(?:shall|must|is required to|are required to|is obliged to|are obliged to|is responsible for|"
    r"are responsible for|may not|is entitled to|are entitled to)\b")
_TOKEN = re.compile(r"[A-Za-z][\w\-’']*")
_END_OK = re.compile(r"[.!;]['\"”’)\]]*$")


@dataclass(frozen=True)
class Term:
    """A candidate answer inside a statement: `text == statement.text[start:end]`."""

    text: str
    start: int
    end: int
    kind: str  # number percent year money reference | name acronym actor | defined
    unit: str = ""  # numbers: the unit word ("day", "country"); references: the keyword ("article")


@dataclass(frozen=True)
class Statement:
    """A salient sentence of a chunk: `text == chunk.text[start:end]`."""

    chunk: Chunk
    text: str
    start: int
    end: int
    features: tuple[str, ...]
    salience: float
    terms: tuple[Term, ...]

    @property
    def words(self) -> int:
        return len(self.text.split())


class Lexicon:
    """Which capitalised words are proper names in this corpus (capitalised mid-sentence, rarely not)."""

    def __init__(self, sentences: Iterable[str] = ()):
        self.cap = Counter()
        self.low = Counter()
        for s in sentences:
            self.add(s)

    def add(self, sentence: str) -> None:
        for i, m in enumerate(_TOKEN.finditer(sentence)):
            if i == 0:
                continue
            w = m.group().rstrip("’'s") if m.group().endswith(("’s", "'s")) else m.group()
            (self.cap if w[0].isupper() else self.low)[w.lower()] += 1

    def is_proper(self, word: str) -> bool:
        w = word.lower()
        if w.endswith(("’s", "'s")):
            w = w[:-2]
        return self.cap[w] > 0 and self.cap[w] >= self.low[w]


def sentences_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) spans of the sentences of `text` (the shared splitter when available)."""
    if _split is not None:
        return [(s.start, s.end, s.text) for s in _split(text)]
    out, pos = [], 0  # pragma: no cover - fallback
    for m in re.finditer(r"[^.!?\n]+[.!?]*", text):
        seg = m.group()
        lead = len(seg) - len(seg.lstrip())
        body = seg.strip()
        if body:
            out.append((m.start() + lead, m.start() + lead + len(body), body))
    return out


def build_lexicon(chunks: Sequence[Chunk]) -> Lexicon:
    lex = Lexicon()
    for c in chunks:
        for _, _, s in sentences_of(c.text):
            if _END_OK.search(s):  # headings are Title Case: they would make every word look proper
                lex.add(s)
    return lex


# ---- terms --------------------------------------------------------------------------------------
def find_terms(sentence: str, lexicon: Lexicon) -> list[Term]:
    """Key terms of one sentence, non-overlapping, earliest first."""
    found: list[Term] = []

    def add(t: Term) -> None:
        if t.end <= t.start or not t.text.strip():
            return
        if any(not (t.end <= o.start or t.start >= o.end) for o in found):
            return
        found.append(t)

    for m in _REFERENCE.finditer(sentence):
        unit = m.group("unit").lower().rstrip(".")
        add(Term(m.group(), m.start(), m.end(), "reference", {"art": "article", "sec": "section"}.get(unit, unit)))
    for m in _NUMBER.finditer(sentence):
        num = m.group("num")
        if num.isalpha() and (num.lower() == "one" or not (m.group("unit") or "").endswith("s")):
            continue  # spelled numbers only before a plural noun: "five years", not "one notable"
        unit = (m.group("unit") or "").lower()
        end = m.end()
        if unit in _STOP or not unit:
            unit, end = "", m.end("pct") if m.group("pct") else m.end("num")
        kind = "number"
        if m.group("pct"):
            kind = "percent"
        elif m.group("cur"):
            kind = "money"
        elif re.fullmatch(r"1[89]\d\d|20\d\d", num) and not unit:
            kind = "year"
        if kind in ("percent", "money", "year"):
            unit, end = "", m.end("pct") if m.group("pct") else m.end("num")
        add(Term(sentence[m.start():end], m.start(), end, kind, _singular(unit)))
    for m in _DEFINED.finditer(sentence):
        t = m.group("t").strip()
        if not _PRONOUN_START.match(t) and len(t.split()) <= 6:
            s = m.start("t") + (len(m.group("t")) - len(m.group("t").lstrip()))
            add(Term(t, s, s + len(t), "defined"))
    m = _ACTOR.match(sentence)
    if m and not _PRONOUN_START.match(m.group("a")) and m.group("a").split()[-1].lower() not in _STOP:
        add(Term(m.group("a"), m.start("a"), m.end("a"), "actor"))
    for m in _NAME.finditer(sentence):
        t = _trim_name(sentence, m.start(), m.end(), lexicon)
        if t is not None and re.match(r",\s+[A-Z][\w\-]*(?:,|\s+and\b)", sentence[t[1]:]):
            continue  # "Rules on Seeds, Soil, and …": a title cut at its own comma
        if t is not None:
            add(Term(sentence[t[0]:t[1]], t[0], t[1], "name"))
    for m in _ACRONYM.finditer(sentence):
        if re.fullmatch(r"[IVXLC]+", m.group()) or sentence.isupper():
            continue
        if m.start() == 0 and not lexicon.cap[m.group().lower()] or re.match(r"\s+[A-Z]{2,}\b", sentence[m.end():]):
            continue  # an upper-case opening word ("DONE at …", "IN WITNESS …") is drafting, not a name
        add(Term(m.group(), m.start(), m.end(), "acronym"))
    return sorted(found, key=lambda t: t.start)


def _trim_name(sentence: str, start: int, end: int, lexicon: Lexicon) -> tuple[int, int] | None:
    words = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(sentence[start:end])]
    # a possessive ends the name: "ACME’s Field Notices" -> "ACME"
    for i, (_, _, w) in enumerate(words):
        if w.endswith(("’s", "'s")) and i < len(words) - 1:
            words = words[: i + 1]
            break
    if words and words[-1][2].endswith(("’s", "'s")):
        s, e, w = words[-1]
        words[-1] = (s, e - 2, w[:-2])
    while words and (words[0][2].lower() in _STOP or (words[0][0] == 0 and not lexicon.is_proper(words[0][2])
                                                    and len(words) > 1)):
        words = words[1:]
    for i in range(1, len(words) - 1):  # "Convention and to the Community": two names, not one
        if words[i][2] == "and" and words[i + 1][2][0].islower():
            words = words[:i]
            break
    while words and words[-1][2].lower() in _STOP:
        words = words[:-1]
    if not words:
        return None
    caps = [w for _, _, w in words if w[0].isupper()]
    at_start = words[0][0] == 0
    proper = any(lexicon.is_proper(w) for w in caps)
    if len(caps) < 2 and not (proper and lexicon.cap[caps[0].lower()] >= 2):
        return None  # a lone capitalised word must be capitalised mid-sentence more than once
    if at_start and len(caps) < 2 and not proper:
        return None
    if len(caps) == 1 and caps[0].isupper():
        return None  # a lone acronym is an `acronym` term
    if all(re.fullmatch(r"[IVXLC]+", w) for w in caps) or all(w.isupper() for w in caps):
        return None  # "III and IV", "WITNESS WHEREOF": numbering and drafting formulas
    return words[0][0], words[-1][1]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# ---- statements -----------------------------------------------------------------------------------
def statement_features(sentence: str, terms: Sequence[Term]) -> tuple[tuple[str, ...], float]:
    feats: list[str] = []
    score = 0.0
    kinds = {t.kind for t in terms}
    if _DEFINITION.search(sentence) or "defined" in kinds:
        feats.append("definition")
        score += 2.5
    if _OBLIGATION.search(sentence):
        feats.append("obligation")
        score += 2.0
    if _PENALTY.search(sentence):
        feats.append("penalty")
        score += 1.5
    if kinds & NUMERIC_KINDS:
        feats.append("number")
        score += 2.0
    entities = {t.text.lower() for t in terms if t.kind in ENTITY_KINDS}
    if entities:
        feats.append("entity")
        score += min(2, len(entities)) * 1.0
    if "actor" in kinds:
        feats.append("actor")
        score += 0.5
    if _PRONOUN_START.match(sentence):
        score -= 2.0
    if _HEDGE.search(sentence):
        score -= 0.7
    n = len(sentence.split())
    score -= 0.05 * max(0, abs(n - 22) - 8)
    return tuple(feats), round(score, 4)


def extract_statements(chunks: Sequence[Chunk], lexicon: Lexicon | None = None) -> list[Statement]:
    """Every sentence of `chunks` that states a fact and holds at least one key term."""
    lexicon = lexicon or build_lexicon(chunks)
    out: list[Statement] = []
    for c in chunks:
        for s, e, text in sentences_of(c.text):
            if not _readable(text):
                continue
            terms = find_terms(text, lexicon)
            if not terms and not (_OBLIGATION.search(text) or _DEFINITION.search(text)):
                continue  # a rule ("… shall be prohibited") is worth asking about without a key term
            feats, sal = statement_features(text, terms)
            out.append(Statement(c, text, s, e, feats, sal, tuple(terms)))
    return out


def _readable(sentence: str) -> bool:
    n = len(sentence.split())
    if n < (5 if _OBLIGATION.search(sentence) else 7) or n > 60 or not _END_OK.search(sentence):
        return False
    if _FIRST_PERSON.search(sentence) or sentence.rstrip().endswith("?"):
        return False
    return sentence[:1].isupper() or sentence[:1].isdigit() or sentence[:1] in "\"“‘'("


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words (for duplicate and give-away checks)."""
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z0-9][\w\-/]*", text) if w.lower() not in _STOP)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form of an option or answer."""
    t = text.translate(_QUOTES).casefold()
    return " ".join(t.split()).strip(" .;:,")
