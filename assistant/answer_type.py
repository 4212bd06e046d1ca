"""Does the answer hold the kind of thing the question asks for? (a number, a period, a name …)

    answers(question, answer_sentences, sections=()) -> AnswerTypeVerdict(ok, wanted, found)

The question's own sentence (the last one, when the user first sets the scene) decides what is
wanted: "how many years" a number of years, "how long / by when / how soon" a period or a date,
"in euros" an amount in euros, "up to what age" an age, "who is the current <Title>" a person's
name, "which States have …" the names of States, "which article" a provision. Yes/no questions and
everything else are answered by the quote itself. Numbers that only refer to provisions
("Article 13", "paragraph 2", "(EU) No 604/2013", a footnote marker "(1)") never count as the
number asked for.

The check is conservative: a false "not answered" turns an answerable question into a refusal,
which is worse than a missed refusal, so every pattern errs towards accepting.
`wanted(question)` and `holds(want, text)` are also used by the extractive backend to prefer the
sentence that holds what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.answer_names import person, singular, states

__all__ = ["AnswerTypeVerdict", "Wanted", "answers", "asks_for_quantity", "holds", "question_sentence", "wanted"]


@dataclass(frozen=True)
class AnswerTypeVerdict:
    ok: bool
    wanted: str  # what the question asks for, in words ("a number of years"); "" when nothing particular
    found: str = ""  # the expression of the answer that holds it ("two years"), "" when none


@dataclass(frozen=True)
class Wanted:
    kind: str  # "" | yesno | number | amount | duration | soon | when | date | age | name | states | provision
    label: str  # in words, for the refusal message
    unit: str = ""  # number: the unit asked for ("year", "state"); amount: the currency ("euro")
    of: str = ""  # number: what the unit measures, when the question says ("how many years' imprisonment")


NOTHING = Wanted("", "")
QUANTITY_KINDS = frozenset("number amount duration soon when date age".split())

# ---- expressions in the answer ----------------------------------------------------------------------

_NUM_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
              "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
              "million millions billion billions dozen half").split()
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth fifteenth "
             "twentieth thirtieth fortieth fiftieth sixtieth ninetieth hundredth").split()
_NUM = r"(?:\d[\d\s.,]*\d|\d|(?:" + "|".join(_NUM_WORDS) + r")(?:[\s-](?:" + "|".join(_NUM_WORDS) + r"))*)"
_NUMBER = re.compile(r"(?<![\w/])(?:\d+(?:[.,]\d+)*|(?:" + "|".join(_NUM_WORDS + _ORDINALS) + r"))(?![\w/])"
                     r"|\b\d+(?:st|nd|rd|th)\b", re.I)
_TIME_UNIT = r"(?:hours?|days?|weeks?|months?|years?|minutes?|decades?|calendar\s+(?:days?|months?|years?)|working\s+days?)"
_DURATION = re.compile(rf"(?:\b{_NUM}|\b(?:a|an)|\b(?:{'|'.join(_ORDINALS)}))(?:[\s-]+(?:or|and|to|[\w]+)){{0,2}}?[\s-]+{_TIME_UNIT}\b"
                       r"|\b\d+\s*h\b", re.I)
_MONTH = _MONTH_RE = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{4}})?\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b"
                   rf"|\b{_MONTH}\s+\d{{4}}\b|(?<![\w/.-])(?:1[5-9]\d\d|20\d\d)(?![\w/-])"
                   r"|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b", re.I)
# time words that answer "how soon" / "by when"
_SOON = re.compile(r"\b(?:without (?:undue )?delay|immediately|forthwith|promptly|at once|"
                   r"as (?:soon|quickly|rapidly|expeditiously|promptly) as (?:possible|practicable|practically possible)|"
                   r"(?:no|not) later than|at the (?:latest|earliest)|before|prior to|in good time|in due time|"
                   r"within a reasonable (?:time|period)|upon|on receipt|at the time)\b", re.I)
# standards that answer "how long" without a figure
_HOW_LONG_WORDS = re.compile(r"\b(?:as short a (?:period|time) as possible|no longer than|for as long as|"
                             r"for the duration of|until|indefinite(?:ly)?|permanent(?:ly)?|for life)\b", re.I)
# temporal anchors that answer "when does X (take effect, apply …)"
_WHEN_WORDS = re.compile(r"\b(?:on|from|after|before|upon|following|as from|with effect from|at)\s+the\s+"
                         r"(?:date|day|time|moment|entry|receipt|deposit|publication|expiry|expiration|end|"
                         r"beginning|start|end)\b|\bonce\b|\bas soon as\b", re.I)
_AGE = re.compile(rf"\b(?:age[sd]?|years? old|year-old|years? of age|majority|minors?)\b", re.I)
_CURRENCIES = {
    "euro": r"euros?|eur|€", "dollar": r"(?:us\s*)?dollars?|usd|us\$|\$", "pound": r"pounds?(?: sterling)?|gbp|£",
    "franc": r"(?:swiss )?francs?|chf", "yen": r"yen|jpy|¥", "yuan": r"yuan|renminbi|cny|rmb",
    "rupee": r"rupees?|inr", "rouble": r"roubles?|rubles?|rub", "krona": r"kron(?:a|or|er|e)|sek|nok|dkk",
    "zloty": r"zloty|zlotys|pln", "special drawing right": r"special drawing rights?|sdrs?",
    "unit of account": r"units? of account",
}
_ANY_CURRENCY = "|".join(f"(?:{v})" for v in _CURRENCIES.values())
# references to provisions, instruments, footnotes and publications: numbers that are not quantities
_PROVISION_WORD = (r"(?:articles?|arts?\.|paragraphs?|paras?\.|subparagraphs?|points?|sections?|secs?\.|chapters?|"
                   r"annex(?:es)?|recitals?|rules?|schedules?|parts?|titles?|clauses?|items?|regulations?|"
                   r"directives?|decisions?|protocols?|nos?\.?|nr\.?|p\.|pp\.|§+)")
_REF_NUMBER = r"(?:\d+[a-z]?|[IVXLC]+|\([ivxlc]+\)|\(?[a-z]\))(?:\s*\(\s*\w{1,4}\s*\))*(?!\w)"
_REFERENCES = [
    re.compile(r"\((?:EU|EC|EEC|EURATOM|Euratom|CFSP|JHA)\)\s*(?:No\.?\s*)?\d+/\d+", re.I),
    re.compile(r"\b\d{1,4}/\d{1,4}(?:/[A-Z]{2,})?\b"),
    re.compile(r"\bOJ\s+[LC]\s*\d+(?:\s*[A-Z]\b)?(?:,\s*[\d.]+)?(?:,\s*p\.\s*\d+)?", re.I),
    re.compile(r"\b(?:CETS|ETS|UNTS|CTS)\s*(?:No\.?\s*)?\d+\b", re.I),
    re.compile(rf"\b{_PROVISION_WORD}\s*{_REF_NUMBER}(?:\s*(?:,|and|or|to|–|-|and/or)\s*{_REF_NUMBER})*", re.I),
    re.compile(r"\(\s*\d{1,3}\s*\)|\[\s*\d{1,3}\s*\]"),  # footnote markers and numbered points
    re.compile(r"(?<=[A-Za-z)])\d{1,2}\b"),  # a footnote number glued to a word ("Convention2")
    # the date in an instrument's title ("Regulation … of the Council of 26 June 2013")
    re.compile(rf"\b(?:Council|Parliament|Commission|Regulation|Directive|Decision)\s+of\s+\d{{1,2}}\s+{_MONTH_RE}\s+\d{{4}}",
               re.I),
    re.compile(r"^\s*\d{1,3}\.(?=\s)"),  # a paragraph number opening the sentence
]
# … or one glued to its end ("… to the supervisory authority 1."), unless a quantity word leads to it ("below 13.")
_TRAILING_NUMBER = re.compile(r"\b(?!(?:below|above|under|over|than|least|most|exceed|exceeding|within|of|to|by|is|be|are|"
                              r"at|for|about|some|only|total|all|and|or|from|until)\b)([a-z]+)\s+\d{1,3}\.$")
_PROVISION_REF = re.compile(rf"\b(?:article|art\.|recital|annex|part|section|chapter|schedule|paragraph|rule|"
                            rf"clause|title|appendix|preamble|protocol)\b\s*(?:[0-9IVXLC]+|[a-z]\b|$)?", re.I)


def _without_references(text: str) -> str:
    for pat in _REFERENCES:
        text = pat.sub(" ", text)
    return _TRAILING_NUMBER.sub(r"\1", text.rstrip())


def _number(text: str) -> str:
    m = _NUMBER.search(_without_references(text))
    return m.group(0) if m else ""


def _duration(text: str) -> str:
    m = _DURATION.search(_without_references(text))
    return m.group(0).strip() if m else ""


def _date(text: str) -> str:
    m = _DATE.search(_without_references(text))
    return m.group(0) if m else ""


def _search(pat: re.Pattern, text: str) -> str:
    m = pat.search(text)
    return m.group(0) if m else ""


_UNIT_FORMS = {  # the unit asked for -> the words that state it in an answer
    "hour": r"hours?|h", "day": r"days?", "week": r"weeks?", "month": r"months?", "year": r"years?",
    "minute": r"minutes?", "decade": r"decades?", "percent": r"per\s?cent|percent|%", "state":
        r"states?|countries|country|part(?:y|ies)|members?|signator(?:y|ies)|instruments?|ratifications?|accessions?",
}
_UNIT_ALIASES = {"country": "state", "countries": "state", "party": "state", "percentage": "percent", "per": "percent"}


def _number_with_unit(text: str, unit: str) -> str:
    """A number stated with `unit` ("12 months", "eighteen months", "20 000 000 EUR", "ten States")."""
    clean = _without_references(text)
    if unit in _CURRENCIES:
        forms = _CURRENCIES[unit]
        m = re.search(rf"(?:(?<![\w]){forms})\s*{_NUM}(?:\s*(?:million|billion|thousand))?\b|\b{_NUM}(?:\s*(?:million|billion|thousand))?\s*(?:{forms})(?!\w)",
                      clean, re.I)
        return m.group(0).strip() if m else ""
    forms = _UNIT_FORMS.get(unit, re.escape(unit) + "s?")
    ordinal = "|".join(_ORDINALS)
    # "a year" states a period; "a clandestine organ" does not state how many organs
    article = rf"|\b(?:a|an|{ordinal})\b|\d+(?:st|nd|rd|th)" if unit in _UNIT_FORMS else ""
    m = re.search(rf"(?:\b{_NUM}{article})(?:[\s-]+[\w]+){{0,3}}?[\s-]+(?:{forms})\b"
                  rf"|\b(?:{forms})\s+(?:of\s+)?{_NUM}\b", clean, re.I)
    return m.group(0).strip() if m else ""


def _measuring(text: str, unit: str, noun: str, reach: int = 45) -> str:
    """A number of `unit` stated of `noun`: "five years' imprisonment", "imprisonment for up to five years";
    not a period that only shares the sentence with the noun ("extended to one year ... due to imprisonment")."""
    found = _number_with_unit(text, unit)
    if not found:
        return ""
    head = re.escape(noun[: max(4, len(noun) - 3)])
    nouns = [m.span() for m in re.finditer(rf"\b{head}\w*", text, re.I)]
    forms = _UNIT_FORMS.get(unit, re.escape(unit) + "s?")
    for m in re.finditer(rf"\b(?:{forms})\b", text, re.I):
        if any(max(a - m.end(), m.start() - b) <= reach for a, b in nouns):
            return found
    return ""


# ---- what the question asks -------------------------------------------------------------------------

_AUX = r"(?:does|do|did|can|could|may|might|is|are|was|were|has|have|had|should|shall|must|will|would)"
_YES_NO = re.compile(rf"^(?:[^,?]{{0,100}},\s*)?{_AUX}\b(?![^?]*\b(?:how|what|which|who|when)\s+(?:many|much|long|soon|far|old)\b)", re.I)
_WH_ANYWHERE = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)
_CURRENCY_Q = re.compile(rf"\bin\s+(?:the\s+)?({_ANY_CURRENCY})(?![\w])|\bhow\s+many\s+({_ANY_CURRENCY})\b", re.I)
_AGE_Q = re.compile(r"\b(?:(?:up\s+)?to\s+what\s+age|(?:at|from|until|under|below|of)\s+what\s+age|what\s+(?:is\s+the\s+)?"
                    r"(?:minimum\s+|maximum\s+)?age|how\s+old)\b", re.I)
_COUNT_Q = re.compile(r"\bhow\s+(?:many|much)\b(?:\s+([\w’'-]+))?(?:\s+([\w’'-]+))?", re.I)
_DURATION_Q = re.compile(r"\b(?:(?:for|within|in)\s+)?how\s+long\b|\bhow\s+far\b[^?]{0,80}\b(?:extend|prolong)|"
                         r"\b(?:within|in)\s+(?:what|which)\s+(?:time|period|time[\s-]limit|deadline)\b|"
                         r"\bwhat\s+(?:is\s+the\s+)?(?:[a-z-]+\s+)?(?:time[\s-]limit|deadline|period|duration)\b", re.I)
# "what is the (maximum) number of days …", "what number of …"
_NUMBER_OF_Q = re.compile(r"\bwhat\s+(?:(?:is|are|was|were)\s+the\s+(?:(?:maximum|minimum|total|exact|required|"
                          r"highest|lowest|largest|smallest)\s+)?)?number\s+of\s+([\w’'-]+)", re.I)
_SOON_Q = re.compile(r"\bhow\s+soon\b|\bby\s+when\b|\buntil\s+when\b|\bhow\s+quickly\b|\bby\s+what\s+(?:date|time)\b",
                     re.I)
_DATE_Q = re.compile(r"\b(?:from|since|as\s+of|on|by|until|till)\s+(?:what|which)\s+(?:date|day|year)\b|"
                     r"\b(?:what|which)\s+(?:date|year|day)\b|\bsince\s+when\b|\bin\s+(?:what|which)\s+year\b", re.I)
_WHEN_Q = re.compile(r"\bwhen\s+(?:does|do|did|will|would|is|are|was|were|has|have|had)\b", re.I)
_NAME_Q = re.compile(r"\b(?i:who\s+(?:is|was|are|were)\s+(?:currently\s+)?(?:the\s+)?(?:(?:current|present|incumbent|"
                     r"sitting|new|former|first|last|next)\s+)?)(?:[A-Z][\w’'-]*\s*)+(?:(?:of|for|on|to|in|the)\s+"
                     r"(?:[A-Z][\w’'-]*\s*)*)*(?:\?|$|,)|(?i:\bwho\s+currently\b|\bwhat\s+is\s+the\s+name\s+of\b|"
                     r"\bwhich\s+person\b|\bname\s+of\s+the\s+(?:current|present)\b)")
_STATES_Q = re.compile(r"\b(?:which|what)\s+(?:(?:member|contracting|other|eu|non-eu)\s+)?(?:states|countries|nations|"
                       r"parties|signatories)\b(?:\s+parties)?\s+(?:have|has|had|were|did|are\s+(?:parties|signatories|members))"
                       r"|\b(?:list|name)\s+(?:the|all)\s+(?:states|countries|nations|parties|signatories)\b", re.I)
_PROVISION_Q = re.compile(r"\b(?:which|what)\s+(?:article|recital|part|paragraph|provision|annex|section|chapter|"
                          r"schedule|rule|clause|title|appendix)s?\b", re.I)
_QUANTITY_RANK_Q = re.compile(r"\b(?:what|which)\s+is\s+the\s+(?:ceiling|cap|maximum|minimum|upper\s+limit|limit|amount|"
                              r"level|rate|threshold)\b|\bup\s+to\s+what\b|\bhow\s+(?:high|large|big|often)\b|"
                              r"\bwhat\s+(?:maximum|minimum)\b", re.I)


def question_sentence(question: str) -> str:
    """The sentence that asks: the last one ending with "?" (the scene-setting before it is not asked)."""
    q = question.strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(])", q)
    asked = [p for p in parts if p.rstrip().endswith("?")]
    return (asked[-1] if asked else parts[-1]).strip()


def wanted(question: str) -> Wanted:
    """What kind of answer the question asks for (Wanted.kind "" when it asks for nothing particular)."""
    q = question_sentence(question)
    if _YES_NO.match(q) and not _WH_ANYWHERE.match(q):
        return Wanted("yesno", "a yes/no with its condition")
    found: list[tuple[int, Wanted]] = []
    if m := _CURRENCY_Q.search(q):
        cur = _currency_of(m.group(1) or m.group(2))
        found.append((m.start(), Wanted("amount", f"an amount in {cur}s" if not cur.endswith("s") else f"an amount in {cur}", cur)))
    if m := _AGE_Q.search(q):
        found.append((m.start(), Wanted("age", "an age")))
    if (m := _COUNT_Q.search(q)) and _counts(m):
        unit = _unit_of([w for w in (m.group(1), m.group(2)) if w])
        if unit in _CURRENCIES:
            found.append((m.start(), Wanted("amount", f"an amount in {unit}s", unit)))
        elif unit:
            label = "a percentage" if unit == "percent" else f"a number of {'States' if unit == 'state' else unit + 's'}"
            of = _measured(m.group(1), m.group(2), unit)
            found.append((m.start(), Wanted("number", f"{label} of {of}" if of else label, unit, of)))
        elif (m.group(1) or "").lower() in ("time", "longer"):
            found.append((m.start(), Wanted("duration", "a date or period")))
        else:
            found.append((m.start(), Wanted("number", "a number")))
    if m := _NUMBER_OF_Q.search(q):  # "what is the maximum number of days …": a number of days
        unit = _unit_of([m.group(1)])
        found.append((m.start(), Wanted("number", f"a number of {unit}s" if unit else "a number", unit)))
    if m := _DURATION_Q.search(q):
        found.append((m.start(), Wanted("duration", "a date or period")))
    if m := _SOON_Q.search(q):
        found.append((m.start(), Wanted("soon", "a date or period")))
    if m := _DATE_Q.search(q):
        found.append((m.start(), Wanted("date", "a date")))
    if m := _WHEN_Q.search(q):
        found.append((m.start(), Wanted("when", "a date or period")))
    if m := _NAME_Q.search(q):
        found.append((m.start(), Wanted("name", "a person's name")))
    if m := _STATES_Q.search(q):
        found.append((m.start(), Wanted("states", "a list of States")))
    if m := _PROVISION_Q.search(q):
        found.append((m.start(), Wanted("provision", f"the {m.group(0).split()[-1].lower()}")))
    if not found:
        return NOTHING
    return min(found, key=lambda f: f[0])[1]


def asks_for_quantity(question: str) -> Wanted:
    """`wanted(question)` when it is a number, amount, period, date or age; also "what is the ceiling …" or
    "up to what …" (a number) — broader than `wanted`, for ranking sentences, never for refusing."""
    w = wanted(question)
    if w.kind in QUANTITY_KINDS:
        return w
    if w.kind in ("", "provision") and _QUANTITY_RANK_Q.search(question_sentence(question)):
        return Wanted("number", "a number")
    return NOTHING


def _currency_of(word: str) -> str:
    low = word.lower()
    for name, forms in _CURRENCIES.items():
        if re.fullmatch(forms, low, re.I):
            return name
    return low


def _measured(first: str | None, second: str | None, unit: str) -> str:
    """The noun a possessive unit measures: "how many years' imprisonment" -> "imprisonment" ("" otherwise)."""
    if not first or not second or unit not in _UNIT_FORMS or not re.search(r"(?:s[’']|[’']s)$", first):
        return ""
    low = second.lower()
    return low if low.isalpha() and len(low) > 3 and low not in _NOT_UNITS else ""


# what "how much X" measures: money, time, a share, a weight; "how much help" asks how far, not how many
_MEASURED = frozenset("money time longer percent percentage share compensation fine fines fee fees cost costs tax "
                      "weight quantity amount damages penalty penalties".split())


def _counts(m: re.Match) -> bool:
    """"how many X" always counts; "how much X" only when X is measured in numbers (money, time, a share) or
    the question goes straight on ("how much does it cost", "how much is the fine")."""
    if m.group(0).lower().split()[1] != "much" or not m.group(1):
        return True
    word = m.group(1).lower()
    return word in _MEASURED or bool(re.fullmatch(_AUX, word)) or _currency_of(word) in _CURRENCIES \
        or singular(word) in _UNIT_FORMS


def _unit_of(words: list[str]) -> str:
    """The unit a "how many X" asks for: a time unit, a currency, a percentage, States, or the noun counted."""
    for w in words:
        low = w.lower().strip("’'")
        if low.endswith("’s") or low.endswith("'s"):
            low = low[:-2]
        sing = _UNIT_ALIASES.get(low, singular(low))
        if sing in _UNIT_FORMS or sing in _CURRENCIES:
            return sing
        cur = _currency_of(low)
        if cur in _CURRENCIES:
            return cur
        if low in ("of", "more", "additional", "extra", "working", "calendar", "full", "member", "eu", "us"):
            continue
        if low.isalpha() and len(low) > 2 and not re.fullmatch(_AUX, low) and low not in _NOT_UNITS:
            return singular(low)  # "how many organs were seized": a number of organs, not any number
        return ""
    return ""


_NOT_UNITS = frozenset("there times people persons other such the a an".split())


def holds(want: Wanted, text: str, question: str = "", sections: Sequence[str] = (), strict: bool = False) -> str:
    """The expression of `text` that holds what `want` asks for ("" when it holds none). `strict`: only a
    figure or a date counts for a period ("72 hours", "25 May 2018"), not words like "until" or "promptly"."""
    k = want.kind
    if strict and k in ("duration", "soon", "when", "date"):
        return _duration(text) or _date(text)
    if k in ("", "yesno"):
        return ""
    if k == "number":
        if want.of:
            return _measuring(text, want.unit, want.of)
        return _number_with_unit(text, want.unit) if want.unit else _number(text)
    if k == "amount":
        return _number_with_unit(text, want.unit)
    if k == "age":
        num = _number(text)
        return f"{num} ({_search(_AGE, text)})" if num and _AGE.search(text) else _search(
            re.compile(r"\b(?:age of majority|majority is attained|attains? (?:the age of )?majority)\b", re.I), text)
    if k == "duration":
        return _duration(text) or _date(text) or _search(_HOW_LONG_WORDS, text) or _search(_SOON, text)
    if k == "soon":
        return _duration(text) or _date(text) or _search(_SOON, text)
    if k == "when":
        return _date(text) or _duration(text) or _search(_SOON, text) or _search(_WHEN_WORDS, text)
    if k == "date":
        return _date(text) or _duration(text) or _search(re.compile(
            rf"\b(?:{'|'.join(_ORDINALS)}|\d+(?:st|nd|rd|th))\s+day\b|\bon\s+the\s+(?:date|day)\b", re.I), text)
    if k == "name":
        return person(text, question)
    if k == "states":
        return states(text, question)
    if k == "provision":
        for s in sections:
            if s and s.strip():
                return s.strip()
        return _search(_PROVISION_REF, text)
    return ""


def answers(question: str, answer_sentences: Sequence[str], sections: Sequence[str] = ()) -> AnswerTypeVerdict:
    """Whether `answer_sentences` hold the kind of thing `question` asks for. `sections` are the section
    labels of the cited chunks ("Article 6(3)"): for "which article …" a cited section names the provision."""
    want = wanted(question)
    if not want.kind or want.kind == "yesno":
        return AnswerTypeVerdict(True, want.label, "")
    for s in answer_sentences:
        if got := holds(want, s, question, sections):
            return AnswerTypeVerdict(True, want.label, got)
    return AnswerTypeVerdict(False, want.label, "")
