"""Every export reads back (with small parsers written here, independent of the writers) into the
same questions, options, keys and sources, including text full of GIFT's special characters."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from quiz.export import export_items
from quiz.generator import generate_quiz
from quiz.records import QuizCitation, QuizItem

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"

NASTY = "Under s. 4: fees {A} = 10 ~ 20 #2, path C:\\temp, \"quoted\", comma, and ‘curly’ quotes."


def _nasty_items() -> list[QuizItem]:
    cite = QuizCitation("c9", "dir/odd, name.md", 3, "Section 4(1)", NASTY, title="Odd: Title")
    return [
        QuizItem(id="n1", type="mcq", stem="Complete the statement: " + NASTY.replace("10 ~ 20", "_____"),
                 options=("=x~", "a{b}", "#hash:", "back\\slash"), answer="a{b}", explanation="Because: {a} = #1.",
                 citation=cite, difficulty="hard", topic="odd: topic", statement=NASTY),
        QuizItem(id="n2", type="true_false", stem="True or false: " + NASTY, answer="true",
                 explanation="~True~", citation=cite, difficulty="easy", topic="t", statement=NASTY),
        QuizItem(id="n3", type="short_answer", stem="Fill in the blank: fees _____ = 10", answer="{A}",
                 explanation="x", citation=cite, difficulty="medium", topic="t", statement=NASTY),
    ]


@pytest.fixture
def items(legal_index, verifier) -> list[QuizItem]:
    return generate_quiz(legal_index, verifier, n=9, seed=4) + _nasty_items()


# ---- independent parsers --------------------------------------------------------------------------
def parse_gift(text: str) -> list[dict]:
    """Minimal GIFT reader: ::title:: text { answers }, honouring backslash escapes."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
    out, i = [], 0

    def until(stop: str, j: int) -> tuple[str, int]:
        buf = []
        while j < len(body):
            ch = body[j]
            if ch == "\\" and j + 1 < len(body):
                buf.append("\x00" + body[j + 1])  # keep escapes visible to the answer splitter
                j += 2
                continue
            if body.startswith(stop, j):
                return "".join(buf), j + len(stop)
            buf.append(ch)
            j += 1
        raise AssertionError(f"unterminated GIFT question near {body[i:i+60]!r}")

    def unescape(s: str) -> str:
        return s.replace("\x00", "")

    while True:
        j = body.find("::", i)
        if j < 0:
            return out
        title, j = until("::", j + 2)
        stem, j = until("{", j)
        block, i = until("}", j)
        feedback = ""
        if "####" in block:
            block, feedback = block.split("####", 1)
        block = block.strip()
        q = {"title": unescape(title), "stem": unescape(stem).strip(), "feedback": unescape(feedback).strip()}
        if block in ("TRUE", "FALSE", "T", "F"):
            q.update(type="true_false", answer="true" if block.startswith("T") else "false")
        else:
            parts = re.findall(r"(?<!\x00)([=~])((?:\x00.|[^=~\x00])*)", block)
            answers = [unescape(p[1]).strip() for p in parts]
            if len(parts) == 1 and parts[0][0] == "=":
                q.update(type="short_answer", answer=answers[0])
            else:
                q.update(type="mcq", options=answers, answer=answers[[p[0] for p in parts].index("=")])
        out.append(q)


def parse_aiken(text: str) -> list[dict]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        opts = [re.match(r"^([A-Z])\. (.*)$", l) for l in lines[1:-1]]
        assert all(opts), block
        key = re.match(r"^ANSWER: ([A-Z])$", lines[-1]).group(1)
        options = [m.group(2) for m in opts]
        out.append({"stem": lines[0], "options": options, "answer": options[[m.group(1) for m in opts].index(key)]})
    return out


def parse_markdown(text: str) -> tuple[list[dict], list[str]]:
    questions_part, key_part = text.split("## Answer key", 1)
    qs = []
    for chunk in re.split(r"^## Question \d+\s*$", questions_part, flags=re.M)[1:]:
        lines = [l for l in chunk.strip().splitlines() if l.strip() and l.strip() != "---"]
        opts = [re.sub(r"^- (?:[A-Z]\. )?", "", l) for l in lines[1:] if l.startswith("- ")]
        qs.append({"stem": lines[0], "options": opts})
    keys = re.findall(r"^\d+\. \*\*(.+?)\*\* — ", key_part, flags=re.M)
    return qs, keys


# ---- round trips ----------------------------------------------------------------------------------
@pytest.mark.unit
def test_json_round_trips_the_design_contract(items):
    back = json.loads(export_items(items, "json"))
    assert [QuizItem.from_dict(d).to_dict() for d in back] == [i.to_dict() for i in items]
    for d, it in zip(back, items):
        assert d["citation"]["quote"] == it.citation.quote and d["citation"]["page"] == it.citation.page


