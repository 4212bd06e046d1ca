"""UI fixtures: Services around the fake assistant, with a real (temp) index for the Library."""

from __future__ import annotations

import pytest

from tests.ui.fakes import FakeAssistant


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
