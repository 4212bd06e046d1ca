"""One table of answer backends and verifiers: the settings, the CLI and the assistant all offer the same names."""

from __future__ import annotations

import click
import pytest

from lexcite.errors import ConfigError
from lexcite.registry import BACKENDS, VERIFIERS
from lexcite.settings import load_settings


@pytest.mark.unit
def test_every_backend_and_verifier_in_the_table_can_be_built():
    import assistant.registry  # noqa: F401 - attaches the builders

    assert BACKENDS.missing() == [] and VERIFIERS.missing() == []
    assert BACKENDS.names[0] == "extractive" and set(BACKENDS.llm_names()) == set(BACKENDS.names) - {"extractive"}
    assert all(c.description for c in BACKENDS.choices + VERIFIERS.choices)


@pytest.mark.unit
def test_the_settings_and_the_cli_offer_exactly_the_table():
    from ui.cli.main import main

    for name in BACKENDS.names:
        assert load_settings(env={"LEXCITE_BACKEND": name}).backend == name
    with pytest.raises(ConfigError, match="is not one of extractive, openai, ollama, local"):
        load_settings(env={"LEXCITE_BACKEND": "gpt"})
    with pytest.raises(ConfigError, match="must be 'auto', 'model' or 'heuristics'"):
        load_settings(env={"LEXCITE_VERIFIER": "llm"})

    def choices(command: click.Command, option: str) -> tuple[str, ...]:
        (param,) = [p for p in command.params if p.name == option]
        return tuple(param.type.choices)

    assert choices(main.commands["quiz"], "backend") == BACKENDS.names
    assert choices(main.commands["eval"].commands["grounding"], "verifier_kind") == VERIFIERS.names


@pytest.mark.unit
def test_an_assistant_offers_the_extractive_backend_and_the_llm_backends_its_settings_allow(settings, hash_embedder):
    from assistant.service import Assistant

    plain = Assistant.from_settings(settings.with_overrides(verifier="heuristics"), hash_embedder)
    assert plain.available_backends()[0] == "extractive" and "openai" not in plain.available_backends()
    served = Assistant.from_settings(settings.with_overrides(verifier="heuristics", llm_base_url="http://127.0.0.1:9/v1",
                                                             llm_model="m"), hash_embedder)
    assert {"extractive", "openai", "ollama"} <= set(served.available_backends())
