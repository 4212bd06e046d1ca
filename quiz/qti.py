"""IMS QTI 2.1 content package: a zip with imsmanifest.xml and one assessmentItem file per item.

Multiple choice and true/false are `choiceInteraction`s scored by the match_correct template;
short answer is a `textEntryInteraction` in the cloze sentence, scored case-insensitively by
map_response. The explanation and the citation ride along in a scorer-only `rubricBlock`.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Sequence

from quiz.records import BLANK, QuizItem

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
MAP_RESPONSE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"
ITEM_TYPE = "imsqti_item_xmlv2p1"
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entries carry no wall-clock time: same items, same bytes


def item_identifier(item: QuizItem) -> str:
    return f"ITEM-{item.id}"


def item_href(item: QuizItem) -> str:
    return f"items/{item_identifier(item)}.xml"


def _q(tag: str) -> str:
    return tag  # elements are written in the root's default namespace (xmlns on the root)


def assessment_item(item: QuizItem) -> ET.Element:
    root = ET.Element(_q("assessmentItem"), {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}",
        "identifier": item_identifier(item), "title": f"{item.type} {item.id}",
        "adaptive": "false", "timeDependent": "false",
    })
    choice = item.type in ("mcq", "true_false")
    resp = ET.SubElement(root, _q("responseDeclaration"), {
        "identifier": "RESPONSE", "cardinality": "single", "baseType": "identifier" if choice else "string"})
    correct = ET.SubElement(resp, _q("correctResponse"))
    labels = list(item.options) if item.type == "mcq" else ["true", "false"]
    if choice:
        ET.SubElement(correct, _q("value")).text = f"C{labels.index(item.answer) + 1}"
    else:
        ET.SubElement(correct, _q("value")).text = item.answer
        mapping = ET.SubElement(resp, _q("mapping"), {"defaultValue": "0"})
        ET.SubElement(mapping, _q("mapEntry"), {"mapKey": item.answer, "mappedValue": "1", "caseSensitive": "false"})
    outcome = ET.SubElement(root, _q("outcomeDeclaration"), {
        "identifier": "SCORE", "cardinality": "single", "baseType": "float"})
    ET.SubElement(ET.SubElement(outcome, _q("defaultValue")), _q("value")).text = "0"
    body = ET.SubElement(root, _q("itemBody"))
    rubric = ET.SubElement(body, _q("rubricBlock"), {"view": "scorer"})
    ET.SubElement(rubric, _q("p")).text = item.explanation
    c = item.citation
    ET.SubElement(rubric, _q("p")).text = (
        f"Source: {c.title or c.source}" + (f", {c.section}" if c.section else "") + (f", p. {c.page}" if c.page else "")
        + f" (chunk {c.chunk_id}): \u201c{c.quote}\u201d")
    if choice:
        inter = ET.SubElement(body, _q("choiceInteraction"), {
            "responseIdentifier": "RESPONSE", "shuffle": "false", "maxChoices": "1"})
        ET.SubElement(inter, _q("prompt")).text = item.stem
        for k, label in enumerate(labels, 1):
            text = label if item.type == "mcq" else label.capitalize()
            ET.SubElement(inter, _q("simpleChoice"), {"identifier": f"C{k}"}).text = text
        template = MATCH_CORRECT
    else:
        p = ET.SubElement(body, _q("p"))
        before, _, after = item.stem.partition(BLANK)
        p.text = before
        entry = ET.SubElement(p, _q("textEntryInteraction"), {
            "responseIdentifier": "RESPONSE", "expectedLength": str(max(10, len(item.answer) + 5))})
        entry.tail = after
        template = MAP_RESPONSE
    ET.SubElement(root, _q("responseProcessing"), {"template": template})
    return root


def manifest(items: Sequence[QuizItem]) -> ET.Element:
    ident = "MANIFEST-" + hashlib.sha256("".join(i.id for i in items).encode()).hexdigest()[:16]
    root = ET.Element("manifest", {
        "xmlns": CP_NS, "xmlns:xsi": XSI_NS, "identifier": ident, "xsi:schemaLocation": f"{CP_NS} {CP_XSD}"})
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = "QTIv2.1 Package"
    ET.SubElement(meta, "schemaversion").text = "1.0.0"
    ET.SubElement(root, "organizations")
    res = ET.SubElement(root, "resources")
    for it in items:
        r = ET.SubElement(res, "resource", {
            "identifier": f"RES-{it.id}", "type": ITEM_TYPE, "href": item_href(it)})
        ET.SubElement(r, "file", {"href": item_href(it)})
    return root


def _xml(el: ET.Element) -> bytes:
    return ET.tostring(el, encoding="utf-8", xml_declaration=True)


def to_qti_package(items: Sequence[QuizItem]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

        put("imsmanifest.xml", _xml(manifest(items)))
        for it in items:
            put(item_href(it), _xml(assessment_item(it)))
    return buf.getvalue()