@pytest.mark.unit
def test_gift_escapes_special_characters_and_reads_back(items):
    text = export_items(items, "gift").decode("utf-8")
    assert "\\{A\\} \\= 10 \\~ 20 \\#2" in text and "C\\:\\\\temp" in text and " ~ 20" not in text
    back = parse_gift(text)
    assert len(back) == len(items)
    for q, it in zip(back, items):
        assert q["type"] == it.type and q["stem"] == it.stem and q["answer"] == it.answer
        assert q["feedback"] == it.explanation
        assert it.id in q["title"]
        if it.type == "mcq":
            assert q["options"] == list(it.options)


@pytest.mark.unit
def test_aiken_holds_the_multiple_choice_and_true_false_items(items):
    back = parse_aiken(export_items(items, "aiken").decode("utf-8"))
    expected = [i for i in items if i.type != "short_answer"]
    assert len(back) == len(expected)
    for q, it in zip(back, expected):
        assert q["stem"] == it.stem
        if it.type == "mcq":
            assert q["options"] == list(it.options) and q["answer"] == it.answer
        else:
            assert q["options"] == ["True", "False"] and q["answer"].lower() == it.answer


@pytest.mark.unit
def test_csv_reads_back_with_every_field(items):
    rows = list(csv.DictReader(io.StringIO(export_items(items, "csv").decode("utf-8-sig"))))
    assert len(rows) == len(items)
    for r, it in zip(rows, items):
        assert (r["id"], r["type"], r["stem"], r["answer"]) == (it.id, it.type, it.stem, it.answer)
        assert [r[k] for k in ("option_a", "option_b", "option_c", "option_d")][: len(it.options)] == list(it.options)
        assert r["quote"] == it.citation.quote and r["source"] == it.citation.source
        assert r["page"] == ("" if it.citation.page is None else str(it.citation.page))


@pytest.mark.unit
def test_markdown_is_printable_with_the_answer_key_at_the_end(items):
    text = export_items(items, "md").decode("utf-8")
    qs, keys = parse_markdown(text)
    assert len(qs) == len(keys) == len(items)
    assert text.index("## Answer key") > text.rindex("## Question")
    for q, key, it in zip(qs, keys, items):
        assert q["stem"] == it.stem
        if it.type == "mcq":
            assert q["options"] == list(it.options)
            assert key == f"{'ABCD'[it.options.index(it.answer)]}. {it.answer}"
        elif it.type == "true_false":
            assert q["options"] == ["True", "False"] and key == it.answer.capitalize()
        else:
            assert key == it.answer


@pytest.mark.unit
def test_qti_package_has_a_manifest_and_one_valid_item_per_question(items):
    data = export_items(items, "qti")
    assert data == export_items(items, "qti")  # byte-identical: no timestamps
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(z.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest" and manifest.get("identifier")
    assert f"{CP}metadata" in [c.tag for c in manifest]
    assert manifest.find(f"{CP}metadata/{CP}schema").text == "QTIv2.1 Package"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert len(resources) == len(items)
    for res, it in zip(resources, items):
        assert res.get("type") == "imsqti_item_xmlv2p1"
        href = res.get("href")
        assert res.find(f"{CP}file").get("href") == href and href in z.namelist()
        root = ET.fromstring(z.read(href))
        assert root.tag == f"{QTI}assessmentItem"
        assert "imsqti_v2p1" in root.get(f"{XSI}schemaLocation")
        assert root.get("identifier") and root.get("adaptive") == "false" and root.get("timeDependent") == "false"
        decl = root.find(f"{QTI}responseDeclaration")
        assert decl.get("identifier") == "RESPONSE" and decl.get("cardinality") == "single"
        correct = decl.find(f"{QTI}correctResponse/{QTI}value").text
        assert root.find(f"{QTI}outcomeDeclaration").get("identifier") == "SCORE"
        assert root.find(f"{QTI}responseProcessing").get("template").endswith(
            "match_correct" if it.type != "short_answer" else "map_response")
        body = root.find(f"{QTI}itemBody")
        if it.type == "short_answer":
            entry = body.find(f".//{QTI}textEntryInteraction")
            assert entry.get("responseIdentifier") == "RESPONSE"
            assert correct == it.answer
            assert decl.find(f"{QTI}mapping/{QTI}mapEntry").get("mapKey") == it.answer
            para = body.find(f"{QTI}p[{QTI}textEntryInteraction]")
            assert (para.text or "") + "_____" + (entry.tail or "") == it.stem
        else:
            inter = body.find(f"{QTI}choiceInteraction")
            assert inter.get("maxChoices") == "1" and inter.find(f"{QTI}prompt").text == it.stem
            choices = {c.get("identifier"): c.text for c in inter.findall(f"{QTI}simpleChoice")}
            labels = list(it.options) if it.type == "mcq" else ["True", "False"]
            assert list(choices.values()) == labels
            assert choices[correct].lower() == it.answer.lower()
