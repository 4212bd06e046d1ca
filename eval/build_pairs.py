"""Build labelled (passage, sentence) pairs from a corpus for calibrating and testing the verifier.

    python -m eval.build_pairs [--corpus corpus] [--output eval/data/grounding_pairs.jsonl] [--seed 13]

Passages are the corpus paragraphs (lines of 25+ words). For each passage:
- supported: a sentence of the passage verbatim (`verbatim`) or lightly compressed (`trim`: leading
  connective, parenthesis or trailing clause dropped);
- unsupported: perturbations of a passage sentence — `number_swap` (a number changed),
  `number_added` (a figure the passage never gives), `entity_swap` (a name replaced by another
  organisation), `actor_swap` (two names or the subject and object swapped), `place_swap` (a place
  replaced or added), `negation_added`, `negation_removed`, `antonym` (a word replaced by its
  opposite), `other_part` (a sentence from a distant part of the corpus that shares little with the
  passage), `added_clause` (a true sentence + an unsupported clause).
The perturbation word lists below are independent of the verifier's own lists
(assistant/verify/lexical.py), so the figures are not circular. Deterministic for a given seed.
Output lines follow the `lexcite eval grounding` input: {"id","context","answer","label","kind"}.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from assistant.sentences import split_sentences

ORGANISATIONS = ["Europol", "the World Bank", "UNICEF", "the European Commission", "Frontex",
                 "the FBI", "the Red Cross", "the OECD", "the African Union", "Amnesty International"]
PLACES = ["Latin America", "Eastern Europe", "West Africa", "Central Asia", "North America",
          "the Middle East", "Scandinavia", "the Balkans", "South America", "Oceania"]
PLACE_WORDS = ["Asia", "Europe", "Africa", "America", "Pacific", "Balkans", "Caribbean"]
ANTONYMS = {
    "enhances": "undermines", "enhance": "undermine", "strengthens": "weakens", "strengthen": "weaken",
    "improve": "worsen", "improves": "worsens", "facilitates": "obstructs", "facilitate": "obstruct",
    "effective": "ineffective", "effectively": "ineffectively", "efficient": "inefficient",
    "efficiently": "inefficiently", "international": "domestic", "global": "local",
    "globally": "locally", "vital": "marginal", "essential": "unnecessary", "significant": "negligible",
    "significantly": "barely", "rapid": "slow", "increase": "decrease", "increases": "decreases",
    "increased": "decreased", "legal": "illegal", "illegal": "legal", "illicit": "licit",
    "prohibiting": "permitting", "prohibitions": "permissions", "secure": "insecure",
    "successful": "unsuccessful", "complex": "simple", "timely": "delayed", "often": "rarely",
    "multiple": "single", "central": "peripheral", "major": "minor", "helps": "hinders",
    "help": "hinder", "enables": "prevents", "enabling": "preventing", "supports": "opposes",
    "support": "oppose", "transparency": "secrecy", "ethical": "unethical", "criminal": "lawful",
    "strong": "weak", "crucial": "irrelevant", "allows": "forbids", "promote": "discourage",
    "promotes": "discourages", "cooperation": "rivalry", "accurately": "inaccurately",
    "discreetly": "openly", "clandestine": "public", "more": "less", "greater": "smaller",
}
AUX_NEGATE = [(r"\b(is|are|was|were|has|have|can|will|should|must|may)\b(?! not)", r"\1 not")]
CONNECTIVES = re.compile(r"^(Moreover|Additionally|Furthermore|However|Overall|Ultimately|Consequently|"
                         r"Therefore|Thus|Similarly|In addition|In practice|Nevertheless|Notably|Also),\s+")
ADDED_FIGURES = [" in over 40 countries", " since 2015", " in 12 cases", " at a cost of $3 million",
                 " within 48 hours", " in 2019", " with a 60% success rate", " involving 250 officers"]


def passages(corpus: Path, min_words: int = 25) -> list[tuple[str, str]]:
    out = []
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line.split()) >= min_words:
                out.append((path.name, line))
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())}


def _capitalise(s: str) -> str:
    return s[:1].upper() + s[1:]


def _sub_once(pattern: str, repl, text: str) -> str | None:
    new, n = re.subn(pattern, repl, text, count=1)
    return new if n and new != text else None


def trim(sentence: str, rng: random.Random) -> str | None:
    options = []
    if CONNECTIVES.match(sentence):
        options.append(_capitalise(CONNECTIVES.sub("", sentence)))
    if re.search(r"\s\([^)]*\)", sentence):
        options.append(re.sub(r"\s\([^)]*\)", "", sentence))
    m = re.match(r"^(.{40,}?),\s+(which|including|while|where|often|fostering|enabling|leading)\b.*$", sentence)
    if m:
        options.append(m.group(1) + ".")
    return rng.choice(options) if options else None


def number_swap(sentence: str, rng: random.Random) -> str | None:
    nums = list(re.finditer(r"\d+", sentence))
    if not nums:
        return None
    m = rng.choice(nums)
    v = int(m.group())
    new = str(v + rng.choice([1, 2, 3, 5, 10]) if v < 1000 else v - rng.choice([1, 2, 5]))
    return sentence[:m.start()] + new + sentence[m.end():]


def number_added(sentence: str, rng: random.Random) -> str | None:
    if not sentence.endswith("."):
        return None
    return sentence[:-1] + rng.choice(ADDED_FIGURES) + "."


def entity_swap(sentence: str, rng: random.Random, passage: str) -> str | None:
    names = [m for m in re.finditer(r"\b[A-Z]{3,}\b|\bInterpol\b", sentence)]
    if not names:
        return None
    m = rng.choice(names)
    choices = [o for o in ORGANISATIONS if o.lower() not in passage.lower()]
    return sentence[:m.start()] + rng.choice(choices) + sentence[m.end():]


def actor_swap(sentence: str, rng: random.Random) -> str | None:
    # "A <verb> ... with B" -> swap the two noun phrases around "and"/"with"/"between … and"
    m = re.search(r"\b(INTERPOL|Interpol)\b(.*?)\b(national authorities|national agencies|law enforcement "
                  r"agencies|member countries|investigators|authorities|traffickers|victims)\b", sentence)
    if m and not re.match(r"(’s|'s| [A-Z])", sentence[m.end(1):]) and not re.match(r"(’s|'s| [A-Z])", sentence[m.end(3):]):
        a, mid, b = m.group(1), m.group(2), m.group(3)
        if re.fullmatch(r"\s*(and|or|,)\s*", mid) or sentence[:m.start()].rstrip().endswith("between"):
            return None  # "A and B" is symmetric: swapping them changes nothing
        swapped = b + mid + a
        out = sentence[:m.start()] + swapped + sentence[m.end():]
        return _capitalise(out) if m.start() == 0 else out
    m = re.search(r"\b(traffickers|victims|donors|recipients|officers|suspects)\b(.*?)"
                  r"\b(traffickers|victims|donors|recipients|officers|suspects)\b", sentence)
    if m and m.group(1) != m.group(3):
        return sentence[:m.start()] + m.group(3) + m.group(2) + m.group(1) + sentence[m.end():]
    return None


def place_swap(sentence: str, rng: random.Random) -> str | None:
    pat = r"\b(Southeast |Eastern |Western |South |North |Central )?(" + "|".join(PLACE_WORDS) + r")\b"
    m = re.search(pat, sentence)
    if m:
        choices = [p for p in PLACES if p.lower() not in sentence.lower()]
        return sentence[:m.start()] + rng.choice(choices) + sentence[m.end():]
    if sentence.endswith("."):
        return sentence[:-1] + " in " + rng.choice(PLACES) + "."
    return None


def negation_added(sentence: str, rng: random.Random) -> str | None:
    out = _sub_once(AUX_NEGATE[0][0], AUX_NEGATE[0][1], sentence)
    if out:
        return out
    # "INTERPOL facilitates Y" -> "INTERPOL does not facilitate Y" (singular subject + present verb)
    m = re.search(r"\b(INTERPOL|Interpol|It|This \w+|The \w+)\s+(?:also\s+)?([a-z]{3,}?)(ies|es|s)\b", sentence)
    if m and not m.group(2).endswith("s"):
        stem_ = m.group(2) + {"ies": "y", "es": "e" if not m.group(2).endswith(("sh", "ch", "x", "ss")) else "",
                               "s": ""}[m.group(3)]
        return sentence[:m.start(2)] + "does not " + stem_ + sentence[m.end():]
    return None


def negation_removed(sentence: str, rng: random.Random) -> str | None:
    for pat, repl in [(r"\bnot only\b", None), (r"\s+not\b", ""), (r"\bcannot\b", "can"), (r"\bnever\b", "always"),
                      (r"\bwithout\b", "with"), (r"\bno\b", "some")]:
        if repl is None:
            if re.search(pat, sentence):
                return None  # "not only … but also" is no negation
            continue
        out = _sub_once(pat, repl, sentence)
        if out:
            return out
    return None


def antonym(sentence: str, rng: random.Random) -> str | None:
    hits = [m for m in re.finditer(r"\b[a-z]+\b", sentence) if m.group() in ANTONYMS]
    if not hits:
        return None
    m = rng.choice(hits)
    return sentence[:m.start()] + ANTONYMS[m.group()] + sentence[m.end():]


def added_clause(sentence: str, rng: random.Random, far: list[str], passage: str) -> str | None:
    if not sentence.endswith("."):
        return None
    pw = _words(passage)
    for cand in rng.sample(far, min(len(far), 20)):
        tail = cand.rstrip(".")
        if len(tail.split()) < 6 or len(_words(tail) - pw) < 3:
            continue
        return sentence[:-1] + ", and " + tail[0].lower() + tail[1:] + "."
    return None


def build(corpus: Path, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    paras = passages(corpus)
    all_sents = [(i, s.text) for i, (_, p) in enumerate(paras) for s in split_sentences(p)]
    rows: list[dict] = []

    def add(pi: int, kind: str, answer: str | None, label: str) -> None:
        if answer and answer.strip():
            rows.append({"id": f"p{pi:03d}-{kind}-{len(rows):04d}", "context": paras[pi][1],
                         "answer": answer.strip(), "label": label, "kind": kind})

    for pi, (_, passage) in enumerate(paras):
        sents = [s.text for s in split_sentences(passage) if len(s.text.split()) >= 6]
        if not sents:
            continue
        far = [s for j, s in all_sents if abs(j - pi) >= 3]
        for s in sents:
            add(pi, "verbatim", s, "supported")
            add(pi, "trim", trim(s, rng), "supported")
        for kind, fn in [("number_swap", number_swap), ("number_added", number_added),
                         ("actor_swap", actor_swap), ("place_swap", place_swap),
                         ("negation_added", negation_added), ("negation_removed", negation_removed),
                         ("antonym", antonym)]:
            for s in rng.sample(sents, len(sents)):
                out = fn(s, rng)
                if out and out != s:
                    add(pi, kind, out, "unsupported")
                    break
        for s in rng.sample(sents, len(sents)):
            out = entity_swap(s, rng, passage)
            if out:
                add(pi, "entity_swap", out, "unsupported")
                break
        pw = _words(passage)
        for s in rng.sample(far, min(len(far), 40)):
            w = _words(s)
            if len(s.split()) >= 8 and w and len(w & pw) / len(w) < 0.35:
                add(pi, "other_part", s, "unsupported")
                break
        add(pi, "added_clause", added_clause(rng.choice(sents), rng, far, passage), "unsupported")
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--output", type=Path, default=Path("eval/data/grounding_pairs.jsonl"))
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    rows = build(args.corpus, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    kinds = Counter(r["kind"] for r in rows)
    print(f"wrote {len(rows)} pairs to {args.output}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
