"""UI fixtures: Services around the fake assistant, with a real (temp) index for the Library."""

from __future__ import annotations

import pytest

from tests.support.ui_fakes import FakeAssistant


@pytest.fixture
def fake_assistant():
    return FakeAssistant()


@pytest.fixture
def ui_services(settings, hash_embedder, fake_assistant):
    from ingest import loaders
    from ingest.index import Index
    from ingest.pipeline import Ingestor
    from ui.services import Services

    index = Index(settings, hash_embedder)

    def ingest(paths, progress=None):
        return Ingestor(settings, hash_embedder, index=index).run(list(paths), progress=progress)

    return Services(settings=settings, assistant=fake_assistant, index=index, ingest=ingest,
                    supported_suffixes=tuple(sorted(loaders.SUPPORTED)))


LOGIN = ("officer", "correct-horse-battery")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(shipped_index, real_embedder):
    """The real app over the shipped corpus (real model), with a login, on a free loopback port."""
    from ui.web.app import build_app, launch
    from ui.services import services_from_settings

    services = services_from_settings(shipped_index, real_embedder, warm=True)
    demo = build_app(services)
    _, url, _ = launch(demo, host="127.0.0.1", port=free_port(), auth=[LOGIN], prevent_thread_lock=True,
                       quiet=True)
    try:
        yield url
    finally:
        demo.close()
