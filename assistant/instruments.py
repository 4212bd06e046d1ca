"""Which instrument a question names, and which provision it points at.

    names = InstrumentNames(index.catalog)
    res = names.resolve("Does the organ transplantation protocol (CETS 186) also govern blood?")
    res.sources     -> ("coe-...transplantation-protocol.md",)   # search these first
    res.covered     -> {"organ", "transplantation", "protocol", "cets", "186"}  # words explained by the match
    res.unresolved  -> ()   # mentions of an instrument no document is ("the Palermo Protocol", absent)

A mention is an instrument noun (protocol, convention, regulation, code, ...) with the words that qualify
it ("the UN migrant smuggling protocol", "Regulation 604/2013", "the Convention against Trafficking in ...
(CETS No. 216)"), or an acronym ("GDPR"). It resolves to the documents whose names (title, aliases, the
names the text gives itself: ingest/names.py) hold most of its specific words, by stem, acronym or number;
a word only found in a document's text counts half. A mention whose specific words mostly match no
document names an instrument the corpus does not hold.

`provision_refs(question)` finds "Article 21", "Art. 5(3)", "Recital 39", "Article IX", "Annex I",
"Section 32(1)"; `ProvisionLookup.find` fetches those provisions' chunks through the catalog's section
labels, not by similarity. Drafting conventions only: nothing here knows an instrument or a topic.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Sequence

from lexcite.text.terms import STOP, stem
from assistant.records import Citation, Sentence
from ingest.catalog import Catalog
from ingest.records import Chunk
from ingest.labels import names_provision

INSTRUMENT_NOUNS = frozenset("""protocol protocols convention conventions regulation regulations directive directives
    act acts code codes treaty treaties charter statute statutes covenant agreement declaration decision""".split())
_LINKS = frozenset("of on against relating to concerning for supplementing the and in by with from".split())
_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9][A-Za-z0-9'’\-/.]*[A-Za-z0-9]|[A-Za-z0-9]|[,;:?!]")
_ROMAN = re.compile(r"^[IVXLC]+$")
_REF = re.compile(r"\b(Article|Art\.|Recital|Annex|Section|Schedule|Paragraph|Rule)s?\s*"
                  r"(\d{1,4}[a-z]?|[IVXLC]{1,7})\b((?:\s*\(\w{1,4}\))*)", re.I)
_SECTION_WORD = {"art.": "Article", "article": "Article", "recital": "Recital", "annex": "Annex", "section": "Section",
                 "schedule": "Schedule", "paragraph": "Paragraph", "rule": "Rule"}
_WHICH_PROVISION = re.compile(r"\b(?:which|what)\s+(?:article|articles|provision|provisions|recital|recitals|part|"
                              r"section|paragraph|annex|chapter|schedule|rule)\b", re.I)
# "a separate Union act", "any other convention": a determiner that names no instrument in particular
_INDEFINITE = frozenset("a an another any other some every each such".split())
MIN_MATCH = 0.5  # share of a mention's specific words a document's names must explain
TEXT_ONLY_WEIGHT = 0.5


@dataclass(frozen=True)
class Mention:
    text: str
    words: tuple[str, ...]  # all the mention's words, lower case
    specific: tuple[str, ...]  # the words that single an instrument out (not "the", not "protocol")
    proper: bool = False  # written as a name (a capital, a number, an acronym): "the Palermo Protocol"
    head: str = ""  # the instrument noun it is built on, singular ("protocol"); "" for a lone acronym
    bracketed: tuple[str, ...] = ()  # its specific words written in parentheses: "(CETS 186)", another name for it


@dataclass(frozen=True)
class Resolution:
    sources: tuple[str, ...] = ()
    covered: frozenset[str] = frozenset()  # lower-case words of the question explained by a resolved mention
    unresolved: tuple[str, ...] = ()  # mentions no document answers to
    resolved: tuple[tuple[str, ...], ...] = ()  # the words of each mention that named a document found

    def without_names(self, question: str) -> str:
        """The question without the resolved mentions ("Which article of the Additional Protocol on
        transplantation contains the ban …" -> "Which article of contains the ban …"): searched within the
        named instrument, its own name matches all of its passages alike and only blurs what is asked."""
        out = question
        for words in self.resolved:
            name = r"\W*".join(re.escape(w) for w in words)
            out = re.sub(r"(?<!\w)" + name + r"(?!\w)(?:\s*\))?", " ", out, flags=re.I)  # and a bracket it opened
        return " ".join(out.split())


@dataclass(frozen=True)
class ProvisionRef:
    word: str  # Article | Recital | Annex | Section | ...
    number: str  # "21", "IX", "5a"
    paragraph: str = ""  # "3" for "Art. 5(3)"


def mentions(question: str) -> list[Mention]:
    tokens = _TOKEN.findall(question)
    out: list[Mention] = []
    used: set[int] = set()
    spans: list[range] = []
    for i, tok in enumerate(tokens):  # instrument nouns with their qualifiers first, then lone acronyms
        if tok.lower() in INSTRUMENT_NOUNS and i not in used:
            span = range(_extend_left(tokens, i), _extend_right(tokens, i) + 1)
            used.update(span)
            if not _indefinite(tokens, span):
                spans.append(span)
    for i, tok in enumerate(tokens):
        if _is_acronym(tok) and i not in used:
            end = i + 1
            while end < len(tokens) and end - i < 3 and re.fullmatch(r"No\.?|\d[\d/.-]*", tokens[end]):
                end += 1  # "CETS 186", "CETS No. 216": a series and its number
            used.update(range(i, end))
            spans.append(range(i, end))
    for span in sorted(spans, key=lambda r: r.start):
        words = tuple(t for t in (tokens[j] for j in span) if t not in "(),;:?!")
        specific = tuple(w.lower() for w in words if _is_specific(w))
        proper = any(w[:1].isupper() or w[:1].isdigit() for w in words if w.lower() not in INSTRUMENT_NOUNS)
        head = next((_singular(tokens[j]) for j in span if tokens[j].lower() in INSTRUMENT_NOUNS), "")
        depth, bracketed = 0, []
        for j in span:
            depth += tokens[j] == "("
            depth -= tokens[j] == ")"
            if depth > 0 and tokens[j] not in "()" and _is_specific(tokens[j]):
                bracketed.append(tokens[j].lower())
        out.append(Mention(" ".join(words), tuple(w.lower() for w in words), specific, proper, head, tuple(bracketed)))
    return out


def _written_series(m: Mention, w: str) -> bool:
    """`w` is written in capitals right before a number in the mention ("CETS 186", "ETS No. 5")."""
    return bool(re.search(rf"(?<![\w-]){re.escape(w.upper())}\s+(?:No\.?\s*)?\d", m.text))


def _indefinite(tokens: list[str], span: range) -> bool:
    """"a separate Union act", "any other protocol": a kind of instrument, not one by name (no number, no
    acronym, no bracketed name to single one out)."""
    if span.start == 0 or tokens[span.start - 1].lower() not in _INDEFINITE:
        return False
    return not any(t[:1].isdigit() or t == "(" or _is_acronym(t) for t in (tokens[j] for j in span))


def _is_specific(word: str) -> bool:
    low = word.lower()
    return low not in INSTRUMENT_NOUNS and low not in _LINKS and low not in STOP and low not in ("no", "no.")


def _singular(noun: str) -> str:
    low = noun.lower()
    return low[:-1] if low.endswith("s") and low[:-1] in INSTRUMENT_NOUNS else low


def head_noun(name: str) -> str:
    """The kind of instrument a name names: its first instrument noun ("Additional Protocol to the Convention
    on ..." -> "protocol"), or ""."""
    return next((_singular(w) for w in re.findall(r"[A-Za-z]+", name) if w.lower() in INSTRUMENT_NOUNS), "")


def _extend_left(tokens: list[str], i: int) -> int:
    lo = i
    while lo > 0 and i - lo < 6:
        t = tokens[lo - 1]
        low = t.lower()
        if low == "of" and lo >= 2 and tokens[lo - 2][:1].isupper() and tokens[lo][:1].isupper():
            lo -= 1  # "Council of Europe Convention"
            continue
        if t in "(),;:?!" or low in STOP or low in _LINKS or low in INSTRUMENT_NOUNS:
            break
        lo -= 1
    return lo


def _extend_right(tokens: list[str], i: int) -> int:
    hi = i
    n = len(tokens)
    if hi + 1 < n and re.fullmatch(r"(?:No\.?|\d[\d/.-]*)", tokens[hi + 1]):  # "Regulation 604/2013"
        hi += 1
        if tokens[hi].lower().startswith("no") and hi + 1 < n and tokens[hi + 1][:1].isdigit():
            hi += 1
    if hi + 1 < n and tokens[hi + 1] == "(":  # "(CETS No. 216)", "(Wetboek van Strafrecht)"
        close = next((j for j in range(hi + 2, min(n, hi + 10)) if tokens[j] == ")"), None)
        if close is not None:
            return close
    if hi + 1 < n and tokens[hi + 1].lower() in ("of", "on", "against", "relating", "concerning", "supplementing"):
        j = hi + 1
        prev_content = False  # lower-case content words alternate with links ("on the sale of children");
        while j + 1 < n and j - hi < 12:  # two in a row are the verb that follows ("... of children define")
            t = tokens[j + 1]
            low = t.lower()
            if t in "(),;:?!" or (low in STOP and low not in _LINKS):
                break
            if low in _LINKS:
                prev_content = False
            elif t[:1].islower():
                if prev_content:
                    break
                prev_content = True
            j += 1
        if j > hi + 1:
            hi = j
        if hi + 1 < n and tokens[hi + 1] == "(":
            close = next((j for j in range(hi + 2, min(n, hi + 10)) if tokens[j] == ")"), None)
            if close is not None:
                return close
    return hi


def _is_acronym(tok: str) -> bool:
    return tok.isupper() and tok.isalpha() and 2 <= len(tok) <= 6 and not _ROMAN.match(tok)


def acronym_of(acronym: str, name: str) -> bool:
    """"GDPR" for "General Data Protection Regulation", "OPSC" for "Optional Protocol ... sale of children"."""
    initials = [w[0].lower() for w in re.findall(r"[A-Za-z][\w'’-]*", name)]
    letters = acronym.lower()
    if not initials or initials[0] != letters[0] and letters[0] not in initials:
        return False
    for start in (k for k, c in enumerate(initials) if c == letters[0]):
        pos, ok = start, True
        for ch in letters[1:]:
            nxt = next((k for k in range(pos + 1, min(len(initials), pos + 16)) if initials[k] == ch), None)
            if nxt is None:
                ok = False
                break
            pos = nxt
        if ok:
            return True
    return False


_SMALL = frozenset("of and the for on in to".split())


def spelled_out(acronym: str, name: str) -> bool:
    """"UN" in "… supplementing the United Nations Convention …", "ECHR" in "European Convention on Human Rights":
    consecutive capitalised words of `name` (small words such as "of" in between skipped) whose initials are the
    acronym's letters, all of them and no more."""
    letters = acronym.lower()
    run: list[str] = []  # initials of the current run of capitalised words
    for w in re.findall(r"[A-Za-z][\w'’-]*", name):
        if w[0].isupper():
            run.append(w[0].lower())
            if "".join(run[-len(letters):]) == letters:
                return True
        elif w.lower() not in _SMALL:
            run = []
    return False


@dataclass
class _Doc:
    source: str
    names: tuple[str, ...]
    stems: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    kind: str = ""  # what its first name with an instrument noun calls it ("protocol"); later names may be others'



def _score(found_by: Sequence[str]) -> tuple[float, float, int]:
    """(score, share of the specific words matched, words matched by the names) from `_match` results:
    a word a document's names hold counts 1, one only its text holds TEXT_ONLY_WEIGHT."""
    by_name = sum(1 for f in found_by if f == "name")
    matched = sum(1 for f in found_by if f)
    return by_name + TEXT_ONLY_WEIGHT * (matched - by_name), matched / len(found_by), by_name


class InstrumentNames:
    """Resolves instrument mentions against the documents in the catalog (reloaded when it changes)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._docs: list[_Doc] = []
        self._stamp: object = None
        self._lock = threading.Lock()
        self._text_cache: dict[str, set[str]] = {}

    def _load(self) -> list[_Doc]:
        stamp = self.catalog.documents_stamp()  # per question: one count, the names reread only on change
        with self._lock:
            if stamp != self._stamp:
                docs = []
                for d in self.catalog.documents():
                    names = d.names or (d.title,)
                    text = " ".join(names)
                    docs.append(_Doc(d.source, tuple(names), {stem(w) for w in re.findall(r"[\w'’-]+", text.lower())},
                                     set(re.findall(r"\d+(?:/\d+)?", text)),
                                     next((h for h in map(head_noun, names) if h), "")))
                self._docs, self._stamp, self._text_cache = docs, stamp, {}
            return self._docs

    def sources(self) -> list[str]:
        return [d.source for d in self._load()]

    def spelled(self, acronym: str) -> bool:
        """Does some document's name spell out `acronym` ("UN": "… the United Nations Convention …")?"""
        return _is_acronym(acronym) and any(spelled_out(acronym, n) for d in self._load() for n in d.names)

    def short_name(self, source: str) -> str:
        """The name to cite a document by: its official series number when it has one ("Regulation (EU)
        No 604/2013"), else its title up to the first comma (at most 12 words)."""
        doc = next((d for d in self._load() if d.source == source), None)
        if doc is None:
            return ""
        series = next((n for n in doc.names[1:] if re.match(r"(?:Regulation|Directive|Decision)\s+\(|CETS|ETS", n)), "")
        if series:
            return series
        words = (doc.names[0].split(",")[0] if doc.names else "").split()[:12]
        while words and words[-1].lower() in _LINKS | STOP:
            words.pop()
        return " ".join(words)

    def lead(self, question: str, kept: Sequence[Sentence], citations: Sequence[Citation]) -> list[Sentence]:
        """For "which article / recital / part ..." questions, a first sentence that names the provision the
        answer quotes ("Article 22 of the Additional Protocol ...:"), built from the citation record itself
        (its section label and document), so it states nothing the record does not."""
        if not kept or not kept[0].citations or not _WHICH_PROVISION.search(question):
            return []
        first = next((c for c in citations if c.n == kept[0].citations[0]), None)
        if first is None or not first.section:
            return []  # the quote's own provision ("Recital 20" of a chunk labelled "Recitals 19–20"), article level
        article = re.sub(r"\((\w+)\)–\(\w+\)$|\(\w+\)$", "", first.provision or first.section).strip()
        return [Sentence(self.provision_of(first.source, article) + ":", (first.n,), True, 1.0)]

    def provision_of(self, source: str, provision: str) -> str:
        """"Article 22 of the Additional Protocol …": a provision named with its document's short name, to stand
        inside a sentence; the provision alone when the document has no name."""
        name = self.short_name(source)
        if name.startswith("The "):
            name = "the " + name[4:]
        return f"{provision} of {name}" if name else provision

    def _in_text(self, word: str) -> set[str]:
        if word not in self._text_cache:
            self._text_cache[word] = self.catalog.sources_containing(word)
        return self._text_cache[word]

    def resolve(self, question: str) -> Resolution:
        docs = self._load()
        if not docs:
            return Resolution()
        sources: list[str] = []
        covered: set[str] = set()
        unresolved: list[str] = []
        resolved: list[tuple[str, ...]] = []
        kinds = {d.source: d.kind for d in docs}
        for m in mentions(question):
            if not m.specific:
                continue  # "the protocol": names no instrument in particular
            matches = {d.source: [self._match(w, m, d, i) for i, w in enumerate(m.specific)] for d in docs}
            alias = self._named_outside_brackets(m, docs, matches)
            if alias:  # "the transplantation protocol (CETS 186)": the user's other name for a document found
                winners, explained = alias, set(m.bracketed)
            else:
                scores = {src: _score(found_by) for src, found_by in matches.items()}
                best = max(scores.values())
                if best[1] < MIN_MATCH:
                    if m.proper:
                        unresolved.append(m.text)
                    continue
                if not m.proper and best[2] == 0:
                    continue  # "the earlier regulations": common words, not a name
                winners = [s for s, v in scores.items() if v[0] == best[0] and v[1] >= MIN_MATCH]
                # "the Example Convention": of the documents its words name alike, the convention
                winners = [s for s in winners if m.head and kinds[s] == m.head] or winners
                explained = set()
            sources += [s for s in winners if s not in sources]
            resolved.append(m.words)
            # the words the match explains: a number or name that matched no winner stays to be checked
            explained |= {w for w in m.words if w in INSTRUMENT_NOUNS or w in _LINKS or w in STOP}
            explained |= {w for i, w in enumerate(m.specific) if any(matches[s][i] for s in winners)}
            covered.update(explained | {part for w in explained for part in w.split("/")})
        return Resolution(tuple(sources), frozenset(covered), tuple(unresolved), tuple(resolved))

    def _match(self, w: str, m: Mention, d: _Doc, i: int = -1) -> str:
        """How document `d` explains word `w` (the `i`-th specific word) of mention `m`: "name" (its names hold it
        as a word, a number or the initials of an acronym written in capitals), "text" (only its text holds it),
        or "". Initials that happen to spell a series in a long title ("Council … establishing … third-country …
        stateless" for "CETS 186") do not name a document that lacks the series' number."""
        if w.isalpha() and len(w) <= 6 and self._written_as_acronym(m, w) and any(acronym_of(w, n) for n in d.names):
            number = m.specific[i + 1] if 0 <= i < len(m.specific) - 1 else ""
            unnumbered = number[:1].isdigit() and _written_series(m, w) and not self._match(number, m, d)
            return "" if unnumbered and stem(w) not in d.stems else "name"
        if (w in d.numbers) if w[:1].isdigit() else (stem(w) in d.stems):
            return "name"
        return "text" if d.source in self._in_text(w) else ""

    @staticmethod
    def _named_outside_brackets(m: Mention, docs: Sequence[_Doc], matches: dict[str, list[str]]) -> list[str]:
        """The documents the words before the parentheses name on their own (most of them matched, one by the
        document's names), when the mention calls them what they call themselves (a protocol, not a
        convention): then the bracketed words are another name for them. [] otherwise."""
        outside = [i for i, w in enumerate(m.specific) if w not in m.bracketed]
        if not m.bracketed or not outside or not m.head:
            return []
        scores = {d.source: _score([matches[d.source][i] for i in outside]) for d in docs if d.kind == m.head}
        named = {src: v for src, v in scores.items() if v[1] >= MIN_MATCH and v[2] > 0}
        if not named:
            return []
        top = max(v[0] for v in named.values())
        return [src for src, v in named.items() if v[0] == top]

    @staticmethod
    def _written_as_acronym(m: Mention, w: str) -> bool:
        return any(x.isupper() and x.lower() == w for x in m.text.split())


_ASKED_UNIT = re.compile(r"\b(?:which|what)\s+(article|provision|recital|annex|schedule)s?\b", re.I)
_UNIT_OF_SECTION = {"article": ("Article", "Section"), "provision": ("Article", "Section", "Recital", "Annex", "Schedule"),
                    "recital": ("Recital",), "annex": ("Annex",), "schedule": ("Schedule",)}


def asked_unit(question: str) -> tuple[str, ...]:
    """The section words a "which article / recital / annex ..." question can be answered by; () otherwise."""
    m = _ASKED_UNIT.search(question)
    return _UNIT_OF_SECTION[m.group(1).lower()] if m else ()


# "Which article of the Protocol contains …", "What recital explains that …": the frame of a question asking where
# something is said, before what is to be said there
_WHERE_FRAME = re.compile(
    r"^\s*(?:in\s+)?(?:which|what)\s+(?:article|provision|recital|annex|schedule|part|section|paragraph|chapter|rule)s?"
    r"\b(?:\s+of)?(?:\s+the)?(?:\s+[\w/.()-]+){0,8}?\s+(?:contains?|deals?\s+with|sets?\s+out|lays?\s+down|lists?|"
    r"explains?|says?|states?|provides?(?:\s+for)?|covers?|governs?|requires?|concerns?|addresses|establish(?:es)?|"
    r"defines?|prohibits?|bans?|allows?|permits?)\b(?:\s+that)?\s+", re.I)


def asked_content(question: str) -> str:
    """What a "which article … contains X" question asks to be said: "X" ("Which article of the Convention contains
    the non-refoulement rule?" -> "the non-refoulement rule?"). Scored against the words "article", "contains" and
    the like, a passage that speaks *of* articles wins over the one that says X. Other questions are returned as
    they are, and so is one whose frame leaves fewer than two words."""
    core = _WHERE_FRAME.sub("", question, count=1)
    return core if core != question and len(core.split()) >= 2 else question


def is_unit(section: str, words: Sequence[str]) -> bool:
    """Does `section` ("Protocol, Article IX(2)", "Recitals 18–20") label a unit of one of `words`?"""
    last = section.split(", ")[-1] if ", footnote" not in section else ""
    return any(last.startswith(w) for w in words)


def provision_refs(question: str) -> list[ProvisionRef]:
    out = []
    for m in _REF.finditer(question):
        word = _SECTION_WORD[m.group(1).lower()]
        number = m.group(2)
        if number.isalpha() and not number.isupper():
            continue  # "article i" is prose, not Article I
        paragraph = re.findall(r"\((\w{1,4})\)", m.group(3) or "")
        out.append(ProvisionRef(word, number, paragraph[0] if paragraph else ""))
    return out


class ProvisionLookup:
    """The chunks of a named provision, by the catalog's section labels ("Article 21(1)–(2)" holds Article 21,
    "Protocol, Article IX" holds Article IX, "Recitals 38–40" holds Recital 39)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def find(self, ref: ProvisionRef, sources: Sequence[str] | None = None) -> list[Chunk]:
        word = "Recital%" if ref.word == "Recital" else f"%{ref.word} {ref.number}%"
        candidates = self.catalog.chunks_with_section(word, sources)
        article = f"{ref.word} {ref.number}"
        hits = [c for c in candidates if names_provision(c.section, article)]
        if ref.paragraph:
            narrowed = [c for c in hits if names_provision(c.section, article, ref.paragraph)]
            hits = narrowed or hits
        return hits
