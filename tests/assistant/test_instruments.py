"""Questions that name an instrument: the name resolves to the document that goes by it (title, aliases, the
names its text gives itself), a name the corpus does not hold is refused as such, and a provision cited by
number is fetched by its label."""

from __future__ import annotations

import pytest

from tests.support.answering import assistant_over
from assistant.instruments import (InstrumentNames, ProvisionLookup, ProvisionRef, acronym_of, asked_content, mentions,
                                  provision_refs, spelled_out)

CONVENTION = """Convention on the Protection of Example Persons (hereinafter referred to as "the Example Convention")

The States Parties to this Convention, considering that example persons deserve protection, have agreed as follows:

Article 1
Purpose
The purpose of this Convention is to protect example persons against unlawful removal.

Article 2
Reporting
1. Each State Party shall report to the Committee within two years of the entry into force of this Convention.
2. Reports shall describe the measures taken to give effect to this Convention.
"""

REGULATION = """REGULATION (EU) No 123/2031 OF THE EXAMPLE PARLIAMENT of 1 March 2031 on the keeping of example registers
(Register Keeping Regulation)

Whereas:
(1) Registers should be kept in every region.
(2) Registers should be open to inspection by the public.
(3) Keepers of registers should be trained.

Article 1
Registers
Every region shall keep a register of example bodies.

Article 2
Inspection
The register shall be open to inspection within 30 days of a request.
"""


@pytest.fixture
def assistant(settings, hash_embedder):
    return assistant_over(settings, hash_embedder, {"convention.txt": CONVENTION, "regulation.txt": REGULATION})


@pytest.mark.unit
def test_a_mention_is_the_instrument_noun_with_what_qualifies_it():
    found = mentions("Under the UN optional protocol on the sale of examples define X, and what says Regulation 123/2031?")
    assert [m.text for m in found] == ["UN optional protocol on the sale of examples", "Regulation 123/2031"]
    assert found[0].specific == ("un", "optional", "sale", "examples") and found[0].proper
    assert [m.text for m in mentions("Does the RKR apply?")] == ["RKR"]
    assert mentions("What does the protocol say?")[0].specific == ()  # names no instrument in particular


@pytest.mark.unit
def test_acronyms_match_the_initials_of_a_name_in_order():
    assert acronym_of("RKR", "Register Keeping Regulation")
    assert acronym_of("OPSE", "Optional Protocol to the Convention on the sale of examples")
    assert not acronym_of("KRR", "Register Keeping Regulation")


@pytest.mark.unit
def test_provision_references_are_parsed_with_their_paragraph():
    assert provision_refs("What does Art. 5(3) say, and Recital 39, and Article IX?") == [
        ProvisionRef("Article", "5", "3"), ProvisionRef("Recital", "39"), ProvisionRef("Article", "IX")]


@pytest.mark.unit
def test_a_question_naming_an_instrument_resolves_to_its_document(assistant):
    names = InstrumentNames(assistant.index.catalog)
    assert names.resolve("When must reports be sent under the Example Convention?").sources == ("corpus/convention.txt",)
    assert names.resolve("What does the Register Keeping Regulation require?").sources == ("corpus/regulation.txt",)
    assert names.resolve("Which article of Regulation 123/2031 opens the register?").sources == ("corpus/regulation.txt",)
    assert names.resolve("Does the RKR apply to regions?").sources == ("corpus/regulation.txt",)
    unknown = names.resolve("What does the Istanbul Declaration say about registers?")
    assert unknown.sources == () and unknown.unresolved == ("Istanbul Declaration",)


@pytest.mark.unit
def test_a_cited_provision_is_fetched_by_its_label(assistant):
    lookup = ProvisionLookup(assistant.index.catalog)
    chunks = lookup.find(ProvisionRef("Article", "2", "1"), ["corpus/convention.txt"])
    assert chunks and all(c.source == "corpus/convention.txt" and c.section.startswith("Article 2") for c in chunks)
    recital = lookup.find(ProvisionRef("Recital", "2"), None)
    assert recital and all(c.source == "corpus/regulation.txt" and "Recital" in c.section for c in recital)


