import pytest

from lexcite.errors import ConfigError
from lexcite.settings import load_settings


@pytest.mark.unit
def test_environment_overrides_the_config_file_and_flags_override_both(tmp_path):
    cfg = tmp_path / "lexcite.toml"
    cfg.write_text('k = 3\nbackend = "ollama"\n')
    s = load_settings(env={"LEXCITE_K": "4"}, config_file=cfg, backend="extractive")
    assert (s.k, s.backend) == (4, "extractive")


@pytest.mark.unit
def test_an_unknown_setting_is_rejected_with_the_known_names(tmp_path):
    with pytest.raises(ConfigError, match="LEXCITE_DATA_DIR"):
        load_settings(env={"LEXCITE_DATADIR": "x"})
    cfg = tmp_path / "lexcite.toml"
    cfg.write_text("colection = 'abc'\n")
    with pytest.raises(ConfigError, match="colection"):
        load_settings(env={}, config_file=cfg)


@pytest.mark.unit
def test_the_legal_dev_folder_variable_of_the_tests_is_not_taken_for_a_mistyped_setting():
    """README: `LEXCITE_LEGAL_DEV=/path make test`; exported in a shell, lexcite must still start."""
    assert load_settings(env={"LEXCITE_LEGAL_DEV": "/data/legal-dev"}) == load_settings(env={})


@pytest.mark.unit
def test_derived_model_files_are_shared_by_every_data_dir_of_the_environment(tmp_path, monkeypatch):
    import sys

    from lexcite.settings import load_settings

    monkeypatch.setattr(sys, "prefix", str(tmp_path / "env"))
    a, b = (load_settings(env={}, data_dir=tmp_path / name) for name in ("one", "two"))
    assert a.cache_dir == b.cache_dir == tmp_path / "env" / "share" / "lexcite" / "cache"
    monkeypatch.setattr("lexcite.settings.os.access", lambda path, mode: False)  # a read-only environment
    assert a.cache_dir == tmp_path / "one" / "cache"
