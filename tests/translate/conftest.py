"""The fixture Argos package (built once per session) and helpers to put items in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item
from rabkor.translate import packages
from tests.argos_model import build_argosmodel


@pytest.fixture(scope="session")
def en_es_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argosmodel(tmp_path_factory.mktemp("argos") / "en_es.argosmodel", "en", "es")


@pytest.fixture
def argos_settings(settings: Settings, en_es_model: Path) -> Settings:
    """Site languages en, es, de; only Argos; the en→es fixture package installed."""
    settings = settings.with_(engines=("argos",))
    packages.install_file(settings, en_es_model)
    return settings


def add_item(store: Store, language: str | None, title: str, summary: str = "") -> int:
    with store.transaction() as session:
        item = Item(url="", title=title, summary=summary, language=language)
        session.add(item)
        session.flush()
        item.url = f"https://example.org/items/{item.id}"
        return item.id
