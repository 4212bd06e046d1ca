"""The README documents every setting and every command a user can run."""

import re
from pathlib import Path

import pytest

from lexcite.settings import FIELD_NAMES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.unit
@pytest.mark.parametrize("name", FIELD_NAMES)
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`LEXCITE_{name.upper()}`" in README, f"add a row for {name} to the Settings table in README.md"


@pytest.mark.unit
def test_the_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.unit
def test_the_readme_links_the_architecture_and_the_contracts_and_every_doc_link_resolves():
    assert "(docs/ARCHITECTURE.md)" in README and "(docs/CONTRACTS.md)" in README
    broken = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "DESIGN.md" not in text, f"{doc.name} points to a DESIGN.md the repository does not have"
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            if not target.startswith(("http://", "https://")) and not (doc.parent / target).exists():
                broken.append(f"{doc.name}: {target}")
    assert not broken, broken


@pytest.mark.unit
def test_every_module_the_docs_name_exists():
    missing = []
    for doc in DOCS:
        for path in re.findall(r"`((?:lexcite|ingest|assistant|quiz|eval|ui|training|tests)/[\w/.-]+?\.(?:py|md|toml|json))`",
                               doc.read_text(encoding="utf-8")):
            if not (REPO / path).exists():
                missing.append(f"{doc.name}: {path}")
    assert not missing, missing
