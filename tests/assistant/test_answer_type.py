"""The answer-type check: an answer must hold the kind of thing asked for (a number, a period, a name …),
and it must never turn an answerable question into a refusal."""

from __future__ import annotations

import pytest

from assistant.answer_type import answers, asks_for_quantity, question_sentence, wanted

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("question, kind", [
    ("How many years' imprisonment can a registrar face for disclosing the register?", "number"),
    ("How long does a Party have to file its first report?", "duration"),
    ("For how long is a permit issued under the Act valid?", "duration"),
    ("A vessel was detained. How far can the detention period be extended?", "duration"),
    ("By when must the authority reply to a request?", "soon"),
    ("How soon must the operator inform the regulator?", "soon"),
    ("When does a withdrawal from the Agreement take effect?", "when"),
    ("From what date does the Code apply?", "date"),
    ("What fee, in euros, may a consulate charge for a visa?", "amount"),
    ("Up to what age is a person a minor under the Statute?", "age"),
    ("Who is the current President of the Tribunal?", "name"),
    ("Which States have ratified the Agreement so far?", "states"),
    ("Which article of the Statute sets up the Registry?", "provision"),
    ("Can a minor be detained under the Act?", "yesno"),
    ("Under the Statute, may the court sit in private?", "yesno"),
    ("We cannot tell how old the witness is. Does that stop the hearing?", "yesno"),
    ("What does the Statute say about appeals?", ""),
    ("Who may lodge an appeal?", ""),
    ("What limitation period applies to these offences?", "duration"),
    ("What is the maximum number of days a person may be held?", "number"),
    ("How much does a permit cost?", "number"),
    ("How much help must the Parties give each other?", ""),  # how far, not how many
    ("How much of the register may be published?", ""),
])
def test_the_question_sentence_decides_what_is_wanted(question, kind):
    assert wanted(question).kind == kind


def test_a_number_of_days_asked_for_must_be_stated_in_days():
    want = wanted("What is the maximum number of days a person may be held?")
    assert want.unit == "day" and want.label == "a number of days"


def test_the_scene_setting_before_the_question_is_not_asked():
    assert question_sentence("A ship was boarded. How soon must we report it?") == "How soon must we report it?"


@pytest.mark.parametrize("question, sentence", [
    ("How long does a Party have to file its first report?",
     "Each Party shall submit a report within two years of the entry into force of this Agreement for that Party."),
    ("For how long is a permit issued under the Act valid?",
     "The permit shall be valid for either one or two years, at the discretion of the issuing authority."),
    ("A vessel was detained. How far can the detention period be extended?",
     "This period may be extended up to a maximum of eighteen months where the master absconds."),
    ("How soon must the operator inform the regulator?",
     "The operator shall notify the regulator without undue delay and in any event not later than 72 hours after the incident."),
    ("How soon must the operator inform the regulator?",
     "The operator shall inform the regulator immediately."),
    ("By when must the authority reply to a request?",
     "The requested authority shall reply as quickly as possible."),
    ("When does a withdrawal from the Agreement take effect?",
     "A withdrawal shall take effect one year from the date on which the depositary receives the notification."),
    ("When does a withdrawal from the Agreement take effect?",
     "Withdrawal takes effect on 1 January 2031."),
    ("From what date does the Code apply?", "This Code shall apply from 1 March 2029."),
    ("What fee, in euros, may a consulate charge for a visa?", "The visa fee shall not exceed EUR 80."),
    ("What is the highest fine in euros for a breach of the duty of care?",
     "Breaches shall be subject to fines of up to 10 000 000 euros."),
    ("How many days does the appellant have to lodge an appeal?",
     "An appeal shall be lodged within thirty days of the notification of the decision."),
    ("How many States must ratify before the Agreement enters into force?",
     "The Agreement shall enter into force once twelve States have deposited their instruments of ratification."),
    ("Up to what age is a person a minor under the Statute?",
     "For the purposes of this Statute, a minor means any person below the age of eighteen years."),
    ("Who is the current President of the Tribunal?", "The judges elected Maria Okafor as President of the Tribunal in 2031."),
    ("Which States have ratified the Agreement so far?",
     "The Agreement has been ratified by Norland, Estavia and the Republic of Kestria."),
    ("Which States have ratified the Agreement so far?",
     "Only Estavia and the Republic of Kestria have deposited instruments of ratification."),
    ("Which article of the Statute sets up the Registry?", "The Registry is established under Article 43."),
])
def test_an_answer_holding_what_was_asked_passes(question, sentence):
    v = answers(question, [sentence])
    assert v.ok, v
    assert v.found and v.wanted


