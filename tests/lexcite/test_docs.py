"""The README documents every setting and every command a user can run."""

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
