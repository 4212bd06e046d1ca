"""Leave-one-dataset-out evaluation: splits that never cut a document or claim, metrics that add up,
the word-coverage baseline, and a matrix that never reports a model on a set it trained on."""

from __future__ import annotations

import json
import math

import pytest

from training.grounding_data import is_heldout
from training.lodo_eval import choose_threshold, coverage_scores, metrics, word_coverage
from training.lodo_report import matrix_markdown, variant_metrics
from training.nli_data import LabelledPair, in_split, load_set, split_of, stratified_sample


def _pair(group: str, supported: bool = True, set_name: str = "snli") -> LabelledPair:
    return LabelledPair(set_name, f"premise of {group}", f"hypothesis of {group}", supported, group)


@pytest.mark.unit
def test_a_group_lands_in_one_split_the_same_on_every_run_and_the_shares_are_60_20_20():
    groups = [f"contract-{i}" for i in range(3000)]
    first = [split_of("contractnli", g) for g in groups]
    assert first == [split_of("contractnli", g) for g in groups]
    share = {s: first.count(s) / len(first) for s in ("train", "threshold", "test")}
    assert abs(share["train"] - 0.6) < 0.04 and abs(share["test"] - 0.2) < 0.04
    # the same group name in another set is split on its own
    assert [split_of("snli", g) for g in groups] != first


@pytest.mark.unit
def test_scifact_trains_only_on_the_claims_the_shipped_model_trained_on():
    claims = [str(i) for i in range(400)]
    for c in claims:
        assert (split_of("scifact", c) == "train") == (not is_heldout(c))
    held = [split_of("scifact", c) for c in claims if is_heldout(c)]
    assert "threshold" in held and "test" in held