@pytest.mark.parametrize("question, sentence", [
    # the only numbers are references to provisions, instruments and footnotes
    ("How many years' imprisonment can a registrar face for disclosing the register?",
     "Member States shall lay down penalties under Article 13 of Regulation (EU) No 604/2013 and paragraph 2 (1)."),
    # a number, but not of the unit asked for
    ("How many years' imprisonment can a registrar face for disclosing the register?",
     "Infringements shall be subject to administrative fines up to 20 000 000 EUR."),
    # no figure and no time word: a time limit is only mentioned
    ("How long may the records be kept before they must be deleted?",
     "Time limits should be established by the controller for erasure or for a periodic review."),
    ("What fee, in euros, may a consulate charge for a visa?",
     "The fee shall not exceed the cost of issuing the document to nationals."),
    ("Up to what age is a person a minor under the Statute?",
     "Sale of a minor means any act whereby a minor is transferred by any person to another for remuneration."),
    ("Who is the current President of the Tribunal?",
     "The President of the Tribunal shall be elected by the judges and shall represent the Tribunal."),
    ("Which States have ratified the Agreement so far?",
     "The member States of the Council and the other States signatory to this Agreement have agreed as follows."),
    ("Which States have ratified the Agreement so far?",
     "Recalling the Convention for the Protection of the Dignity of the Human Being with regard to the "
     "Application of Biology and Medicine, the Contracting States agree as follows."),
])
def test_an_answer_lacking_what_was_asked_is_flagged(question, sentence):
    v = answers(question, [sentence])
    assert not v.ok, v
    assert v.wanted and not v.found


def test_the_verdict_names_what_was_wanted_in_words():
    assert answers("How many years' imprisonment does the Act allow?", ["It applies."]).wanted == \
        "a number of years of imprisonment"
    assert answers("What fee, in euros, applies?", ["It applies."]).wanted == "an amount in euros"
    assert answers("When does the Act take effect?", ["It applies."]).wanted == "a date or period"


def test_a_cited_section_names_the_provision_asked_for():
    sentence = "Organ and tissue trafficking shall be prohibited."
    q = "Which article of the Protocol bans trading in organs?"
    assert answers(q, [sentence], sections=["Article 22"]).ok
    assert not answers(q, [sentence], sections=[""]).ok


@pytest.mark.parametrize("question", [
    "Does the Protocol apply to blood and blood products?",
    "May the authority detain a person only because the procedure applies to them?",
    "What does the Statute say about appeals?",
    "Who may lodge an appeal against the decision?",
    "Which measures must the carrier take?",
])
def test_yes_no_and_other_questions_are_never_flagged(question):
    assert answers(question, ["Member States shall not hold a person in detention for that sole reason."]).ok


def test_any_of_several_answer_sentences_may_hold_it():
    sentences = ["The Contracting Parties shall cooperate closely.",
                 "The request shall be sent within three months of the date on which the application was lodged."]
    assert answers("By when must the request be sent?", sentences).ok


@pytest.mark.parametrize("question, kind", [
    ("What is the ceiling on administrative fines for a breach?", "number"),
    ("Up to what amount may the carrier be fined?", "number"),
    ("Within how many days must the appeal be lodged?", "number"),
    ("What does the Statute say about appeals?", ""),
])
def test_ranking_prefers_figures_for_ceilings_and_limits_too(question, kind):
    assert asks_for_quantity(question).kind == kind


def test_how_many_of_a_thing_wants_that_thing_counted():
    from assistant.answer_type import answers

    q = "How many vessels were boarded during the inspection campaign?"
    assert not answers(q, ["One inspection campaign targeted a fleet of fishing vessels in the northern ports."]).ok
    assert not answers(q, ["A vessel was boarded in the harbour."]).ok
    assert answers(q, ["Inspectors boarded 14 vessels during the campaign."]).ok


@pytest.mark.unit
def test_a_number_of_years_of_a_penalty_must_be_stated_of_that_penalty_not_only_beside_it():
    q = "How many years' imprisonment can an official face for misusing the data?"
    assert answers(q, ["Misuse shall be punishable by five years' imprisonment."]).ok
    assert answers(q, ["The offence is punishable by imprisonment for a term of up to five years."]).ok
    beside = ("This time limit may be extended up to a maximum of one year if the transfer could not be carried "
              "out due to imprisonment of the person concerned.")
    assert not answers(q, [beside]).ok  # a period and the word in one sentence: not the penalty asked for


@pytest.mark.unit
def test_a_capital_that_only_opens_the_sentence_is_not_the_name_of_a_state():
    q = "Which States have ratified the protocol so far?"
    assert not answers(q, ["Instruments of ratification shall be deposited with the Secretary General."]).ok
    assert answers(q, ["The protocol was ratified by Albania, Norway and Portugal."]).ok
