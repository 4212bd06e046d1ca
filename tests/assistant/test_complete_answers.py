"""Complete extractive answers: a list comes with its items, an announcing sentence never stands alone,
the sentence holding the period asked for is preferred, a back-reference brings what it refers to —
and every answer sentence is still a verbatim, separately cited quote."""

from __future__ import annotations

import pytest

from assistant.answer_units import asks_for_a_list
from assistant.extractive import ExtractiveBackend, SentenceScorer
from assistant.records import Passage
from ingest.records import Chunk

pytestmark = pytest.mark.unit

REFUSAL = """Section 7. Refusal of assistance
Assistance may be refused on the following grounds:
(a) the request concerns an offence of a political character;
(b) the person sought would face a penalty contrary to the constitution;
(c) the request was made to punish a person on account of belief.
The requested authority shall give reasons for any refusal."""

OBSTACLES = """Obstacles to the registry
The national registry of charities faces several significant obstacles. Its funding depends on yearly grants. \
Volunteers leave after short periods.
Key obstacles include:
- Unstable funding of the registry
- High turnover of volunteer staff
- Outdated filing software"""

OFFENCES = """1. Each Party shall establish as criminal offences, when committed for gain:
(a) producing a false permit;
(b) when committed to enable unlawful fishing:
(i) procuring a false permit;
(ii) possessing a false permit;
(c) enabling a vessel to stay in port without a licence.
2. Each Party shall also establish attempts as offences."""

DECISION = """Article 9. Decisions on applications
The board shall examine every application on a licence with care and shall decide on the licence application \
in a reasoned decision. The board shall decide on the licence application within three months of receipt."""

TRANSFER = """Article 12. Transfers
The transfer shall be carried out within six months of the acceptance of the request. \
This period may be extended up to a maximum of twelve months where the person absconds."""


def passage(text: str, n: int = 0, section: str = "") -> Passage:
    chunk = Chunk(id=f"chunk-{n}", text=text, source="act.txt", title="The Act", page=None, section=section,
                  start=0, end=len(text), source_type="primary", doc_hash="doc")
    return Passage(chunk, score=1.0)


@pytest.fixture
def backend(hash_embedder):
    return ExtractiveBackend(SentenceScorer(hash_embedder))


def quotes(draft) -> list[str]:
    return [c.quote for c in draft.citations]


def assert_verbatim(draft, passages):
    by_id = {p.chunk.id: p.chunk for p in passages}
    assert [s.citations for s in draft.sentences] == [(n,) for n in range(1, len(draft.sentences) + 1)]
    for s, c in zip(draft.sentences, draft.citations):
        chunk = by_id[c.chunk_id]
        assert s.text == c.quote == chunk.text[c.start - chunk.start:c.end - chunk.start]


def test_a_list_question_gets_every_item_each_with_its_own_citation_in_document_order(backend):
    ps = [passage(REFUSAL)]
    d = backend.draft("On which grounds may assistance be refused?", ps)
    got = quotes(d)
    assert "Assistance may be refused on the following grounds:" in got
    items = [q for q in got if q.startswith("the ")]
    assert items == ["the request concerns an offence of a political character;",
                     "the person sought would face a penalty contrary to the constitution;",
                     "the request was made to punish a person on account of belief."]
    assert got.index("Assistance may be refused on the following grounds:") < got.index(items[0])
    assert_verbatim(d, ps)


def test_an_announcing_sentence_brings_the_list_it_announces(backend):
    ps = [passage(OBSTACLES)]
    d = backend.draft("Which obstacles does the national registry of charities face?", ps)
    got = quotes(d)
    assert got[0] == "The national registry of charities faces several significant obstacles."
    listed = ["Unstable funding of the registry", "High turnover of volunteer staff", "Outdated filing software"]
    assert [q for q in got if q in listed] == listed
    assert got.index("Key obstacles include:") < got.index(listed[0])
    assert_verbatim(d, ps)


def test_an_announcing_sentence_with_nothing_after_it_is_dropped_for_the_next_candidate(backend):
    dangling = passage("Powers of the harbour board\nThe harbour board has the following powers of inspection:", 0)
    answer = passage("The harbour board may inspect a vessel at any time while it is moored in the port.", 1)
    d = backend.draft("What powers of inspection does the harbour board have?", [dangling, answer])
    got = quotes(d)
    assert "The harbour board has the following powers of inspection:" not in got
    assert "The harbour board may inspect a vessel at any time while it is moored in the port." in got


def test_a_nested_list_brings_only_its_own_items(backend):
    ps = [passage(OFFENCES)]
    d = backend.draft("Which conduct committed to enable unlawful fishing must be made an offence?", ps)
    got = quotes(d)
    at = got.index("when committed to enable unlawful fishing:")
    assert got[at + 1: at + 3] == ["procuring a false permit;", "possessing a false permit;"]
    assert "enabling a vessel to stay in port without a licence." not in got[at + 1: at + 3]
    assert_verbatim(d, ps)