@pytest.mark.unit
def test_an_instrument_the_corpus_does_not_hold_is_refused_by_name(assistant):
    ans = assistant.ask("What does Article 2 of the Istanbul Declaration require?")
    assert ans.status == "insufficient_evidence"
    assert "do not include “Istanbul Declaration”" in ans.answer


@pytest.mark.unit
def test_a_question_by_instrument_and_article_quotes_that_article(assistant):
    ans = assistant.ask("What does Article 2 of the Register Keeping Regulation say about inspection?")
    assert ans.status == "answered"
    assert ans.citations[0].source == "corpus/regulation.txt" and ans.citations[0].section.startswith("Article 2")


@pytest.mark.unit
def test_a_which_article_question_names_the_article_in_the_first_words(assistant):
    ans = assistant.ask("Which article of the Register Keeping Regulation opens the register to inspection?")
    assert ans.status == "answered"
    assert ans.answer.startswith("Article 2 of Regulation (EU) No 123/2031: [1]")
    lead = ans.sentences[0]
    assert lead.citations == (1,) and ans.citations[0].section == "Article 2"


TREATY = """Convention on Example Matters

Article 1
Application
Each article of this Convention contains a rule which each Party shall apply in its territory.

Article 2
Prohibition of return
No Party shall return a person to a territory where that person would face serious harm.

Article 3
Reservations
Each Party may make a reservation to any article of this Convention except the article on return.
"""


@pytest.mark.unit
def test_a_which_article_question_is_scored_on_what_the_article_is_to_say():
    assert asked_content("Which article of the Convention contains the rule against return?") == \
        "the rule against return?"
    assert asked_content("Which recital explains that the processing is left to another act?") == \
        "the processing is left to another act?"
    assert asked_content("What does the protocol say?") == "What does the protocol say?"
    assert asked_content("What part says so?") == "What part says so?"  # too little would be left


@pytest.mark.unit
def test_a_which_article_question_quotes_the_article_that_says_it_not_one_that_speaks_of_articles(settings,
                                                                                                  hash_embedder):
    officer = assistant_over(settings, hash_embedder, {"treaty.txt": TREATY})
    ans = officer.ask("Which article of the Convention on Example Matters contains the rule against return to harm?")
    assert ans.status == "answered"
    assert ans.citations[0].section.startswith("Article 2"), [c.section for c in ans.citations]


@pytest.mark.unit
def test_a_question_that_names_no_provision_gets_no_lead(assistant):
    ans = assistant.ask("What does the Register Keeping Regulation say about inspection of the register?")
    assert ans.status == "answered" and not ans.answer.startswith("Article")


@pytest.mark.unit
def test_within_the_named_instrument_the_question_is_searched_without_the_name(assistant):
    names = InstrumentNames(assistant.index.catalog)
    question = "Which article of the Register Keeping Regulation opens the register to inspection?"
    r = names.resolve(question)
    assert r.sources == ("corpus/regulation.txt",)
    assert r.without_names(question) == "Which article of the opens the register to inspection?"
    bracketed = "Which article of Regulation (EU) No 123/2031 opens the register?"
    assert names.resolve(bracketed).without_names(bracketed) == "Which article of No 123/2031 opens the register?"
    unnamed = names.resolve("Which article opens the register to inspection?")
    assert unnamed.without_names("Which article opens the register to inspection?") == \
        "Which article opens the register to inspection?"


