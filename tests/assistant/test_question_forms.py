"""Ways officers phrase questions that the gates must read right: a generic noun after "which", "how much" of
something that is not counted, a number of days the passages do not state, a treaty series number."""

from __future__ import annotations

import pytest

from assistant.instruments import InstrumentNames
from tests.support.answering import assistant_over

pytestmark = pytest.mark.unit

STATUTE = """Sample Procedures Act 2031

Section 1
Interview
1. The authority shall hold a personal interview with the applicant.
2. The personal interview may be omitted if:
(a) the applicant has absconded; or
(b) the applicant has already given the information by other means.

Section 2
Assistance
The authorities shall afford one another the widest measure of assistance in investigations under this Act.

Section 3
Holding
A person may be held for the purpose of a transfer for not less than three months.
"""

REGULATION = """Council Regulation establishing the Technical Standards for sample registers

Article 1
Every register shall be kept in writing.
"""


@pytest.fixture
def officer(settings, hash_embedder):
    return assistant_over(settings, hash_embedder, {"act.txt": STATUTE, "regulation.txt": REGULATION})


def test_a_generic_noun_after_which_is_not_a_word_the_passages_must_hold(officer):
    ans = officer.ask("Under the Sample Procedures Act, in which situations may the personal interview be omitted?")
    assert ans.status == "answered" and "may be omitted if" in ans.answer


def test_how_much_of_something_not_counted_asks_how_far_not_for_a_number(officer):
    ans = officer.ask("How much assistance must the authorities afford one another in investigations?")
    assert ans.status == "answered" and "widest measure of assistance" in ans.answer


def test_a_number_of_days_the_passages_do_not_state_is_refused(officer):
    ans = officer.ask("What is the maximum number of days a person may be held for a transfer?")
    assert ans.status != "answered"  # three months is no number of days, and no maximum


def test_a_series_number_no_document_goes_by_is_not_matched_by_initials_of_a_long_title(officer):
    # "Council … establishing … Technical Standards" spells C-E-T-S, but the question names CETS 186
    r = InstrumentNames(officer.index.catalog).resolve("What does CETS 186 require of registers?")
    assert r.sources == () and r.unresolved == ("CETS 186",)
