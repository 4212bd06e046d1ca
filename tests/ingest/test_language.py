"""Language identification: a block's language, a document's blocks smoothed, questions; no network."""

from __future__ import annotations

import threading
import time

import pytest

from ingest.language import LanguageDetector, default_detector, detect, detect_blocks

EN = ("Each State Party shall adopt such legislative and other measures as may be necessary to establish as "
      "criminal offences, when committed intentionally, the conduct set forth in this article.")
NL = ("Elke Staat die partij is, neemt de wetgevende en andere maatregelen die nodig zijn om de in dit artikel "
      "omschreven gedragingen, wanneer opzettelijk gepleegd, strafbaar te stellen.")
EN2 = "Migrants shall not become liable to criminal prosecution for the fact of having been the object of such conduct."
NL2 = ("Migranten worden niet strafrechtelijk aansprakelijk voor het feit dat zij het voorwerp van zulke "
       "gedragingen zijn geweest.")
NOTE_NL = "Treedt in werking op een nader te bepalen tijdstip"  # a status note repeated through a text


@pytest.mark.unit
def test_english_and_dutch_paragraphs_are_told_apart():
    assert detect(EN) == "en" and detect(EN2) == "en"
    assert detect(NL) == "nl" and detect(NL2) == "nl"


@pytest.mark.unit
@pytest.mark.parametrize("line, lang", [
    ("The recipient shall beforehand be given appropriate information.", "en"),
    ("De ontvanger krijgt vooraf passende informatie.", "nl"),
    ("Chaque État partie prend les mesures nécessaires.", "fr"),
    ("Jeder Vertragsstaat trifft die erforderlichen Maßnahmen.", "de"),
    ("Cada Estado Parte adoptará las medidas necesarias.", "es"),
    ("Wanneer treedt het protocol in werking?", "nl"),
    ("When does the protocol enter into force?", "en"),
])
def test_short_lines_and_questions_get_their_language(line, lang):
    assert detect(line) == lang


@pytest.mark.unit
@pytest.mark.parametrize("text", ["", "   \n", "1.", "Article 5", "Artikel 14", "(iii)", "12/2000, p. 4", "§ 3"])
def test_empty_or_too_short_text_is_unsure(text):
    assert detect(text) == ""


@pytest.mark.unit
def test_link_targets_and_urls_do_not_count():
    text = ("This Protocol supplements the [Convention](../../verdrag/van/de/verenigde/naties/tegen/misdaad/README.md) "
            "and shall be interpreted together with it, see https://example.org/de/van/het/verdrag.")
    assert detect(text) == "en"


@pytest.mark.unit
def test_short_headings_inherit_the_language_of_their_neighbours():
    blocks = ["Article 5", "1.", EN, "a)", EN2, "Artikel 5", "1.", NL, "b)", NL2, "2."]
    assert detect_blocks(blocks, default="fr") == ["en"] * 5 + ["nl"] * 6


@pytest.mark.unit
def test_a_heading_between_two_languages_goes_with_the_one_it_reads_as():
    assert detect_blocks([EN, "Artikel 5", NL], "en") == ["en", "nl", "nl"]
    assert detect_blocks([NL, "Article 5", EN], "en") == ["nl", "en", "en"]


@pytest.mark.unit
def test_a_short_line_in_another_language_inside_a_run_joins_the_run():
    blocks = [EN, NOTE_NL, "Article 2", NOTE_NL, EN2, NOTE_NL, EN]
    assert detect(NOTE_NL) == "nl"  # alone, it is Dutch...
    assert detect_blocks(blocks, "en") == ["en"] * len(blocks)  # ...inside an English run it is not a run of its own


@pytest.mark.unit
def test_a_translation_that_follows_the_original_stays_a_run_of_its_own():
    blocks = ["Article 1", EN, EN2, NOTE_NL + ".", "Artikel 1", NL, NL2, "Artikel 2", NL]
    assert detect_blocks(blocks, "en") == ["en"] * 3 + ["nl"] * 6


@pytest.mark.unit
def test_a_document_of_only_unsure_blocks_gets_the_default_or_what_they_say_together():
    assert detect_blocks(["1.", "2.", "Article 3"], default="fr") == ["fr"] * 3
    assert detect_blocks(["Artikel 3.", "De Staten", "werken samen", "met elkaar"], default="en") == ["nl"] * 4
    assert detect_blocks([], default="en") == []


@pytest.mark.unit
def test_results_are_deterministic_across_calls_detectors_and_threads():
    blocks = [EN, NOTE_NL, "Article 2", NL, "1.", EN2, NL2, "a)"] * 20
    first = detect_blocks(blocks, "en")
    assert detect_blocks(blocks, "en") == first
    assert LanguageDetector().detect_blocks(blocks, "en") == first
    got: list[list[str]] = []
    threads = [threading.Thread(target=lambda: got.append(LanguageDetector().detect_blocks(blocks, "en")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [first] * 4


@pytest.mark.unit
def test_a_hundred_page_document_is_labelled_in_well_under_two_seconds():
    default_detector().identifier  # the model loads once per process; this measures the labelling
    blocks = ["Article 7", EN, EN2, "(a)", NOTE_NL, "Artikel 7", NL, NL2] * 250  # 2,000 blocks, ~40,000 words
    start = time.perf_counter()
    labels = detect_blocks(blocks, "en")
    assert time.perf_counter() - start < 2.0
    assert len(labels) == len(blocks)


@pytest.mark.unit
def test_bad_settings_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="ISO 639-1"):
        LanguageDetector(languages=["english"])
    with pytest.raises(ValueError, match="ISO 639-1"):
        LanguageDetector(languages=[])
    with pytest.raises(ValueError, match="min_confidence"):
        LanguageDetector(min_confidence=0)
    with pytest.raises(ValueError, match="min_letters"):
        LanguageDetector(min_letters=0)
    with pytest.raises(ValueError, match="does not know xx; choose among"):
        LanguageDetector(languages=["en", "xx"]).detect(EN)


@pytest.mark.unit
def test_a_corpus_in_a_language_outside_the_default_list_passes_its_own():
    text = "Cada Estat part adoptarà les mesures legislatives necessàries per protegir els drets dels migrants."
    assert detect(text) != "ca"  # not a default candidate
    assert LanguageDetector(languages=["ca", "es", "en"]).detect(text) == "ca"