def test_a_list_item_comes_with_the_sentence_introducing_its_own_list_not_a_nested_one(backend):
    ps = [passage(OFFENCES)]
    d = backend.draft("Is enabling a vessel to stay in port without a licence an offence?", ps)
    got = quotes(d)
    item = "enabling a vessel to stay in port without a licence."
    assert got[got.index(item) - 1] == "Each Party shall establish as criminal offences, when committed for gain:"
    assert_verbatim(d, ps)


def test_the_sentence_stating_the_period_asked_for_comes_first(backend, monkeypatch):
    ps = [passage(DECISION)]
    question = "How long does the board have to decide on a licence application?"
    assert backend.draft(question, ps).sentences[0].text == (
        "The board shall decide on the licence application within three months of receipt.")
    monkeypatch.setattr("assistant.extractive.QUANTITY_BONUS", 0.0)  # without the preference, the longer one wins
    assert "within three months" not in backend.draft(question, ps).sentences[0].text


def test_a_back_reference_brings_the_sentence_it_refers_to(backend):
    ps = [passage(TRANSFER)]
    d = backend.draft("How far can the transfer deadline be extended if the person absconds?", ps)
    got = quotes(d)
    antecedent = "The transfer shall be carried out within six months of the acceptance of the request."
    extension = "This period may be extended up to a maximum of twelve months where the person absconds."
    assert antecedent in got and extension in got
    assert got.index(antecedent) < got.index(extension)
    assert_verbatim(d, ps)


def test_a_back_reference_opening_a_paragraph_does_not_bring_the_previous_paragraph(backend):
    text = ("The registry publishes an annual report on its finances.\n"
            "Such reports shall be kept for ten years by the archive of the registry.")
    d = backend.draft("For how long shall the reports of the registry be kept by the archive?", [passage(text)])
    assert quotes(d)[0] == "Such reports shall be kept for ten years by the archive of the registry."
    assert "The registry publishes an annual report on its finances." not in quotes(d)[:1]


def test_a_list_question_hitting_one_item_quotes_the_whole_list(backend):
    ps = [passage(REFUSAL)]
    d = backend.draft("Which grounds concern a penalty contrary to the constitution?", ps)
    got = quotes(d)
    assert "Assistance may be refused on the following grounds:" in got
    assert "the request was made to punish a person on account of belief." in got


WRAPPED = """Article 5
Transfers of applicants
1. Where the responsible authority accepts the request, it shall carry out
the transfer of the applicant to the territory of the other Contracting
State as soon as practically possible and in any event within six months
of the acceptance of the request by that other Contracting State.
2. The time limit may be extended up to one year where the applicant is in
detention or absconds from the procedure established by the Agreement."""


def test_a_sentence_wrapped_across_pdf_lines_is_quoted_whole(backend):
    ps = [passage(WRAPPED)]
    d = backend.draft("Within what time limit must the transfer of the applicant be carried out?", ps)
    end = "by that other Contracting State."
    whole = WRAPPED[WRAPPED.index("Where the responsible"):WRAPPED.index(end) + len(end)]
    assert whole in quotes(d)  # not cut at "Contracting\nState"
    assert_verbatim(d, ps)


@pytest.mark.parametrize("question, is_list", [
    ("Which challenges does the agency face?", True),
    ("What circumstances must be treated as aggravating?", True),
    ("What are the duties of the carrier?", True),
    ("List the grounds of refusal.", True),
    ("What extra element does the offence require?", False),
    ("Which article bans the trade?", False),
    ("What does the Act say about appeals?", False),
    ("How long does the board have to decide?", False),
])
def test_list_questions_are_told_from_single_answer_questions(question, is_list):
    assert asks_for_a_list(question) is is_list


@pytest.mark.integration
def test_the_shipped_challenges_question_answers_with_all_four_challenges_each_cited(shipped_index, real_embedder):
    from assistant.service import Assistant

    a = Assistant.from_settings(shipped_index.with_overrides(audit_log=False), real_embedder)
    ans = a.ask("Which challenges does INTERPOL face against organ trafficking?")
    assert ans.status == "answered"
    challenges = ["Navigating complex international legal variations", "Overcoming resource and capacity disparities",
                  "Addressing technological sophistication of traffickers", "Ensuring timely cross-border collaboration"]
    cited = {s.text: s.citations for s in ans.sentences}
    assert all(c in cited and cited[c] for c in challenges), ans.answer
    assert [s.text for s in ans.sentences if s.text in challenges] == challenges


def test_a_sentence_is_read_with_its_provision_heading(backend):
    ps = [passage("Article 7\nSubmitting a transfer request\nThe requesting authority shall send it within three "
                  "months of the application.", 0, "Article 7"),
          passage("Article 8\nReplies\nThe requested authority shall reply within two months of receipt.", 1, "Article 8")]
    d = backend.draft("By when must a transfer request be submitted?", ps)
    assert d.citations[0].section == "Article 7"


def test_the_question_s_word_pairs_kept_together_beat_the_same_words_apart(backend):
    ps = [passage("A take back request shall be made within two months.", 0, "Article 23"),
          passage("The State may ask the other State to take charge within three months.", 1, "Article 21")]
    d = backend.draft("When must a State ask another to take charge?", ps)
    assert d.citations[0].section == "Article 21"
