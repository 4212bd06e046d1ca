"""A new session costs less: Gradio's per-session config of every block is built with remembered
signatures, and comes out exactly as Gradio builds it on its own."""

from __future__ import annotations

import inspect

import pytest


@pytest.mark.unit
def test_a_new_session_gets_the_same_config_of_every_block_with_the_signatures_remembered(ui_services, monkeypatch):
    import gradio.blocks
    from gradio.state_holder import SessionState

    from ui.web import gradio_speed
    from ui.web.app import build_app

    demo = build_app(ui_services)
    assert isinstance(gradio.blocks.inspect, gradio_speed._CachedInspect)
    remembered = SessionState(demo).config_values
    monkeypatch.setattr(gradio.blocks, "inspect", inspect)  # Gradio as shipped
    plain = SessionState(demo).config_values
    assert len(plain) > 50 and remembered == plain
    gradio_speed.install()
    gradio_speed.install()  # twice is once
    cached = gradio.blocks.inspect
    assert isinstance(cached, gradio_speed._CachedInspect) and cached.isclass is inspect.isclass
    assert cached.signature(build_app) is cached.signature(build_app)  # remembered, not rebuilt
    assert str(cached.signature(build_app)) == str(inspect.signature(build_app))
