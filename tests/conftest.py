"""Fixtures every stage's tests share: settings on a temporary data directory, a migrated
store, and a loopback feed server over the real-world feeds in tests/data/feeds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from rabkor.core import accounts
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from tests.feedserver import FeedServer
from tests.pgserver import PostgreSQLServer, unavailable_reason

DATA = Path(__file__).parent / "data"
FEEDS = DATA / "feeds"
APERTIUM_PAIRS = ("fr-es", "es-pt", "eng-cat")  # the chains tests/translate/test_routing.py uses


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose optional system part is missing, and say which part it is; keep
    the PostgreSQL tests together."""
    have_apertium = _apertium_has_pair("eng-spa")
    have_xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if "requires_apertium" in item.keywords and not have_apertium:
            item.add_marker(pytest.mark.skip(reason="apertium with eng-spa is not installed"))
        # Under xdist (--dist loadgroup) the PostgreSQL tests share one worker: one server
        # is started, not one per worker, and the one database RABKOR_TEST_DATABASE_URL
        # may name is never emptied by one worker under another's test.
        callspec = getattr(item, "callspec", None)
        if (have_xdist and callspec is not None
                and callspec.params.get("any_store") == "postgresql"):
            item.add_marker(pytest.mark.xdist_group("postgresql"))
    missing = [pair for pair in APERTIUM_PAIRS if not _apertium_has_pair(pair)]
    for item in items:
        if "requires_apertium_pairs" in item.keywords and missing:
            item.add_marker(pytest.mark.skip(reason=f"apertium pairs {', '.join(missing)} are "
                                             "not installed (.ci/run installs them)"))


def _apertium_has_pair(pair: str) -> bool:
    import subprocess

    if shutil.which("apertium") is None:
        return False
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return pair in out.stdout.split()


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 with the smallest cost, so many logins stay fast."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    dummy = hasher.hash("rabkor-no-such-user")
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: dummy)


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
        index_delay=0.0,  # a decision indexed as its request ends, which the test client waits for
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once a session (a worker's session under xdist)."""
    folder = tmp_path_factory.mktemp("migrated")
    store = Store(Settings(data_dir=folder, secret_key="test-secret-key"))
    store.migrate()
    store.close()
    assert not list(folder.glob("rabkor.db-*")), "the template's WAL was not checkpointed"
    return folder / "rabkor.db"


@pytest.fixture
def store(settings: Settings, migrated_sqlite: Path) -> Iterator[Store]:
    """A migrated store: a copy of the session's migrated SQLite file, then `migrate()` as
    ever (it finds the schema at head), which is a tenth of the time of migrating from
    nothing in each of the hundreds of tests. `any_store` still migrates from an empty
    database, on SQLite and PostgreSQL."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite, settings.data_dir / "rabkor.db")
    store = Store(settings)
    store.migrate()
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgreSQLServer]:
    """A throwaway PostgreSQL server for the session (a worker's session under xdist),
    started from the installed server binaries; skips where none is installed."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgreSQLServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """The store on SQLite and on PostgreSQL; each test starts from an empty schema.

    PostgreSQL is the database RABKOR_TEST_DATABASE_URL names when it is set (its public
    schema emptied for each test), else a new database on a throwaway server."""
    with ExitStack() as stack:
        if request.param == "postgresql":
            url = os.environ.get("RABKOR_TEST_DATABASE_URL")
            if not url:
                server = request.getfixturevalue("postgresql_server")
                url = stack.enter_context(server.database())
            settings = settings.with_(database_url=url)
        store = Store(settings)
        stack.callback(store.close)
        if request.param == "postgresql" and os.environ.get("RABKOR_TEST_DATABASE_URL"):
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        store.migrate()
        yield store