@pytest.mark.unit
def test_a_kind_of_instrument_after_an_indefinite_determiner_names_none(assistant):
    """"left to a separate Union act": the question speaks of some act, not of one the corpus holds, so it
    neither narrows the search to a document nor leaves the words out of what is searched."""
    assert mentions("Is it left to a separate Example Regulation?") == []
    assert mentions("Does any other Convention apply?") == []
    assert [m.text for m in mentions("Is it in a Regulation 123/2031 annex?")] == ["Regulation 123/2031"]  # a number names one
    names = InstrumentNames(assistant.index.catalog)
    question = "Which article of the Example Convention leaves reporting to a separate Register Regulation?"
    r = names.resolve(question)
    assert r.sources == ("corpus/convention.txt",)
    assert r.without_names(question) == "Which article of the leaves reporting to a separate Register Regulation?"


BILINGUAL_PAGE = """<!DOCTYPE html><html><head><title>Verdrag inzake de bescherming van voorbeeldpersonen</title></head>
<body><nav>Home | Zoeken</nav><main>
<h2>Verdrag inzake de bescherming van voorbeeldpersonen</h2>
<h2>Convention on the Protection of Sample Persons</h2>
<p>The States Parties to this Convention have agreed as follows:</p>
<h3>Article 1</h3><p>Each State Party shall report to the Committee within two years of the entry into force.</p>
</main><footer>Disclaimer</footer></body></html>"""


@pytest.mark.unit
def test_a_page_titled_in_its_translations_language_is_known_by_both_titles(settings, hash_embedder):
    """A treaty database serves the English text under a Dutch page title: the document is still the Convention on
    the Protection of Sample Persons, and a question naming it so is answered from it, not refused as naming an
    instrument the corpus does not hold."""
    officer = assistant_over(settings, hash_embedder, {"sample.html": BILINGUAL_PAGE})
    doc = next(iter(officer.index.catalog.documents()))
    assert doc.title == "Convention on the Protection of Sample Persons"
    assert "Verdrag inzake de bescherming van voorbeeldpersonen" in doc.names
    ans = officer.ask("Under the Sample Persons Convention, within how many years must a State Party report?")
    assert ans.status == "answered" and ans.citations[0].source == "corpus/sample.html"


@pytest.mark.unit
def test_a_plain_texts_title_lines_are_its_names_but_not_its_first_sentence(settings, hash_embedder):
    officer = assistant_over(settings, hash_embedder, {"statute.txt": "Sample Persons Protection Act 2031\n"
                             "An Act on the protection of sample persons\n\nThe Parliament enacts as follows.\n\n"
                             "Section 1\nA sample person shall be protected.\n"})
    names = next(iter(officer.index.catalog.documents())).names
    assert "Sample Persons Protection Act 2031" in names and "An Act on the protection of sample persons" in names
    assert not any("enacts" in n for n in names)


@pytest.mark.unit
def test_an_acronym_a_documents_name_spells_out_is_not_a_missing_name(settings, hash_embedder):
    """"the UN optional protocol" in a corpus whose texts never write "UN" nor "United Nations": one document's
    name spells it out (the United Nations Convention it supplements, in the manifest), so the question is
    answered, not refused for naming "UN"."""
    officer = assistant_over(settings, hash_embedder, {
        "sources.toml": '[[documents]]\nfile = "smuggling.txt"\ntitle = "Protocol against Sample Smuggling, '
                        'supplementing the United Nations Convention on Samples"\n',
        "smuggling.txt": "Article 1\n\nEach State Party shall prevent the smuggling of samples.\n",
        "optional.txt": "Optional Protocol on the Sale of Samples\n\nArticle 1\n\n"
                        "Each State Party shall prohibit the sale of samples within two years.\n"})
    assert spelled_out("UN", "supplementing the United Nations Convention") and not spelled_out("UN", "Sale of Samples")
    ans = officer.ask("Does the UN optional protocol on the sale of samples prohibit the sale of samples?")
    assert ans.status == "answered" and ans.citations[0].source == "corpus/optional.txt"


@pytest.mark.unit
def test_a_series_number_stays_with_its_series():
    assert [m.text for m in mentions("What does Article 21 of CETS 186 say?")] == ["CETS 186"]
    assert mentions("Does the Convention (CETS No. 216) apply?")[0].specific == ("cets", "216")


