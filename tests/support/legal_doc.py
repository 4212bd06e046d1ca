"""A generated legal-style document: articles with definitions, obligations, actors, numbers, penalties.

Test data only (the code under test must not know any of these words).
"""

from __future__ import annotations

from pathlib import Path

TITLE = "Regulation on the Safe Keeping of Laboratory Samples"

ARTICLES = [
    ("Article 1", "Definitions", [
        "For the purposes of this Regulation, a sample custodian means the person who keeps a laboratory sample "
        "on behalf of its owner.",
        "A storage incident means any loss, theft or unauthorised transfer of a laboratory sample.",
    ]),
    ("Article 2", "Notification of incidents", [
        "The sample custodian shall notify the National Inspection Office within 14 days of any storage incident.",
        "The National Inspection Office shall register every notified incident in the Central Sample Register.",
        "A laboratory that keeps more than 500 samples must appoint a qualified safety officer.",
    ]),
    ("Article 3", "Records", [
        "Each custodian shall keep transfer records for a period of 10 years after the transfer of a sample.",
        "The Regional Audit Authority shall inspect the transfer records of every licensed laboratory once a year.",
        "Records kept in electronic form must be stored in the Secure Records Portal.",
    ]),
    ("Article 4", "Cooperation", [
        "The Sample Safety Board shall coordinate the exchange of information between the national authorities.",
        "The Data Protection Commission shall review the processing of personal data in the Central Sample Register.",
        "Requests for assistance from a foreign authority shall be answered within 30 days.",
    ]),
    ("Article 5", "Penalties", [
        "Failure to notify a storage incident is punishable by a fine of up to 20,000 euros.",
        "A repeated failure to keep transfer records is punishable by imprisonment of up to 2 years.",
        "The Ministry of Health shall publish an annual report on the penalties imposed under this Regulation.",
    ]),
    ("Article 6", "Entry into force", [
        "This Regulation enters into force on 1 March 2021.",
        "The Sample Safety Board must review the application of this Regulation every 5 years.",
    ]),
]


def legal_text() -> str:
    lines = [f"# {TITLE}", ""]
    for number, heading, paragraphs in ARTICLES:
        lines += [f"## {number} - {heading}", ""]
        lines += [p + "\n" for p in paragraphs]
    return "\n".join(lines)


def write_legal_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sample-regulation.md"
    path.write_text(legal_text(), encoding="utf-8")
    return folder
