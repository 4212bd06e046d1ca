"""`lexcite eval retrieval --beir DIR` on a small BEIR-format set written here (never ../shared)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from eval.beir import STRIDE_WORDS, WINDOW_WORDS, doc_chunks, load_beir, rank_documents
from ingest.embedder import HashEmbedder
from lexcite.errors import ConfigError

pytestmark = pytest.mark.unit

FILLER = ("the committee reviewed many routine administrative matters during its annual session and "
          "adopted several procedural reports without further discussion ").split()

DOCS = {
    "d1": ("Kidney transplantation", "Living donors give a kidney to relatives after counselling."),
    "d2": ("Liver grafts", "Split liver grafts allow two recipients to share one deceased donor organ."),
    "d3": ("Broker networks", "Brokers recruit sellers in poor villages and arrange travel abroad."),
    "d4": ("Prosecution", "Prosecutors charged the surgeon under the trafficking statute."),
    "d5": ("Consent", "Valid consent must be informed, free and revocable before any removal."),
    # a long document whose relevant words sit in its last window only
    "d6": ("Annual report", " ".join(FILLER * 20) + " The ethics board audited corneal tissue banks."),
    "d7": ("Weather", "Rain is expected in the north with mild temperatures."),
    "d8": ("Recipes", "Bake the bread for forty minutes at a high temperature."),
}
QUERIES = {
    "q1": ("kidney from living donors", {"d1": 1}),
    "q2": ("surgeon charged under trafficking statute", {"d4": 1}),
    "q3": ("ethics board audit of corneal tissue banks", {"d6": 2}),
    "q4": ("brokers recruit sellers in villages", {"d3": 1, "d2": 0}),
}


def write_beir(root, queries=QUERIES, split="test"):
    root.mkdir(parents=True, exist_ok=True)
    with (root / "corpus.jsonl").open("w") as fh:
        for i, (title, text) in DOCS.items():
            fh.write(json.dumps({"_id": i, "title": title, "text": text}) + "\n")
    with (root / "queries.jsonl").open("w") as fh:
        for i, (text, _) in queries.items():
            fh.write(json.dumps({"_id": i, "text": text, "metadata": {}}) + "\n")
        fh.write(json.dumps({"_id": "unjudged", "text": "nobody judged this one"}) + "\n")
    (root / "qrels").mkdir(exist_ok=True)
    with (root / "qrels" / f"{split}.tsv").open("w") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for i, (_, rel) in queries.items():
            for d, g in rel.items():
                fh.write(f"{i}\t{d}\t{g}\n")
    return root


@pytest.fixture
def beir_dir(tmp_path):
    return write_beir(tmp_path / "mini-beir")


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.calls: list[int] = []

    def embed(self, texts):
        self.calls.append(len(texts))
        return super().embed(texts)


@pytest.fixture
def fake_model(monkeypatch):
    embedder = CountingEmbedder()
    monkeypatch.setattr("ingest.embedder.get_embedder", lambda *a, **kw: embedder)
    return embedder


def run_cli(*args):
    from ui.cli.main import main

    result = CliRunner().invoke(main, ["eval", "retrieval", "--no-progress", *map(str, args)])
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout), result.stderr


def test_loading_skips_the_header_unjudged_queries_and_zero_grades(beir_dir):
    data = load_beir(beir_dir, "test")
    assert set(data.queries) == {"q1", "q2", "q3", "q4"}
    assert data.qrels["q4"] == {"d3": 1} and data.qrels["q3"] == {"d6": 2}
    assert data.corpus["d2"][0] == "Liver grafts"


def test_a_missing_split_names_the_file_and_the_splits_present(beir_dir):
    with pytest.raises(ConfigError, match=r"qrels/train.tsv not found \(splits present: test"):
        load_beir(beir_dir, "train")
    with pytest.raises(ConfigError, match="corpus.jsonl"):
        load_beir(beir_dir / "nowhere", "test")


def test_a_long_document_becomes_overlapping_windows_that_fit_the_model():
    title, text = DOCS["d6"]
    chunks = doc_chunks("d6", title, text)
    assert len(chunks) > 1
    assert all(len(c.text.split()) <= WINDOW_WORDS for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[1].start < chunks[0].end  # windows overlap
    assert len(chunks[0].text.split()) - STRIDE_WORDS == len(text[chunks[1].start : chunks[0].end].split())
    assert chunks[-1].text.endswith("corneal tissue banks.") and {c.section for c in chunks} == {title}
    assert len(doc_chunks("d1", *DOCS["d1"])) == 1


def test_a_document_ranks_where_its_best_chunk_ranks():
    assert rank_documents(["d2", "d1", "d2", "d3"], 10) == ["d2", "d1", "d3"]
    assert rank_documents(["d2", "d1", "d2", "d3"], 2) == ["d2", "d1"]


def test_eval_prints_the_design_json_and_all_three_retrievers(beir_dir, fake_model, _isolated_data_dir):
    out, err = run_cli("--beir", beir_dir, "--split", "test", "--retriever", "lexical")
    assert set(out) >= {"queries", "ndcg@10", "recall@10", "recall@100", "mrr@10", "retriever", "seconds"}
    assert out["queries"] == 4 and out["retriever"] == "lexical" and out["seconds"] > 0
    # every query shares rare words with its document, so BM25 puts it first
    assert out["mrr@10"] == pytest.approx(1.0) and out["ndcg@10"] == pytest.approx(1.0)
    for name in ("dense ", "lexical ", "hybrid ", "hybrid-rrf "):
        row = next(line for line in err.splitlines() if line.startswith(name)).split()
        assert all(0.0 <= float(x) <= 1.0 for x in row[1:]), row
    assert not (_isolated_data_dir / "catalog.sqlite3").exists()  # the user's index is never touched


def test_limit_queries_and_the_embedding_cache(beir_dir, fake_model, tmp_path):
    cache = tmp_path / "cache"
    out, _ = run_cli("--beir", beir_dir, "--limit-queries", "2", "--cache-dir", cache)
    assert out["queries"] == 2 and out["retriever"] == "hybrid"
    assert not math.isnan(out["ndcg@10"])
    assert len(list(cache.glob("*.npy"))) == 1
    fake_model.calls.clear()
    again, _ = run_cli("--beir", beir_dir, "--limit-queries", "2", "--cache-dir", cache)
    assert fake_model.calls == [2]  # only the two queries, in one call: the corpus came from the cache
    assert again["ndcg@10"] == out["ndcg@10"]


def test_a_folder_that_is_not_beir_fails_with_a_fix(tmp_path, fake_model):
    from ui.cli.main import main

    result = CliRunner().invoke(main, ["eval", "retrieval", "--beir", str(tmp_path), "--no-progress"])
    assert result.exit_code == 2
    assert "corpus.jsonl not found" in result.stderr and "Traceback" not in result.stderr