@pytest.mark.unit
def test_a_which_article_question_is_answered_by_an_article_not_the_preamble(assistant):
    ans = assistant.ask("Which article of the Example Convention is about protecting example persons?")
    assert ans.status == "answered"
    assert ans.citations and all(c.section.startswith("Article") for c in ans.citations)


@pytest.mark.unit
def test_a_hyphenated_compound_meets_its_plain_word():
    from lexcite.text.terms import content_stems

    assert "refoulement" in content_stems("the non-refoulement rule")
    assert content_stems("a co-operation rule")[:2] == ["co-operation", "operation"]  # "co" is too short to add


@pytest.mark.unit
def test_a_name_given_in_parentheses_after_a_resolved_instrument_is_its_alias_not_a_missing_term(assistant):
    # the text never calls itself "ERC 77", but the words before the parentheses name it and call it a convention
    ans = assistant.ask("Does the Example Convention (ERC 77) require reports within two years?")
    assert ans.status == "answered" and ans.citations[0].source == "corpus/convention.txt"


@pytest.mark.unit
def test_a_bracketed_number_after_a_different_kind_of_instrument_is_still_checked(assistant):
    # "protocol" is not what the convention calls itself: the bracketed series number must then be in the corpus
    question = "Does the Example Persons Protocol (ERC No. 78) require reports within two years?"
    assert not {"erc", "78"} & assistant.instruments.resolve(question).covered
    assert assistant.ask(question).status == "insufficient_evidence"


@pytest.mark.unit
def test_a_refusal_quotes_the_closest_provision_when_the_documents_hold_something_close(assistant):
    # the regulation sets a period in days, not a fee: the refusal says so and quotes the closest provision
    ans = assistant.ask("What fee in euros must be paid for inspection of the register under the Register "
                        "Keeping Regulation?")
    assert ans.status == "insufficient_evidence" and not ans.sentences
    assert "do not state an amount in euros" in ans.answer
    first = ans.citations[0]
    assert first.n == 1 and first.section == "Article 2" and first.source == "corpus/regulation.txt"
    assert ("The closest provision found is Article 2 of Regulation (EU) No 123/2031: "
            f"“{first.quote}” [1]") in ans.answer
    assert first.quote == "The register shall be open to inspection within 30 days of a request."
    assert len({c.chunk_id for c in ans.citations}) == len(ans.citations)  # the quoted chunk is not listed twice


@pytest.mark.unit
def test_a_refusal_for_an_unknown_instrument_quotes_nothing_as_closest(assistant):
    ans = assistant.ask("What fee does Article 2 of the Istanbul Declaration set?")
    assert ans.status == "insufficient_evidence" and "closest provision" not in ans.answer


LONG_NAMED = """REGULATION (EU) No 77/2033 OF THE EXAMPLE PARLIAMENT of 2 May 2033 on the general protection of example \
registers and on the free movement of example register data (General Example Register Protection Regulation)

Whereas:
(1) The general protection of example registers and of example register data in the Union is a fundamental aim of \
this General Example Register Protection Regulation.
(2) Example register data protection rules should apply in the same way across the Union.

Article 1
Subject matter
This Regulation lays down rules on the general protection of example register data.

Article 2
Entry into force and application
This Regulation shall enter into force on the twentieth day following its publication. It shall apply from 25 May 2035.
"""


@pytest.mark.integration
def test_a_question_naming_an_instrument_is_answered_from_what_it_asks_not_from_the_name(settings, real_embedder):
    a = assistant_over(settings, real_embedder, {"register.txt": LONG_NAMED})
    ans = a.ask("From what date has the General Example Register Protection Regulation applied?")
    assert ans.status == "answered", ans.answer
    assert "It shall apply from 25 May 2035." in [s.text for s in ans.sentences]
    assert ans.citations[0].provision == "Article 2"
