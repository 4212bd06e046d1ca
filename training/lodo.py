"""Leave-one-dataset-out: honest figures for the verifier, and small training runs (issue 19).

    python -m training.lodo baselines --out /tmp/s23v/eval     # shipped verifier, heuristics, bare model, coverage
    python -m training.lodo train --fold contractnli --out /tmp/s23v/fold-contractnli --max-minutes 12 [--resume]
    python -m training.lodo score --model /tmp/s23v/fold-contractnli/model --out /tmp/s23v/eval
    python -m training.lodo report --out /tmp/s23v/eval --markdown /tmp/s23v/matrix.md
    python -m training.lodo vetoes --test-n 300 --markdown /tmp/s23v/vetoes.md   # each veto's precision alone
    python -m training.lodo ship --model DIR/model --scores OUT/scores/V.json --weights-dir assistant/grounding/weights
    python -m training.lodo train --out DIR --base PREV/model --recipes full --synthetic-share 1.0   # the corpus checks' recipes too
    python -m training.lodo score --sets recipes --model DIR/model --out OUT   # add one row to a variant's scores

Every set (training/nli_data.py) is split by group (contract, claim, premise) into train / threshold /
test. `baselines` and `score` score a seeded, stratified sample of each set's test split (at most
--test-n) and threshold split (at most --threshold-n) and keep the scores in `<out>/scores/*.json`;
`report` turns them into the matrix. The `recipes` row is made from the threshold and test premises of
the shippable sets (training/nli_data.py). A fold's model is trained on the train splits of the shippable
sets (CC BY / CC BY-SA / BSD) other than the held-out one; it is reported only on sets it never saw.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from training.lodo_eval import Scored, coverage_scores, cross_encoder_scores, verifier_scores
from training.lodo_report import matrix_markdown
from training.lodo_train import add_recipe_shares, recipe_shares
from training.nli_data import RECIPES, SETS, LabelledPair, in_split, load_set, stratified_sample

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def samples(args) -> dict[str, dict[str, list[LabelledPair]]]:
    """{set: {"test": [...], "threshold": [...]}}, the same pairs on every run with the same seed."""
    out = {}
    for name in args.sets:
        pairs = load_set(name, args.nli, args.scifact)
        out[name] = {"test": stratified_sample(in_split(pairs, "test"), args.test_n, args.seed),
                     "threshold": stratified_sample(in_split(pairs, "threshold"), args.threshold_n, args.seed)}
    return out


def _write(out: Path, variant: str, scored: dict, meta: dict) -> None:
    """Write a variant's scores; the sets of an earlier file for the same variant that were not scored now are
    kept (`--sets recipes` adds a row without re-scoring the others)."""
    (out / "scores").mkdir(parents=True, exist_ok=True)
    path = out / "scores" / f"{variant}.json"
    earlier = json.loads(path.read_text(encoding="utf-8")).get("sets", {}) if path.is_file() else {}
    data = {"variant": variant, **meta, "sets": {**earlier, **{
        s: {split: {"scores": list(v.scores), "decisions": list(v.decisions) if v.decisions else None,
                    "gold": [p.supported for p in pairs]} for split, (v, pairs) in by.items()}
        for s, by in scored.items()}}}
    path.write_text(json.dumps(data), encoding="utf-8")


def cmd_vetoes(args) -> None:
    """Each veto's precision where it overturns the model, per set (the test or threshold split), as Markdown."""
    import math

    from ingest.embedder import get_embedder
    from training.lodo_eval import veto_breakdown

    embedder = get_embedder("")
    lines = ["| set | veto | pairs | fires | overturns the model's 'supported' | right to (unsupported) | precision |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, by in samples(args).items():
        logging.info("%s %s: %d pairs", name, args.split, len(by[args.split]))
        for r in veto_breakdown(by[args.split], embedder):
            p = "–" if math.isnan(r.precision) else f"{r.precision:.2f}"
            lines.append(f"| {name} | {r.veto} | {r.pairs} | {r.fired} | {r.overturned} | {r.right} | {p} |")
    text = "\n".join(lines) + "\n"
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    print(text)


def cmd_baselines(args) -> None:
    from ingest.embedder import get_embedder

    embedder = get_embedder("")
    per_variant: dict[str, dict] = {}
    for name, by in samples(args).items():
        for split, pairs in by.items():
            logging.info("%s %s: %d pairs", name, split, len(pairs))
            got = verifier_scores(pairs, embedder, weights_dir=args.weights)
            if args.weights:  # other weights: their verifier and their model alone, each at its shipped threshold
                got = {f"{args.name}+vetoes": got["shipped"], f"{args.name}-fixed": got["model_fixed"]}
            else:
                got["coverage"] = coverage_scores(pairs)
            for variant, scored in got.items():
                per_variant.setdefault(variant, {}).setdefault(name, {})[split] = (scored, pairs)
    shipped_on = shipped_training_sets(args.weights)
    for variant, scored in per_variant.items():
        _write(args.out, variant, scored, {"trained_on": shipped_on if variant not in ("coverage", "heuristics")
                                           else None})


def shipped_training_sets(weights_dir: Path | None = None) -> list[str] | None:
    """The sets whose train splits the shipped grounding model learned from (its training.json), so the matrix
    marks their rows; None for a model trained outside training.lodo (its SciFact rows use its own hold-out)."""
    from assistant.grounding.model import WEIGHTS_DIR

    record = Path(weights_dir or WEIGHTS_DIR) / "training.json"
    saved = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    data = saved.get("data")
    if not isinstance(data, dict):
        return None
    full = (saved.get("config") or {}).get("recipes") == "full"  # trained on the recipes of train premises
    return [s for s in data if s not in ("synthetic", "recipes")] + (["recipes"] if full else [])


def cmd_score(args) -> None:
    import torch
    from sentence_transformers import CrossEncoder

    torch.set_num_threads(2)
    model = CrossEncoder(str(args.model), local_files_only=True, max_length=args.max_len)
    record = json.loads((args.model.parent / "training.json").read_text())
    # synthetic pairs come from the train split's premises: the recipes row's pairs are other premises
    trained_on = [s for s in record["data"] if s != "synthetic"] + (["recipes"] if "synthetic" in record["data"] else [])
    scored: dict[str, dict] = {}
    for name, by in samples(args).items():
        for split, pairs in by.items():
            logging.info("%s %s: %d pairs", name, split, len(pairs))
            scored.setdefault(name, {})[split] = (cross_encoder_scores(pairs, model, args.window_tokens), pairs)
    variant = args.name or f"trained-{args.model.parent.name}"
    _write(args.out, variant, scored, {"trained_on": trained_on, "steps": record["steps_done"],
                                       "minutes": sum(r["minutes"] for r in record["runs"]),
                                       "max_len": args.max_len, "window_tokens": args.window_tokens})


def cmd_ship(args) -> None:
    from training.lodo_ship import ship

    data = json.loads(args.scores.read_text(encoding="utf-8"))
    if (data.get("max_len"), data.get("window_tokens")) != (args.max_len, args.window_tokens):
        sys.exit(f"{args.scores} was scored with max_len {data.get('max_len')} / window {data.get('window_tokens')}: "
                 f"ship with the same (--max-len, --window-tokens) or re-score, so the threshold fits")
    got = ship(args.model, args.scores, args.weights_dir, args.max_len, args.window_tokens)
    print(json.dumps({"weights_dir": str(got.weights_dir), "threshold": got.threshold,
                      "threshold_pairs": got.threshold_pairs, "tensors": got.tensors}, indent=1))


def cmd_unship(args) -> None:
    from training.lodo_ship import unship

    print(json.dumps({"model": str(unship(args.weights_dir, args.out))}))


def cmd_train(args) -> None:
    from training.lodo_train import TrainConfig, train

    held = set(args.fold or [])
    # the recipes row is made from threshold and test premises only: training makes its own (--recipes full)
    sets = tuple(args.train_sets or [n for n, info in SETS.items() if info.shippable and n not in held | {RECIPES}])
    if held & set(sets):
        sys.exit(f"--train-sets includes the held-out set {sorted(held & set(sets))}; drop it or change --fold")
    out = Path(args.out)
    if (out / "checkpoint").exists() and not args.resume:
        sys.exit(f"{out}/checkpoint exists: pass --resume to continue it, or choose another --out")
    cfg = TrainConfig(out_dir=out, train_sets=sets, nli_root=args.nli, scifact_root=args.scifact,
                      per_set=args.per_set, steps=args.steps, batch=args.batch, lr=args.lr,
                      max_minutes=args.max_minutes, seed=args.seed, base=str(args.base or ""),
                      synthetic_share=args.synthetic_share, recipes=args.recipes, **recipe_shares(args))
    result = train(cfg)
    print(json.dumps({"out": str(result.out_dir), "steps_done": result.steps_done, "finished": result.finished,
                      "minutes": round(result.minutes, 1), "data": result.data}, indent=1))


def cmd_report(args) -> None:
    variants = [json.loads(p.read_text()) for p in sorted((args.out / "scores").glob("*.json"))]
    text = matrix_markdown(variants, list(args.sets), held_out_parts=args.held_out_parts)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    print(text)


def main(argv: list[str] | None = None) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--nli", type=Path, default=_SHARED / "nli")
    common.add_argument("--scifact", type=Path, default=_SHARED / "scifact-dev")
    common.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    common.add_argument("--test-n", type=int, default=400)
    common.add_argument("--threshold-n", type=int, default=200)
    common.add_argument("--seed", type=int, default=0)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("baselines", parents=[common], help="score the shipped verifier, heuristics, bare model, coverage")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--weights", type=Path, default=None,
                   help="other shipped grounding weights (e.g. assistant/grounding/weights-nli): score their verifier "
                        "and their model alone, each at their threshold, as variants NAME+vetoes and NAME-fixed")
    p.add_argument("--name", default="nli", help="with --weights: the variants' name")
    p = sub.add_parser("score", parents=[common], help="score a trained CrossEncoder folder")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--name", default="")
    p.add_argument("--max-len", type=int, default=256, help="word pieces per (sentence, window) pair")
    p.add_argument("--window-tokens", type=int, default=200, help="word pieces per passage window")
    p = sub.add_parser("ship", help="convert a trained CrossEncoder into the grounding model's weights folder, "
                                    "its threshold chosen on the pooled threshold splits of a score file")
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--scores", type=Path, required=True, help="the model's `score` output (scores/<variant>.json)")
    p.add_argument("--weights-dir", type=Path, required=True)
    p.add_argument("--max-len", type=int, default=160)
    p.add_argument("--window-tokens", type=int, default=120)
    p = sub.add_parser("unship", help="turn a shipped weights folder back into a CrossEncoder folder, to train on "
                                      "from it (--base) when the run that made it is gone")
    p.add_argument("--weights-dir", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("train", parents=[common], help="train a CrossEncoder without the held-out set(s)")
    p.add_argument("--fold", nargs="*", default=[], help="held-out set(s), never trained on")
    p.add_argument("--train-sets", nargs="*", default=None, help="default: every shippable set but the fold")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--max-minutes", type=float, default=12.0)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=4e-5)
    p.add_argument("--per-set", type=int, default=3000)
    p.add_argument("--synthetic-share", type=float, default=0.1,
                   help="synthetic pairs (premise sentences and their perturbed copies) per real pair")
    p.add_argument("--recipes", choices=("twins", "full"), default="twins",
                   help="synthetic pairs: a copy and one perturbed twin, or the corpus checks' full recipes "
                        "(faithful variants, rewordings, added clauses and figures, negated sentences oversampled)")
    add_recipe_shares(p, negated=0.35)
    p.add_argument("--base", type=Path, default=None,
                   help="start from this CrossEncoder folder (a trained model) instead of all-MiniLM-L6-v2")
    p = sub.add_parser("vetoes", parents=[common], help="each veto's precision where it overturns the model, per set")
    p.add_argument("--split", choices=("test", "threshold"), default="test",
                   help="decide on the threshold split, report on the test split")
    p.add_argument("--markdown", type=Path, default=None)
    p = sub.add_parser("report", parents=[common], help="the matrix, as Markdown, from the scores in --out")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--held-out-parts", action="store_true",
                   help="also show a trained model on the test split of sets it trained on (other documents or "
                        "claims than it saw), marked *")
    p.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    {"baselines": cmd_baselines, "score": cmd_score, "train": cmd_train, "report": cmd_report,
     "vetoes": cmd_vetoes, "ship": cmd_ship, "unship": cmd_unship}[args.cmd](args)


if __name__ == "__main__":
    main()
