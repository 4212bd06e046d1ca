"""The verifier: a sentence passes only when the passages it cites support it.

Unit tests check the heuristic signals with the hash embedder; integration tests run the shipped
model (real all-MiniLM-L6-v2 + model.json) on hand-written pairs, one per perturbation kind.
"""

from __future__ import annotations

import pytest

from assistant.verify import LogisticModel, Support, Verifier, make_verifier
from assistant.verify.signals import PairSignal, SignalOutput

PASSAGE = (
    "Article 4 of the Convention requires each State Party to criminalise the removal of organs for "
    "financial gain. The penalty is imprisonment of up to 12 years and a fine of 50,000 euros. "
    "Since 2016, INTERPOL has assisted national police in Spain and Portugal with joint "
    "investigations. Donors must not receive payment for an organ. Prosecutions increased in 2019."
)

SUPPORTED = [
    "The penalty is imprisonment of up to 12 years and a fine of 50,000 euros.",
    "Article 4 requires each State Party to criminalise the removal of organs for financial gain.",
    "Since 2016, INTERPOL has assisted national police with joint investigations.",
    "Donors must not receive payment for an organ [1].",
]

UNSUPPORTED = {
    "number_swap": "The penalty is imprisonment of up to 15 years and a fine of 50,000 euros.",
    "date_swap": "Since 2012, INTERPOL has assisted national police in Spain and Portugal with joint investigations.",
    "entity_swap": "Since 2016, Europol has assisted national police in Spain and Portugal with joint investigations.",
    "place_swap": "Since 2016, INTERPOL has assisted national police in France and Italy with joint investigations.",
    "actor_swap": "Since 2016, national police in Spain and Portugal have assisted INTERPOL with joint investigations.",
    "negation_removed": "Donors must receive payment for an organ.",
    "negation_added": "The Convention does not require each State Party to criminalise the removal of organs for financial gain.",
    "antonym": "Prosecutions decreased in 2019.",
    "other_document": "Extradition requests must be filed through diplomatic channels within thirty days.",
    "added_clause": "Donors must not receive payment for an organ, and hospitals must report every transplant to the ministry.",
}


class FixedSignal(PairSignal):
    name = "fixed"

    def __init__(self, value: float):
        self.value = value

    def evaluate(self, ctx):
        return SignalOutput({"model_p": self.value}, ("model says no",) if self.value < 0.5 else ())


# ---- unit: the heuristics, with the hash embedder ----------------------------------------------

@pytest.mark.unit
def test_a_sentence_without_a_cited_passage_is_unsupported(hash_embedder):
    v = Verifier(embedder=hash_embedder)
    for passages in ([], [""], ["   "]):
        s = v.score("Donors must not receive payment.", passages)
        assert s == Support(False, 0.0, -1, reasons=("no cited passage",))


@pytest.mark.unit
@pytest.mark.parametrize(
    "kind, feature, reason",
    [
        ("number_swap", "number_missing", "number 15 not in source"),
        ("date_swap", "number_missing", "number 2012 not in source"),
        ("entity_swap", "entity_missing", "name 'europol' not in source"),
        ("place_swap", "entity_missing", "name 'france' not in source"),
        ("negation_removed", "negation_mismatch", "negation mismatch"),
        ("negation_added", "negation_mismatch", "negation mismatch"),
        ("antonym", "direction_conflict", "'decreased' vs source 'increased'"),
        ("actor_swap", "order_disagreement", "another order"),
        ("added_clause", "novel_words", "words not in source"),
    ],
)
def test_each_perturbation_raises_its_signal_with_a_reason(hash_embedder, kind, feature, reason):
    v = Verifier(embedder=hash_embedder)
    s = v.score(UNSUPPORTED[kind], [PASSAGE])
    assert s.features[feature] > 0
    assert any(reason in r for r in s.reasons), s.reasons


@pytest.mark.unit
def test_verbatim_sentences_raise_no_signal(hash_embedder):
    v = Verifier(embedder=hash_embedder)
    for sentence in SUPPORTED[:2]:
        (f, reasons), = v.features_many(v.builder.build_many([(sentence, [PASSAGE])]))
        assert not reasons
        assert f["number_missing"] == f["entity_missing"] == f["negation_mismatch"] == 0
        assert f["direction_conflict"] == 0 and f["coverage"] == 1.0 and f["order_disagreement"] == 0


