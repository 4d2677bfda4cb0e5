"""The store: migrations, WAL, idempotent schema, timezone-aware timestamps, accounts."""

import sqlite3
from datetime import UTC

import pytest
from sqlalchemy import inspect, select

from rabkor.core.accounts import LoginFailed, authenticate, create_user
from rabkor.core.errors import RabkorError
from rabkor.core.store.models import Item, ItemStatus, Source


def test_migration_creates_the_whole_domain(any_store):
    store = any_store
    tables = set(inspect(store.engine).get_table_names())
    assert {"sources", "items", "translations", "users", "submissions", "decisions",
            "web_sessions", "alembic_version"} <= tables
    store.migrate()  # a second run changes nothing and does not fail


def test_sqlite_runs_in_wal_mode(store, settings):
    conn = sqlite3.connect(settings.data_dir / "rabkor.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_timestamps_come_back_aware_and_items_start_pending(any_store):
    store = any_store
    with store.transaction() as s:
        src = Source(feed_url="http://example.org/feed", title="Example")
        s.add(src)
        s.flush()
        s.add(Item(source_id=src.id, url="http://example.org/a", title="A"))
    with store.read() as s:
        item = s.scalar(select(Item))
        assert item.status is ItemStatus.PENDING
        assert item.fetched_at.tzinfo is UTC


def test_accounts_hash_with_argon2_and_refuse_wrong_passwords(any_store):
    store = any_store
    with store.transaction() as s:
        user = create_user(s, "maria", "correct horse", "editor")
        assert user.password_hash.startswith("$argon2")
    with store.transaction() as s:
        assert authenticate(s, "maria", "correct horse").username == "maria"
        for username, password in (("maria", "wrong horse"), ("nobody", "correct horse")):
            with pytest.raises(LoginFailed, match="wrong username or password"):
                authenticate(s, username, password)


def test_account_errors_are_readable(store):
    with store.transaction() as s, pytest.raises(RabkorError, match="at least 8"):
        create_user(s, "x", "short", "editor")
    with store.transaction() as s, pytest.raises(RabkorError, match="unknown role"):
        create_user(s, "x", "long enough", "emperor")