@pytest.mark.unit
def test_contract_clauses_that_do_not_mention_the_hypothesis_get_other_spans_of_the_same_contract(tmp_path):
    rows = [
        {"premise": "Party A shall keep all information secret.", "hypothesis": "h1", "label": "entailment",
         "source_id": "doc1:nda-1"},
        {"premise": "This Agreement ends after two years.", "hypothesis": "h2", "label": "entailment",
         "source_id": "doc1:nda-2"},
        {"premise": "", "hypothesis": "h3", "label": "neutral", "source_id": "doc1:nda-3"},
        {"premise": "", "hypothesis": "h3", "label": "neutral", "source_id": "doc2:nda-3"},  # no span at all
    ]
    (tmp_path / "contractnli").mkdir()
    (tmp_path / "contractnli" / "pairs.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    pairs = load_set("contractnli", tmp_path, tmp_path)
    filled = [p for p in pairs if p.hypothesis == "h3"]
    assert len(pairs) == 3 and len(filled) == 1
    assert not filled[0].supported and filled[0].group == "doc1"
    assert "secret" in filled[0].premise and "two years" in filled[0].premise
    assert load_set("contractnli", tmp_path, tmp_path) == pairs


@pytest.mark.unit
def test_a_stratified_sample_keeps_the_share_of_supported_pairs_and_is_repeatable():
    pairs = [_pair(str(i), supported=i % 4 == 0) for i in range(1000)]
    sample = stratified_sample(pairs, 200, seed=3)
    assert len(sample) == 200 and sum(p.supported for p in sample) == 50
    assert sample == stratified_sample(pairs, 200, seed=3)
    assert len(in_split(sample, "train")) + len(in_split(sample, "threshold")) + len(in_split(sample, "test")) == 200


@pytest.mark.unit
def test_macro_f1_and_balanced_accuracy_are_computed_from_the_confusion_matrix():
    # 6 supported (4 found), 4 unsupported (3 rejected)
    gold = [True] * 6 + [False] * 4
    pred = [True] * 4 + [False] * 2 + [False] * 3 + [True]
    m = metrics(gold, pred)
    f1_sup = 2 * 4 / (2 * 4 + 1 + 2)
    f1_uns = 2 * 3 / (2 * 3 + 2 + 1)
    assert m.macro_f1 == pytest.approx((f1_sup + f1_uns) / 2)
    assert m.balanced_accuracy == pytest.approx((4 / 6 + 3 / 4) / 2)
    assert math.isnan(metrics([True, True], [True, False]).balanced_accuracy)  # no unsupported gold


@pytest.mark.unit
def test_the_threshold_is_the_one_that_separates_the_threshold_pairs():
    assert choose_threshold([False, False, True, True], [0.1, 0.3, 0.7, 0.9]) in [t / 100 for t in range(31, 71)]


@pytest.mark.unit
def test_the_word_coverage_baseline_supports_a_sentence_whose_words_are_in_the_passage():
    passage = "The contractor shall deliver the goods to the buyer within thirty days."
    toy = [LabelledPair("toy", passage, "The contractor delivers the goods to the buyer.", True, "a"),
           LabelledPair("toy", passage, "The buyer may terminate the lease for any breach.", False, "b")]
    scored = coverage_scores(toy)
    assert scored.decisions == (True, False)
    assert word_coverage(passage, passage) == 1.0
    assert metrics([p.supported for p in toy], scored.decisions).macro_f1 == 1.0


def _variant(name, trained_on, by_set):
    return {"variant": name, "trained_on": trained_on,
            "sets": {s: {"test": {"gold": g, "scores": sc, "decisions": None},
                         "threshold": {"gold": g, "scores": th}} for s, (g, sc, th) in by_set.items()}}


@pytest.mark.unit
def test_a_trained_model_is_never_reported_on_a_set_it_trained_on_and_its_threshold_comes_from_other_sets():
    gold = [False, False, True, True]
    v = _variant("fold-a", ["a"], {
        "a": (gold, [0.1, 0.2, 0.8, 0.9], [0.1, 0.2, 0.8, 0.9]),
        # on "b" the own-set threshold split would pick ~0.95; the other set's (a's) picks ~0.5
        "b": (gold, [0.1, 0.2, 0.6, 0.7], [0.90, 0.92, 0.97, 0.99]),
    })
    assert variant_metrics(v, "a") is None
    head, own = variant_metrics(v, "b")
    assert head.macro_f1 == 1.0 and own.macro_f1 < 1.0
    table = matrix_markdown([v], ["a", "b"])
    assert "| a (0) | —" in table and "| b (4) | 1.00 (" in table


@pytest.mark.unit
def test_a_resumed_run_draws_the_same_batches_and_the_mix_is_half_supported():
    from random import Random

    from training.lodo_train import balanced, batch_order

    pairs = [_pair(str(i), supported=i % 5 == 0) for i in range(500)]
    mix = balanced(pairs, 120, Random(1))
    assert len(mix) == 120 and sum(p.supported for p in mix) == 60
    short, longer = batch_order(mix, 8, 10, seed=2), batch_order(mix, 8, 40, seed=2)
    assert longer[:10] == short and all(len(b) == 8 for b in longer)
    assert sorted(i for b in longer[:15] for i in b) == list(range(120))  # one epoch before any repeat


@pytest.mark.integration
def test_the_veto_breakdown_counts_what_each_veto_overturns_and_whether_it_was_right(real_embedder):
    from training.lodo_eval import veto_breakdown

    premise = "The committee shall meet 12 times a year in Geneva and report to the Assembly."
    pairs = [
        LabelledPair("t", premise, "The committee shall meet 15 times a year in Geneva.", False, "a"),  # number changed
        LabelledPair("t", premise, "The committee shall meet 12 times a year in Geneva.", True, "b"),
        LabelledPair("t", premise, premise, True, "c"),  # verbatim: no veto runs on it
    ]
    rows = {r.veto: r for r in veto_breakdown(pairs, real_embedder)}
    assert rows["any"].pairs == 2  # the verbatim quote is left out
    number = rows["number_missing"]
    assert number.fired == 1 and number.right == number.overturned <= 1
    assert all(r.right <= r.overturned <= r.fired <= r.pairs for r in rows.values())


@pytest.mark.unit
def test_held_out_parts_show_a_model_on_other_documents_of_a_set_it_trained_on_marked_with_a_star():
    gold = [False, False, True, True]
    v = _variant("all", ["a"], {"a": (gold, [0.1, 0.2, 0.8, 0.9], [0.1, 0.2, 0.8, 0.9]),
                                "b": (gold, [0.1, 0.2, 0.6, 0.7], [0.1, 0.2, 0.6, 0.7])})
    head, _ = variant_metrics(v, "a", held_out_parts=True)
    assert head.macro_f1 == 1.0
    table = matrix_markdown([v], ["a", "b"], held_out_parts=True)
    assert "| a (4) | 1.00* (" in table and "| b (4) | 1.00 (" in table


@pytest.mark.integration
def test_a_trained_cross_encoder_ships_as_the_grounding_model_with_the_same_probabilities(tmp_path):
    """The converter renames a CrossEncoder's tensors into the shipped layout (pooler pooling), keeps the
    threshold chosen on threshold splits only, and the shipped model scores as the CrossEncoder does."""
    import torch
    from sentence_transformers import CrossEncoder

    from assistant.grounding.model import GroundingModel, ModelConfig, _base_path
    from training.lodo_ship import ship

    torch.manual_seed(0)
    ce = CrossEncoder(_base_path(), num_labels=1, max_length=160, local_files_only=True)
    with torch.no_grad():  # a head that is not random noise around zero, so the probabilities spread
        ce.model.classifier.weight.normal_(0, 0.5)
    (tmp_path / "run" / "model").mkdir(parents=True)
    ce.save(str(tmp_path / "run" / "model"))
    (tmp_path / "run" / "training.json").write_text(json.dumps({"steps_done": 3}))
    scores = _variant("all", ["a"], {"a": ([False, True], [0.0, 1.0], [0.2, 0.8]),
                                     "b": ([False, True], [0.0, 1.0], [0.4, 0.6])})
    (tmp_path / "scores.json").write_text(json.dumps(scores))
    got = ship(tmp_path / "run" / "model", tmp_path / "scores.json", tmp_path / "weights")
    assert 0.4 < got.threshold <= 0.6 and got.threshold_pairs == 4  # only threshold-split scores count
    config = ModelConfig.read(tmp_path / "weights" / "config.json")
    assert config.pooling == "pooler" and config.threshold == got.threshold
    assert json.loads((tmp_path / "weights" / "training.json").read_text())["steps_done"] == 3

    pairs = [("The committee meets twice a year.", "The committee shall meet twice a year in Geneva."),
             ("Cats are reptiles.", "The committee shall meet twice a year in Geneva.")]
    shipped = GroundingModel.load(tmp_path / "weights").predict(pairs)
    expected = ce.predict(pairs, show_progress_bar=False)
    assert abs(float(expected[0]) - float(expected[1])) > 0.01
    assert max(abs(float(a) - float(b)) for a, b in zip(shipped, expected)) < 0.01  # fp16 weights

    # and back: training can go on from what ships when the run's folders are gone
    from training.lodo_ship import unship

    again = CrossEncoder(str(unship(tmp_path / "weights", tmp_path / "unshipped")), num_labels=1, max_length=160,
                         local_files_only=True).predict(pairs, show_progress_bar=False)
    assert max(abs(float(a) - float(b)) for a, b in zip(again, shipped)) < 1e-4


@pytest.mark.unit
def test_synthetic_pairs_support_a_copied_sentence_even_with_no_in_it_and_not_its_perturbed_twin():
    from random import Random

    from training.lodo_train import synthetic

    premise = ("No Party is permitted to make a reservation to Article 4. The committee shall meet 12 times a "
               "year in Geneva. Each State Party shall report to the Secretary-General every two years.")
    pairs = [LabelledPair("t", premise, "h", True, str(i)) for i in range(40)]
    out = synthetic(pairs, 60, Random(3))
    copies = [p for p in out if p.supported]
    twins = [p for p in out if not p.supported]
    assert copies and twins and all(p.hypothesis in premise for p in copies)
    assert any(p.hypothesis.startswith("No Party") for p in copies)  # "no" does not make a sentence unsupported
    assert all(p.hypothesis not in premise for p in twins)
    assert len({p.hypothesis for p in twins}) >= 3  # several kinds of perturbation, not one


@pytest.mark.unit
def test_the_full_recipes_keep_faithful_variants_supported_and_oversample_sentences_with_a_negation():
    from random import Random

    from training.recipes import NEGATED, TRAIN_REWORDS, recipe_pairs

    premises = [f"Each member shall commence the review of case {i} within 30 days of the request. The office "
                f"publishes a summary every year, however the names stay confidential. The board meets in "
                f"Vienna twice a year to approve the budget. No member may vote on a case of its own {i}."
                for i in range(80)]
    pairs = [LabelledPair("t", p, "h", True, str(i)) for i, p in enumerate(premises)]
    out = recipe_pairs(pairs, 120, Random(5), negated_share=0.35)
    again = recipe_pairs(pairs, 120, Random(5), negated_share=0.35)
    assert out == again and len(out) == 120
    good = [p for p in out if p.supported]
    bad = [p for p in out if not p.supported]
    assert len(good) == len(bad)  # one faithful variant and one perturbation per sentence
    assert all(p.hypothesis not in p.premise for p in bad)  # a perturbation never equals the source text
    assert any(p.hypothesis.startswith("No member") for p in good)  # copied "No ..." sentences are supported
    assert any(", and " in p.hypothesis for p in bad)  # an added clause is a kind of its own
    # a quarter of the sentences of these premises hold a negation; the recipes draw about a third or more
    negated = sum(bool(NEGATED.search(p.hypothesis)) for p in good) / len(good)
    assert negated > 0.3
    # the rewordings are faithful variants, and none is one of the strict-mode bench's rewordings
    assert any("begin" in p.hypothesis or " but " in p.hypothesis for p in good)
    import importlib.util
    import pathlib
    spec = importlib.util.spec_from_file_location("sp", pathlib.Path(__file__).parents[2] / "bench" / "strict_paraphrase.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert not {p for p, _ in TRAIN_REWORDS} & {p for p, _ in bench.REWORDS}


@pytest.mark.unit
def test_hard_neighbours_are_sibling_sentences_in_the_same_words_that_the_premise_does_not_hold():
    """A sentence about another provision in the same register ("Parties shall take appropriate measures to X"
    against "... to Y") is the perturbation the other recipes never make: `neighbour_share` of them are that."""
    from random import Random

    from training.recipes import hard_neighbour, recipe_pairs

    s = "Parties shall take appropriate measures to promote the donation of blood."
    candidates = ["Parties shall take appropriate measures to ensure efficient co-operation between them.",
                  "The weather in the mountains was cold and wet all week long.",
                  "Parties shall take appropriate measures to promote the donation of blood, they said."]  # restates s
    assert hard_neighbour(s, "Parties shall take appropriate measures to promote the donation of blood.",
                          candidates) == candidates[0]
    assert hard_neighbour(s, candidates[0], candidates[:1]) is None  # never a sentence of the premise itself

    docs = {d: [f"Each party shall keep the records of shipment {d}{i} for five years after the delivery. The "
                f"board meets in spring {d}{i} to approve the plan of the year." for i in range(6)] for d in "ab"}
    pairs = [LabelledPair("t", p, "h", True, d) for d, ps in docs.items() for p in ps] * 5
    plain = recipe_pairs(pairs, 60, Random(2), neighbour_share=0.0)
    near = recipe_pairs(pairs, 60, Random(2), neighbour_share=1.0)
    assert recipe_pairs(pairs, 60, Random(2), neighbour_share=1.0) == near  # repeatable
    bad = [p for p in near if not p.supported]
    assert bad and all(p.hypothesis not in p.premise for p in bad)
    siblings = {x for ps in docs.values() for p in ps for x in p.split(". ")}
    assert sum(p.hypothesis.rstrip(".") in {x.rstrip(".") for x in siblings} for p in bad) >= 0.8 * len(bad)
    assert sum(p.hypothesis.rstrip(".") in {x.rstrip(".") for x in siblings} for p in plain if not p.supported) \
        < 0.5 * len(bad)  # without the share, most perturbations are edits of the sentence


@pytest.mark.unit
def test_a_sentence_is_also_judged_inside_a_short_passage_that_never_holds_its_perturbation():
    from random import Random

    from training.recipes import CONTEXT_WORDS, in_context, recipe_pairs

    s = "No member may vote on a case of its own."
    bad = "Any member may vote on a case of its own."
    candidates = ["The board meets twice a year.", bad + " It says so.", "The office publishes a summary every year.",
                  "Each member shall commence the review within 30 days.", "The budget is approved in spring."]
    for seed in range(20):
        got = in_context(s, candidates, [bad], Random(seed))
        assert s in got and bad not in got and 3 <= got.count(".") <= 5 and len(got.split()) <= CONTEXT_WORDS

    premises = [f"No member may vote on a case of its own {i}. The board meets in Vienna twice a year to approve the "
                f"budget. The office publishes a summary every year {i}." for i in range(40)]
    pairs = [LabelledPair("t", p, "h", True, str(i % 4)) for i, p in enumerate(premises)]
    out = recipe_pairs(pairs, 80, Random(1), context_share=1.0)
    assert any(p.premise not in premises for p in out)  # passages made for the sentence
    for good, wrong in zip(out[::2], out[1::2]):  # a sentence's two pairs share their passage
        assert good.supported and not wrong.supported and good.premise == wrong.premise
        assert wrong.hypothesis not in good.premise


@pytest.mark.unit
def test_a_splice_opens_in_the_premise_s_formula_and_ends_in_content_the_premise_does_not_hold():
    """"Parties shall take appropriate measures to" + another provision's content: a sibling provision drafted in
    the same formula, which the premise does not support; `splice_share` of the perturbations are that."""
    from random import Random

    from training.recipes import SPLICE_PIVOTS, recipe_pairs, splice

    premise = "Parties shall take appropriate measures to ensure efficient co-operation between their authorities."
    others = ["The register shall be kept for ten years by the ministry.", premise]
    for seed in range(10):
        got = splice(premise, others, premise, Random(seed))
        assert got is not None and got.startswith("Parties shall") and got not in premise
        assert got == "Parties shall be kept for ten years by the ministry."  # the seam at the shared "shall"
    assert splice(premise, [premise], premise, Random(0)) is None  # no tail the premise does not hold

    # premises in two formulas whose content words differ from premise to premise, so a splice's tail brings words
    # its premise lacks
    things = ["harbour archives", "tunnel drawings", "river gauges", "orchard ledgers", "glacier maps", "bridge permits",
              "mining charters", "forest surveys", "railway timetables", "lighthouse logs", "vineyard deeds", "quarry rolls"]
    places = ["Lisbon", "Oslo", "Tallinn", "Porto", "Bergen", "Riga", "Gdansk", "Turku", "Malmo", "Aarhus", "Tartu", "Vigo"]
    docs = {d: [f"Each party shall keep the {things[k]} for five years after their delivery. The board meets in "
                f"{places[k]} to approve the yearly {things[(k + 5) % 12]} budget." for k in range(i, 12, 2)]
            for i, d in enumerate("ab")}
    pairs = [LabelledPair("t", p, "h", True, d) for d, ps in docs.items() for p in ps] * 5
    sentences = [x.rstrip(".") + "." for ps in docs.values() for p in ps for x in p.split(". ")]

    def is_splice(p: LabelledPair) -> bool:
        """A sentence of its premise up to a pivot word, then what follows that word in another sentence."""
        words, own = p.hypothesis.split(), [x.rstrip(".") + "." for x in p.premise.split(". ")]
        for m in own:
            mw = m.split()
            for i in range(1, len(mw)):
                if mw[i].lower() in SPLICE_PIVOTS and words[: i + 1] == mw[: i + 1]:
                    rest = " ".join(words[i + 1:])
                    if any(x not in own and f" {mw[i]} {rest}" in f" {x}" and x.endswith(rest) for x in sentences):
                        return True
        return False

    out = recipe_pairs(pairs, 60, Random(2), splice_share=1.0)
    assert out == recipe_pairs(pairs, 60, Random(2), splice_share=1.0)  # repeatable
    bad = [p for p in out if not p.supported]
    assert sum(map(is_splice, bad)) >= 0.8 * len(bad) and all(p.hypothesis not in p.premise for p in bad)
    plain = [p for p in recipe_pairs(pairs, 60, Random(2)) if not p.supported]
    assert sum(map(is_splice, plain)) < 0.3 * len(plain)  # without the share, few perturbations are that


@pytest.mark.unit
def test_the_flip_share_makes_undoing_a_negation_the_usual_perturbation_of_a_negated_sentence():
    from random import Random

    from training.recipes import recipe_pairs

    premises = [f"No member may vote on a case of its own {i}. The board meets in Vienna twice a year to approve the "
                f"budget of {i}." for i in range(60)]
    pairs = [LabelledPair("t", p, "h", True, str(i % 4)) for i, p in enumerate(premises)]

    def undone(out):
        return sum(p.hypothesis.startswith("Any member may vote") for p in out if not p.supported)

    plain = recipe_pairs(pairs, 80, Random(1), negated_share=1.0)
    flipped = recipe_pairs(pairs, 80, Random(1), negated_share=1.0, flip_share=1.0)
    assert undone(flipped) == len([p for p in flipped if not p.supported]) > undone(plain)


@pytest.mark.unit
def test_the_recipes_are_the_same_whatever_the_process_s_hash_seed(tmp_path):
    """Names swapped in were picked from a set, whose order changes with PYTHONHASHSEED: the "recipes" row and the
    training pairs differed from run to run."""
    import os
    import subprocess
    import sys

    script = ("from random import Random\n"
              "from training.perturb import swap_entity\n"
              "ctx = 'Alpha Corp met Beta Ltd, Gamma Inc, Delta Group, Epsilon Bank and Zeta Fund in Paris and Rome.'\n"
              "print([swap_entity('The deal with Alpha Corp was signed in Paris.', ctx, Random(i)) for i in range(8)])\n")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(runs) == 1 and "None" not in runs.pop()


@pytest.mark.unit
def test_the_strict_bench_drafts_a_sibling_provision_as_an_unsupported_sentence():
    import importlib.util
    import pathlib
    from random import Random

    spec = importlib.util.spec_from_file_location("sp", pathlib.Path(__file__).parents[2] / "bench" / "strict_paraphrase.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    chunk = "Article 8. Parties shall provide information for health professionals on the need for donors."
    sentence = "Parties shall provide information for health professionals on the need for donors."
    siblings = [sentence, "Parties shall take all appropriate measures to promote the donation of blood by donors.",
                "The Secretary General shall notify the member States of any signature."]
    got = {kind: (d, ok) for d, kind, ok in bench.drafts(sentence, chunk, Random(0), siblings)}
    assert got["sibling"] == (siblings[1], False)  # never the chunk's own sentence
    assert "sibling" not in {k for _, k, _ in bench.drafts(sentence, chunk, Random(0))}  # no document, no sibling


@pytest.mark.unit
def test_the_recipes_row_is_made_from_premises_of_the_threshold_and_test_splits_only(tmp_path):
    from training.nli_data import RECIPES, SETS, split_of

    root = tmp_path / "nli"
    for name, info in SETS.items():
        if not info.shippable or name == RECIPES:
            continue
        (root / name).mkdir(parents=True)
        rows = [{"premise": f"The board of {name} {i} shall not meet before the budget is approved. It meets twice "
                            f"a year in Vienna and publishes a summary {i}.", "hypothesis": f"h {i}",
                 "label": "entailment", "split": "train", "source_id": f"doc{i}:x"} for i in range(60)]
        (root / name / "pairs.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    made = load_set(RECIPES, root, tmp_path / "scifact")
    assert made and {p.set_name for p in made} == {RECIPES}
    assert not in_split(made, "train")  # no recipe pair from a premise some model trains on
    for p in made[:50]:
        source, _, group = p.group.partition("|")
        assert split_of(RECIPES, p.group) == split_of(source, group) != "train"
    assert load_set(RECIPES, root, tmp_path / "scifact") == made  # the same on every run
    assert 0.4 < sum(p.supported for p in made) / len(made) < 0.6


@pytest.mark.unit
def test_other_weights_scored_by_baselines_show_as_their_own_verifier_and_model_columns_at_their_threshold():
    from training.lodo_report import matrix_markdown

    def variant(name):
        return {"variant": name, "trained_on": ["a"], "sets": {
            "a": {"test": {"scores": [1.0, 0.0], "decisions": [True, False], "gold": [True, False]}},
            "b": {"test": {"scores": [1.0, 0.0], "decisions": [False, False], "gold": [True, False]}}}}

    table = matrix_markdown([variant("nli+vetoes"), variant("nli-fixed")], ["a", "b"], held_out_parts=True)
    assert "nli verifier: model + vetoes (its t)" in table and "nli model alone (its t)" in table
    assert "| a (2) | 1.00* | 1.00* |" in table  # other documents of a set it trained on are starred
    assert "| b (2) | 0.33 | 0.33 |" in table  # its own decisions, no threshold chosen here
