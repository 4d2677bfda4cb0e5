"""Fixtures every stage's tests share: settings on a temporary data directory, a migrated
store, and a loopback feed server over the real-world feeds in tests/data/feeds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from tests.feedserver import FeedServer

DATA = Path(__file__).parent / "data"
FEEDS = DATA / "feeds"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose optional system part is missing, and say which part it is."""
    have_apertium = _apertium_has_pair("eng-spa")
    for item in items:
        if "requires_apertium" in item.keywords and not have_apertium:
            item.add_marker(pytest.mark.skip(reason="apertium with eng-spa is not installed"))


def _apertium_has_pair(pair: str) -> bool:
    import subprocess

    if shutil.which("apertium") is None:
        return False
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return pair in out.stdout.split()


@pytest.fixture(scope="session")
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer(FEEDS)
    yield server
    server.close()


@pytest.fixture
def settings(tmp_path: Path, feed_server: FeedServer) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        languages=("en", "es", "de"),
        secret_key="test-secret-key",
        allowed_loopback=(feed_server.hostport,),
        fetch_timeout=5.0,
        full_text_pages=0,  # the real feeds link to real sites: pages only where a test serves them
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = Store(settings)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """The store on SQLite, and on PostgreSQL when RABKOR_TEST_DATABASE_URL names one
    (.ci/run starts a server and sets it); each test starts from an empty schema."""
    if request.param == "postgresql":
        url = os.environ.get("RABKOR_TEST_DATABASE_URL")
        if not url:
            pytest.skip("RABKOR_TEST_DATABASE_URL is not set")
        settings = settings.with_(database_url=url)
    store = Store(settings)
    if request.param == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    store.migrate()
    yield store
    store.close()
