"""The crawler's source management as one object, for the editor's directory pages.

The editor may not import the crawler (its fetchers stay out of the web apps' imports), so
the combined server (rabkor.app.server) hands it this object: adding a source by its
address runs the same autodiscovery and address guard as `rabkor sources add`, OPML
goes through the same guarded parser, and enabling or disabling moves the source through
the health table (crawler/sources/health.py) — one place for each, whoever asks.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Source
from rabkor.crawler.sources import health, manage


class SourceDesk:
    max_opml_bytes = manage.MAX_OPML_BYTES

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store

    def add_from_site(self, url: str, *, pick: int | None = None, add_all: bool = False,
                      kind: str | None = None, **fields: object) -> manage.Added:
        """Discover the feeds behind `url` and add one (its own transaction: the network is
        not held inside a write lock)."""
        return manage.add_from_site(self.store, self.settings, url, pick=pick,
                                    add_all=add_all, kind=kind, **fields)

    def import_opml(self, session: Session, data: bytes) -> list[Source]:
        return manage.import_opml(session, data)

    def export_opml(self, session: Session) -> bytes:
        return manage.export_opml(session)

    def enable(self, session: Session, source_id: int) -> Source:
        return health.enable_source(session, source_id)

    def disable(self, session: Session, source_id: int) -> Source:
        return health.disable_source(session, source_id)

    def state(self, source: Source) -> str:
        return str(health.state_of(source))
