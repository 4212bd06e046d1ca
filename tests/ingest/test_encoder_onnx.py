"""The embedding model on ONNX Runtime: exported once from the shipped weights, the same vectors as torch
(int8: close ones, under their own name), chosen by `encoder_backend`."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ingest.embedder import HashEmbedder, embedder_for, get_embedder, vector_name
from ingest.encoders import OnnxEmbedder, onnx_export
from ingest.index import Index
from lexcite.errors import ConfigError
from lexcite.settings import load_settings

TEXTS = [
    "Article 5. Every person has the right to liberty and security of person.",
    "The controller shall notify the supervisory authority of a personal data breach without undue delay.",
    "Applications shall be examined by a single Member State, which shall be the one responsible.",
    "Short.",
    # longer than the model's 256-piece window: both backends must truncate it at the same place
    " ".join(["The appeal shall be lodged within thirty days of the notification of the decision."] * 30),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("encoder-cache")


@pytest.fixture(scope="module")
def torch_vectors():
    return get_embedder("", "torch").embed(TEXTS)


@pytest.mark.integration
def test_the_onnx_backend_gives_the_vectors_of_the_torch_one(cache, torch_vectors):
    onnx = OnnxEmbedder(get_embedder("").model_path, cache, "onnx", name="all-MiniLM-L6-v2")
    vecs = onnx.embed(TEXTS)
    assert vecs.shape == torch_vectors.shape and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert (vecs * torch_vectors).sum(1).min() > 0.9999
    # so it keeps the model's name, and an index built with torch is served by it unchanged
    assert vector_name("", "onnx") == get_embedder("", "torch").name


@pytest.mark.integration
def test_int8_vectors_stay_close_and_rank_like_torch_under_their_own_name(cache, torch_vectors):
    int8 = OnnxEmbedder(get_embedder("").model_path, cache, "onnx-int8", name=vector_name("", "onnx-int8"))
    vecs = int8.embed(TEXTS)
    assert (vecs * torch_vectors).sum(1).min() > 0.98
    question = "who decides which country examines an application"
    q_torch, q_int8 = get_embedder("", "torch").embed([question])[0], int8.embed([question])[0]
    assert np.argsort(-(torch_vectors @ q_torch))[:2].tolist() == np.argsort(-(vecs @ q_int8))[:2].tolist()
    assert int8.name != get_embedder("", "torch").name


@pytest.mark.integration
def test_the_export_happens_once_and_is_reused_from_the_cache(cache, monkeypatch):
    model = get_embedder("").model_path
    first = onnx_export.exported_model(model, cache, "onnx")
    stamp = first.stat().st_mtime_ns

    def no_second_export(*a, **k):
        raise AssertionError("exported again although the cache holds the model")

    monkeypatch.setattr(onnx_export, "_export_torch", no_second_export)
    again = OnnxEmbedder(model, cache, "onnx")
    assert again.embed(["reused"]).shape == (1, 384)
    assert onnx_export.exported_model(model, cache, "onnx") == first and first.stat().st_mtime_ns == stamp
    assert [p.name for p in (cache / "encoders").iterdir() if p.name.startswith(".export-")] == []


@pytest.mark.integration
def test_word_pieces_are_counted_like_the_torch_tokenizer_without_truncation(cache):
    onnx = OnnxEmbedder(get_embedder("").model_path, cache, "onnx")
    for text in TEXTS:
        assert onnx.count_tokens(text) == get_embedder("", "torch").count_tokens(text)
    assert onnx.count_tokens(TEXTS[-1]) > 256


@pytest.mark.integration
def test_questions_embedded_from_many_threads_at_once_get_their_own_vectors(cache):
    onnx = OnnxEmbedder(get_embedder("").model_path, cache, "onnx")
    alone = onnx.embed(TEXTS)
    results: dict[int, np.ndarray] = {}

    def ask(i: int) -> None:
        results[i] = onnx.embed([TEXTS[i % len(TEXTS)]] * (1 + i % 3))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, vecs in results.items():
        assert np.allclose(vecs, alone[i % len(TEXTS)], atol=1e-5)


@pytest.mark.unit
def test_the_settings_pick_the_backend_and_export_into_the_environments_cache(tmp_path):
    s = load_settings(env={"LEXCITE_ENCODER_BACKEND": "onnx-int8"}, data_dir=tmp_path / "data")
    embedder = embedder_for(s)
    assert isinstance(embedder, OnnxEmbedder) and embedder.variant == "onnx-int8"
    assert embedder.cache_dir == s.cache_dir and embedder.name.endswith("+int8")
    assert isinstance(embedder_for(s.with_overrides(embedding_model="hash")), HashEmbedder)


@pytest.mark.unit
def test_an_unknown_backend_is_refused_naming_the_choices():
    with pytest.raises(ConfigError, match="LEXCITE_ENCODER_BACKEND") as err:
        load_settings(env={"LEXCITE_ENCODER_BACKEND": "cuda"})
    assert "torch, onnx, onnx-int8" in str(err.value)


@pytest.mark.unit
def test_an_index_built_with_int8_vectors_refuses_a_backend_whose_vectors_differ(tmp_path):
    from ingest.pipeline import Ingestor

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "act.txt").write_text("Article 1\n\nEvery person has the right to liberty.\n", encoding="utf-8")
    s = load_settings(env={}, data_dir=tmp_path / "data", corpus_dir=corpus)
    int8, fp32 = HashEmbedder(), HashEmbedder()  # stand-ins carrying the names the two backends give their vectors
    int8.name, fp32.name = vector_name("", "onnx-int8"), vector_name("", "onnx")
    assert Ingestor(s, int8).run([corpus]).chunks >= 1
    with pytest.raises(ConfigError, match=r"built with the embedding model 'all-MiniLM-L6-v2\+int8'"):
        Index(s, fp32).check_model()
    Index(s, int8).check_model()  # the same backend again is fine


@pytest.mark.unit
def test_a_model_the_onnx_export_cannot_handle_says_to_use_torch(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(ConfigError, match="LEXCITE_ENCODER_BACKEND=torch"):
        OnnxEmbedder(str(tmp_path), tmp_path / "cache", "onnx")


@pytest.mark.integration
def test_the_install_step_exports_the_configured_backend_into_the_environments_cache(tmp_path, monkeypatch, capsys):
    import sys

    from ingest import onnx_install

    monkeypatch.setattr(sys, "prefix", str(tmp_path / "env"))  # a fresh environment: nothing exported yet
    monkeypatch.setenv("LEXCITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEXCITE_ENCODER_BACKEND", "onnx")
    assert onnx_install.main([]) == 0
    exported = list((tmp_path / "env" / "share" / "lexcite" / "cache" / "encoders").glob("onnx-*.onnx"))
    assert len(exported) == 1 and exported[0].stat().st_size > 10_000_000
    assert "onnx: ready" in capsys.readouterr().out
