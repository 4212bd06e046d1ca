"""Names in an answer: a person's name ("who is the current President …"), the names of States ("which States
have …"), told from the institutional words and document titles that are also written with capitals.
Used by assistant/answer_type.py."""

from __future__ import annotations

import re


def singular(word: str) -> str:
    w = word.lower().strip("'’")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


# capitalised words of legal drafting that name institutions, roles or provisions, not persons or States
_INSTITUTIONAL = frozenset("""state states member members party parties contracting signatory signatories high
    commissioner commissioners secretary secretary-general general office offices union community communities
    council commission committee court courts tribunal nations united organisation organization agency board
    authority authorities government governments conference assembly parliament convention conventions protocol
    protocols treaty treaties regulation regulations directive directives decision article articles annex annexes
    chapter section part recital recitals schedule paragraph title preamble act code law laws republic kingdom
    federal federation national international european world global official journal office department ministry
    minister president vice chair chairman chairperson director executive supervisor supervisory controller
    processor data protection human rights fundamental charter declaration resolution optional additional final
    general assembly security special rapporteur representative delegate ambassador head chief deputy rules
    procedure system network centre center institute institution programme program fund bank service services
    mr mrs ms dr prof sir judge justice his her excellency the a an this that these those such any each every
    all no none in on at of for and or to by with from under when where if which who whom whose what how why
    there it its they we you i he she one both either neither other another whereas having recognising recognizing
    noting considering desiring convinced concerned bearing affirming reaffirming acknowledging""".split())
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Judge|Justice|H\.E\.|Ambassador)\.?"
_CAP_RUN = re.compile(r"(?<![\w’'-])(?:[A-Z][a-zà-ÿ’'-]+|[A-Z]\.)(?:\s+(?:(?:de|da|di|del|van|von|der|le|la|bin|al|el|ibn)\s+)?"
                      r"(?:[A-Z][a-zà-ÿ’'-]+|[A-Z]\.))*")


_CAP = r"(?:[A-Z][a-zà-ÿ’'-]+)"
# "the Protection of the Dignity of the Human Being with regard to the Application of …": a title, not names
_TITLE_CHAIN = re.compile(rf"{_CAP}(?:\s+{_CAP})*(?:(?:\s+(?:of|the|for|on|in|with|regard|to|against|relating|"
                          rf"concerning|and|between))+\s+{_CAP}(?:\s+{_CAP})*)+")


def _in_title(m: re.Match) -> bool:
    words = m.group(0).split()
    caps = sum(w[:1].isupper() for w in words)
    joiners = [w for w in words if not w[:1].isupper()]
    return caps >= 3 and (joiners.count("of") >= 2 or bool(set(joiners) - {"and", "the", "of"}))


def entities(text: str, question: str) -> list[str]:
    """Capitalised names in `text` that are not the question's own words, institutional vocabulary,
    words of a title or a sentence's opening participle ("Recalling …")."""
    own = {w.lower().strip("’'") for w in re.findall(r"[\w’'-]+", question)}
    own |= {singular(w) for w in own}
    titles = [(m.start(), m.end()) for m in _TITLE_CHAIN.finditer(text) if _in_title(m)]
    out = []
    for m in _CAP_RUN.finditer(text):
        if any(a <= m.start() < b for a, b in titles):
            continue
        opening = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1:] in ".;:!?"
        if opening and " " not in m.group(0):
            continue  # a capital that only opens the sentence ("Instruments of ratification …") is no name
        parts = [p for p in re.split(r"\s+", m.group(0)) if p[:1].isupper()]
        fresh = [p for p in parts if p.lower().strip("’'.") not in own and singular(p) not in own]
        if not fresh:
            continue
        if any(p.lower().strip("’'") in _INSTITUTIONAL or singular(p) in _INSTITUTIONAL for p in parts):
            continue
        out.append(m.group(0))
    return out


def person(text: str, question: str) -> str:
    m = re.search(rf"\b{_TITLES}\s+[A-Z][\w’'-]+", text)
    if m and entities(m.group(0).split(None, 1)[1], question):
        return m.group(0)
    for name in entities(text, question):
        if len(name.split()) >= 2:
            return name
    return ""


def states(text: str, question: str) -> str:
    names = entities(text, question)
    return ", ".join(names[:3]) if names else ""
