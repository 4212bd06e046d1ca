"""Stems that stand alone: a corpus sentence rewritten so it reads without the text around it.

`standalone(statement, title)` returns a `Standalone` (the rewritten claim and the verbatim quote span that
proves it) or None with the reason in `dropped`:

- a leading discourse marker ("Moreover, …", "In another case, …", "Additionally, …") is removed;
- a leading pronoun ("They shall …", "Its network …") or demonstrative ("This system …", "Such data …")
  is replaced by its antecedent from the preceding sentence of the same passage, and the quote then
  spans both sentences; when no antecedent is found the sentence is dropped;
- "these/those/such/this + noun" elsewhere must be resolved inside the sentence itself (the noun was
  named before it) or name the document itself ("this Protocol" in a protocol); otherwise dropped.

English drafting and discourse conventions only: nothing here knows a topic.
`stem_problem(text, title)` is the same check as a gate on a finished stem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from quiz.facts import Statement, sentences_of

_MARKERS = ("additionally|moreover|furthermore|further|however|also|ultimately|consequently|therefore|thus|hence|"
            "similarly|likewise|meanwhile|notably|importantly|indeed|in particular|for example|for instance|"
            "in addition|as a result|overall|in conclusion|in summary|in short|finally|lastly|first|firstly|"
            "second|secondly|third|thirdly|nevertheless|nonetheless|conversely|accordingly|subsequently|"
            "specifically|in practice|to this end|in turn|besides|instead|otherwise|still|yet|then|next|"
            "looking ahead|in recent years|recently|today|currently|at the same time|on the other hand|"
            "in this regard|in this context|in this way|by contrast|in contrast|as such|in fact|of course|"
            "above all|in essence|essentially|generally|typically|in general")
_CASES = r"(?: \w+)? (?:case|cases|instance|instances|example|examples|operation|operations|situation|situations)"
_OPENER = re.compile(
    rf"^(?:(?:and|but|so)\s+)?(?:{_MARKERS}|in (?:another|one|a|some|several|many|other|each|recent|notable|"
    rf"similar){_CASES})\s*,\s*", re.I)
# "In these instances, …" restricts the claim to cases it does not name: dropping it would change the claim
_REFERRING_OPENER = re.compile(rf"^(?:in|for|under|with|through|by|from|during|despite) (?:this|that|these|those|such)"
                               rf"\b[^,]{{0,60}},", re.I)
_LEADING_AND = re.compile(r"^(?:And|But|So|Or)\s+", re.I)
_PRONOUN = re.compile(r"^(?P<p>it|they|he|she)\s+(?=\w)", re.I)
_POSSESSIVE = re.compile(r"^(?P<p>its|their|his|her)\s+(?=\w)", re.I)
_DEMONSTRATIVE = re.compile(r"\b(?P<d>this|these|those|that|such)\s+(?P<n>(?:[a-z][\w\-]*\s+){0,2}?[a-z][\w\-]*)\b",
                            re.I)
_ANAPHORIC = re.compile(r"\b(?:aforementioned|above-mentioned|abovementioned|aforesaid|the former|the latter|"
                        r"the same|said provision|said article)\b", re.I)
_BARE_THIS = re.compile(r"^(?:this|these|that|those|such|it|they|both|either|neither|here|there|another|"
                        r"the other|the latter|the former)\b[\s,.]", re.I)
_VERB = re.compile(r"\s(?:shall|must|may|can|cannot|will|would|should|could|is|are|was|were|has|have|had|does|do|"
                   r"(?!(?:always|also|thus|this|its|has|was|is|as|us|ss|plus)\b)[a-z]+(?<!ss)(?<!us)(?<!is)s|"
                   r"[a-z]+ed)\b")
_NOT_NOUN = frozenset("""of to in on for and or by with as at from into than a an the is are was were be been
    not no also which who that this these those such its their shall must may can will would should could
    has have had do does did""".split())
_DETERMINERS = ("all ", "any ", "each ", "every ", "a ", "an ", "some ")
MAX_SUBJECT_WORDS = 10


@dataclass(frozen=True)
class Standalone:
    """`claim` reads on its own; `start`/`end` span the verbatim quote in the chunk text that proves it."""

    claim: str
    start: int
    end: int
    sentences: int = 1  # 2 when an antecedent came from the preceding sentence
    changed: bool = False


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(sentences_of(text))


def strip_opener(text: str) -> str:
    """'Moreover, the agency provides …' -> 'The agency provides …' (repeatedly: 'In addition, however, …')."""
    out = text
    for _ in range(3):
        new = _LEADING_AND.sub("", _OPENER.sub("", out))
        if new == out:
            break
        out = new
    return _capitalise(out) if out != text else text


def standalone(st: Statement, title: str = "") -> Standalone | None:
    """The statement as a claim that reads on its own, or None when a reference cannot be resolved."""
    text = strip_opener(st.text)
    start, end, sentences = st.start, st.end, 1
    prev = _previous(st)
    m = _PRONOUN.match(text) or _POSSESSIVE.match(text)
    if m:
        subject = subject_of(prev[2]) if prev else None
        if subject is None:
            return None
        repl = subject if m.re is _PRONOUN else _possessive(subject)
        text = repl + " " + text[m.end():]
        start, sentences = prev[0], 2
    else:
        d = _DEMONSTRATIVE.match(text)
        if d and d.group("d").lower() in ("this", "these", "those", "that", "such") and not _self_reference(
                d.group("n"), title):
            np = _antecedent(d.group("n"), prev[2]) if prev else None
            if np is None:
                return None
            text = _capitalise(np) + text[d.end():]
            start, sentences = prev[0], 2
    if stem_problem(text, title):
        return None
    return Standalone(text, start, end, sentences, changed=text != st.text)


def stem_problem(text: str, title: str = "") -> str | None:
    """Why a stem (or the claim inside it) does not stand alone, or None."""
    body = re.sub(r"^(?:True or false|Fill in the blank|Complete the statement)\s*:\s*", "", text.strip(), flags=re.I)
    body = re.sub(r"^Under [^,]{1,160}?, ", "", body)
    if _OPENER.match(body) or _LEADING_AND.match(body):
        return f"opens with a discourse marker ({body.split(',')[0]!r})"
    if _REFERRING_OPENER.match(body):
        return f"opens with an unresolved reference ({body.split(',')[0]!r})"
    if _BARE_THIS.match(body) and not _self_reference(body.split()[1] if len(body.split()) > 1 else "", title):
        return f"opens with an unresolved reference ({body.split()[0]!r})"
    if _ANAPHORIC.search(body):
        return f"refers back to text it does not show ({_ANAPHORIC.search(body).group()!r})"
    for m in _DEMONSTRATIVE.finditer(body):
        d, noun = m.group("d").lower(), m.group("n")
        if d == "that" or (d == "such" and re.match(r"such\s+as\b", m.group(), re.I)):
            continue  # "that" is mostly a conjunction; "such as" introduces examples
        head = noun.split()[-1]
        if _self_reference(noun, title) or _named_before(head, body[: m.start()]):
            continue
        if any(w in _NOT_NOUN for w in noun.lower().split()):
            continue
        return f"unresolved reference ({m.group()!r})"
    return None


# ---- helpers ----------------------------------------------------------------------------------------
def _previous(st: Statement) -> tuple[int, int, str] | None:
    prev = None
    for s, e, t in _sentences(st.chunk.text):
        if s >= st.start:
            break
        prev = (s, e, t)
    if prev is None or "\n\n" in st.chunk.text[prev[1]:st.start]:
        return None  # only a sentence of the same paragraph is a safe antecedent
    return prev


def subject_of(sentence: str) -> str | None:
    """The grammatical subject of a simple sentence: the words before its first finite verb."""
    text = strip_opener(sentence.strip())
    m = _VERB.search(text)
    if not m:
        return None
    subject = text[: m.start()].strip(" ,")
    subject = re.sub(r"\s+(?:also|thus|therefore|often|now|further|increasingly|actively)$", "", subject)
    words = subject.split()
    if not words or len(words) > MAX_SUBJECT_WORDS or _BARE_THIS.match(subject + " ") or \
            _PRONOUN.match(subject + " ") or _POSSESSIVE.match(subject + " ") or "," in subject:
        return None
    return subject


def _possessive(subject: str) -> str:
    return subject + ("’" if subject.endswith("s") and not subject.isupper() else "’s")


def _antecedent(noun: str, prev: str) -> str | None:
    """'tools' + 'The agency employs a range of specialized tools to …' -> 'specialized tools'."""
    head = noun.split()[-1].lower()
    forms = {head, head.rstrip("s"), head + "s"}
    tokens = list(re.finditer(r"[\w\-/’'.]+", prev))
    for i in range(len(tokens) - 1, -1, -1):
        w = tokens[i].group().lower().strip(".")
        if w not in forms:
            continue
        j = i
        while j > 0 and tokens[j - 1].group().lower() not in _NOT_NOUN and i - j < 6:
            j -= 1
        if j > 0 and tokens[j - 1].group().lower() == "the":
            j -= 1
        np = prev[tokens[j].start(): tokens[i].end()].rstrip(".")
        for det in _DETERMINERS:
            if np.lower().startswith(det):
                np = np[len(det):]
        return np
    return None


def _self_reference(noun: str, title: str) -> bool:
    """'this Protocol' in a document whose title holds 'Protocol' names the document itself."""
    words = noun.split()
    if not words or not title:
        return False
    head = words[-1].lower().strip(".,;:")
    return bool(head) and head[0].isalpha() and words[-1][:1].isupper() and \
        head in {w.lower().strip(",.;:()") for w in title.split()}


def _named_before(head: str, before: str) -> bool:
    h = head.lower()
    stems = {h, h.rstrip("s"), h + "s", h[:-3] + "y" if h.endswith("ies") else h}
    return any(w in stems for w in re.findall(r"[a-z][\w\-]*", before.lower()))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def lower_first(text: str, context: str = "") -> str:
    """Lower-case the first letter unless the first word is a name or an acronym, or `context` (the passage)
    writes it capitalised mid-sentence ('Parties' in a treaty stays)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    if first and context and re.search(rf"[a-z,;] {re.escape(first)}\b", context):
        return text
    return text[:1].lower() + text[1:]
