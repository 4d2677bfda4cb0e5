"""Engine and sessions: SQLite in WAL mode with a busy timeout by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from rabkor.core.settings import Settings
from rabkor.core.store.changes import STAMP, Stamp

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    url = settings.db_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin_immediate(conn) -> None:
    # A deferred transaction that reads, then writes, fails at once with "database is
    # locked" when another writer holds the lock; BEGIN IMMEDIATE waits the busy timeout.
    # Read-only work (page views) asks for a deferred BEGIN so it never waits on writers.
    deferred = conn.get_execution_options().get("read_only", False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def session_factory(engine: Engine, stamp: Stamp | None = None) -> sessionmaker[Session]:
    """Sessions whose commits that readers would see bump `stamp` (core/store/changes.py)."""
    return sessionmaker(engine, expire_on_commit=False,
                        info={STAMP: stamp} if stamp is not None else None)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    # Alembic (with Mako and Pygments, ~12 MB) is imported only by whoever migrates, not
    # by every process that opens the store: the crawler's, the web server's
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration; running it again changes nothing."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


class Store:
    """The engine and session factories, built once from settings and passed around."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.changes = Stamp(settings.data_dir / "reader-changes.stamp")
        self.sessions = session_factory(self.engine, self.changes)
        self.read_sessions = session_factory(self.engine.execution_options(read_only=True))

    def transaction(self):
        """A unit of work that writes (on SQLite it takes the write lock at once)."""
        return transaction(self.sessions)

    def read(self):
        """A unit of work that only reads; never waits on a writer."""
        return transaction(self.read_sessions)

    def migrate(self) -> None:
        migrate(self.engine)

    def __deepcopy__(self, memo: dict) -> Store:
        """The same store: it is a handle on one engine and its pool, and a copy would open
        a second pool (Scrapy deep-copies its settings, which carry the crawl's store)."""
        return self

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings) -> Store:
    """The store with its schema brought up to date: what every command starts from."""
    store = Store(settings)
    store.migrate()
    return store