@pytest.mark.unit
def test_a_word_for_word_quote_of_its_passage_is_supported_without_weighing(hash_embedder):
    v = Verifier(embedder=hash_embedder)
    quote = "Prosecutions increased in 2019."
    s = v.score(" ".join(quote.split()), ["Unrelated text here.", PASSAGE.replace(" in 2019", "\nin 2019")])
    assert (s.supported, s.score, s.best) == (True, 1.0, 1)
    changed = v.score("Prosecutions decreased in 2019.", [PASSAGE])
    assert changed.score < 1.0  # one word off is weighed like any other sentence
    weighed = v.score_many([(quote, [PASSAGE])], quote_rule=False)[0]  # benches measure the model on copies
    assert weighed.score < 1.0 and weighed.features


@pytest.mark.unit
def test_best_span_points_at_the_supporting_source_sentence(hash_embedder):
    s = Verifier(embedder=hash_embedder).score("Prosecutions increased in 2019.", ["Unrelated text here.", PASSAGE])
    assert s.best == 1
    assert PASSAGE[s.best_start:s.best_end] == "Prosecutions increased in 2019."


@pytest.mark.unit
def test_a_new_signal_plugs_in_and_the_model_weighs_it(hash_embedder):
    model = LogisticModel(weights={"model_p": 10.0}, bias=-5.0, threshold=0.5)
    yes = Verifier(embedder=hash_embedder, signals=[FixedSignal(0.9)], model=model)
    no = Verifier(embedder=hash_embedder, signals=[FixedSignal(0.1)], model=model)
    assert yes.score("anything", [PASSAGE]).supported
    verdict = no.score("anything", [PASSAGE])
    assert not verdict.supported and verdict.reasons == ("model says no",)


@pytest.mark.unit
def test_score_many_matches_score_one_by_one(hash_embedder):
    v = Verifier(embedder=hash_embedder)
    pairs = [(s, [PASSAGE]) for s in SUPPORTED + list(UNSUPPORTED.values())] + [("x", [])]
    batch = v.score_many(pairs)
    single = [v.score(s, p) for s, p in pairs]
    assert [b.supported for b in batch] == [s.supported for s in single]
    assert [round(b.score, 6) for b in batch] == [round(s.score, 6) for s in single]


@pytest.mark.unit
def test_a_threshold_outside_0_1_is_refused():
    from lexcite.errors import ConfigError

    with pytest.raises(ConfigError, match="between 0 and 1"):
        Verifier(threshold=1.5)


@pytest.mark.unit
def test_the_verifier_setting_picks_heuristics_or_refuses_a_missing_model(settings, hash_embedder, monkeypatch):
    from assistant.grounding.model import GroundingModel
    from lexcite.errors import ConfigError
    from lexcite.settings import load_settings

    assert make_verifier(settings, hash_embedder, kind="heuristics").kind == "heuristic signals"
    monkeypatch.setattr(GroundingModel, "available", classmethod(lambda cls, *a: False))
    assert make_verifier(settings, hash_embedder, kind="auto").kind == "heuristic signals"
    with pytest.raises(ConfigError, match="verifier = heuristics"):
        make_verifier(settings, hash_embedder, kind="model")
    with pytest.raises(ConfigError, match="must be 'auto', 'model' or 'heuristics'"):
        load_settings(env={"LEXCITE_VERIFIER": "nli"})


# ---- integration: the shipped verifiers with the real embedder ----------------------------------

def _kinds() -> list[str]:
    from assistant.grounding.model import GroundingModel

    return ["heuristics"] + (["model"] if GroundingModel.available() else [])


@pytest.mark.integration
@pytest.mark.parametrize("verifier", _kinds())
def test_shipped_verifier_accepts_faithful_sentences(real_embedder, settings, verifier):
    v = make_verifier(settings, real_embedder, kind=verifier)
    for sentence in SUPPORTED:
        s = v.score(sentence, [PASSAGE])
        assert s.supported, (sentence, s.score, s.reasons)


@pytest.mark.integration
@pytest.mark.parametrize("verifier", _kinds())
@pytest.mark.parametrize("kind", sorted(UNSUPPORTED))
def test_shipped_verifier_catches_every_perturbation_kind(real_embedder, settings, kind, verifier):
    v = make_verifier(settings, real_embedder, kind=verifier)
    s = v.score(UNSUPPORTED[kind], [PASSAGE])
    assert not s.supported, (kind, s.score, s.features)
    assert s.reasons, "an unsupported verdict says why"
    faithful = max(v.score(x, [PASSAGE]).score for x in SUPPORTED)
    assert s.score < faithful
