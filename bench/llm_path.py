"""The LLM path on a real OpenAI-compatible server, 8 questions of the shipped golden set (the first six
answerable and the first two unanswerable by id), for one checkout of the code: what the model drafted,
what the verifier kept, and how long it took. Not a test; run it once per checkout to compare them.

    # a llama.cpp server with the shipped SmolLM2 GGUF (`make llm-server` builds it):
    .venv/bin/python -m llama_cpp.server --model "$(.venv/bin/python -c 'from assistant.backends.local import default_gguf; print(default_gguf())')" \
        --model_alias smollm2-135m --host 127.0.0.1 --port 8765 --n_ctx 4096 --n_threads 2 &
    .venv/bin/python bench/llm_path.py --url http://127.0.0.1:8765/v1 --data /tmp/lexcite-data > after.jsonl
    git worktree add /tmp/before <commit>; .venv/bin/python bench/llm_path.py --code /tmp/before ... > before.jsonl
    .venv/bin/python bench/llm_path.py --table before.jsonl after.jsonl

One JSON line per question: drafted and kept sentences, each kept sentence with the quote it cites (to judge
by hand whether it states something the quote does not: an invented fact kept), status and latency.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def questions(golden: Path) -> list[dict]:
    rows = [json.loads(x) for x in golden.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows.sort(key=lambda r: r["id"])
    return [r for r in rows if r["answerable"]][:6] + [r for r in rows if not r["answerable"]][:2]


def run(code: Path, url: str, model: str, data: Path) -> None:
    sys.path.insert(0, str(code))
    os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", LEXCITE_DATA_DIR=str(data),
                      LEXCITE_LLM_BASE_URL=url, LEXCITE_LLM_MODEL=model, LEXCITE_BACKEND="openai")
    import langchain_openai

    init = langchain_openai.ChatOpenAI.__init__

    def patient(self, *a, **kw):  # a busy 2-core machine: both checkouts get the same generous timeout
        kw["timeout"] = 900
        init(self, *a, **kw)

    langchain_openai.ChatOpenAI.__init__ = patient
    import assistant.llm as llm
    from assistant.service import Assistant
    from lexcite.settings import load_settings

    assert Path(llm.__file__).resolve().is_relative_to(code.resolve()), f"imported {llm.__file__}, not {code}"
    drafted: list[int] = []
    parse = llm.parse_citations

    def counting(text, n_passages):
        out = parse(text, n_passages)
        drafted.append(len(out))
        return out

    llm.parse_citations = counting
    assistant = Assistant.from_settings(load_settings())
    assistant.warm_up()
    for q in questions(code / "eval" / "golden" / "shipped.jsonl"):
        drafted.clear()
        t0 = time.perf_counter()
        a = assistant.ask(q["question"], backend="openai")
        ms = (time.perf_counter() - t0) * 1e3
        by_n = {c.n: c for c in a.citations}
        kept = [{"text": s.text, "quotes": [by_n[n].quote for n in s.citations if n in by_n]} for s in a.sentences]
        print(json.dumps({"id": q["id"], "answerable": q["answerable"], "status": a.status,
                          "drafted": sum(drafted), "kept": len(a.sentences), "ms": round(ms),
                          "kept_sentences": kept, "answer": a.answer}, ensure_ascii=False), flush=True)


def table(before: Path, after: Path) -> None:
    b = [json.loads(x) for x in before.read_text().splitlines()]
    a = {r["id"]: r for r in (json.loads(x) for x in after.read_text().splitlines())}
    print("| question | answerable | before: drafted → kept, status | after: drafted → kept, status | before ms | after ms |")
    print("|---|---|---|---|---|---|")
    for r in b:
        n = a[r["id"]]
        print(f"| {r['id']} | {'yes' if r['answerable'] else 'no'} | {r['drafted']} → {r['kept']}, {r['status']} | "
              f"{n['drafted']} → {n['kept']}, {n['status']} | {r['ms']:,} | {n['ms']:,} |")
    for name, rows in (("before", b), ("after", list(a.values()))):
        print(f"{name}: drafted {sum(r['drafted'] for r in rows)}, kept {sum(r['kept'] for r in rows)}, answered "
              f"{sum(r['status'] == 'answered' for r in rows)}/{len(rows)}, p50 {statistics.median(r['ms'] for r in rows):,.0f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--code", type=Path, default=ROOT, help="checkout whose assistant/ to run (default: this one)")
    p.add_argument("--url", default="http://127.0.0.1:8765/v1")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--data", type=Path, help="data directory with the shipped corpus ingested")
    p.add_argument("--table", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = p.parse_args()
    if args.table:
        table(*args.table)
    else:
        run(args.code, args.url, args.model, args.data)


if __name__ == "__main__":
    main()
