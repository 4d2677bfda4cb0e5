"""Writing what a fetch brought: new items once each, and the source's fetch state.

Each source's outcome is written in one transaction (BEGIN IMMEDIATE on SQLite), with
INSERT … ON CONFLICT DO NOTHING against the unique (source_id, guid) and url, so a
crash loses nothing committed and a re-run repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, Source, utcnow
from rabkor.crawler.draft import DraftItem, FetchOutcome, SourceJob

logger = logging.getLogger(__name__)

MIN_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(days=1)
INSERT_CHUNK = 200  # rows per INSERT, well under SQLite's bound-parameter limit

outcome_stored = object()  # Scrapy signal: (outcome, new_items) after each commit


def due_jobs(session: Session, now: datetime,
             source_ids: Sequence[int] | None = None) -> list[SourceJob]:
    """Enabled sources whose next fetch is due; named sources are due whatever their time."""
    query = select(Source).where(Source.enabled.is_(True)).order_by(Source.id)
    if source_ids is None:
        query = query.where(or_(Source.next_fetch_at.is_(None), Source.next_fetch_at <= now))
    else:
        query = query.where(Source.id.in_(source_ids))
    return [SourceJob(s.id, s.feed_url, s.language, s.etag, s.last_modified)
            for s in session.scalars(query)]


def store_outcome(session: Session, outcome: FetchOutcome, *, now: datetime,
                  interval: timedelta) -> int:
    """Record one source's outcome; returns how many new items it brought."""
    source = session.get(Source, outcome.source_id)
    if source is None:
        logger.warning("source vanished during the crawl source_id=%s", outcome.source_id)
        return 0
    source.last_fetched_at = now
    if outcome.error is not None:
        source.error_count += 1
        source.last_error = outcome.error
        source.next_fetch_at = now + backoff(source.error_count, interval)
        return 0
    source.etag, source.last_modified = outcome.etag, outcome.last_modified
    source.error_count, source.last_error = 0, None
    source.next_fetch_at = now + interval
    if outcome.feed is None:
        return 0
    source.title = source.title or outcome.feed.title
    source.site_url = source.site_url or outcome.feed.site_url
    return insert_items(session, source.id, outcome.feed.items, now)


def backoff(error_count: int, interval: timedelta) -> timedelta:
    """Exponential back-off: the interval (at least 5 min), doubled per error, at most a day."""
    base = max(interval, MIN_BACKOFF)
    return min(base * 2 ** min(max(error_count - 1, 0), 16), MAX_BACKOFF)


def insert_items(session: Session, source_id: int, drafts: Iterable[DraftItem],
                 now: datetime) -> int:
    """Insert the drafts that are new; a known (source, GUID) or URL is skipped by the database."""
    rows = [_row(source_id, d, now) for d in drafts]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        stmt = insert(Item).values(rows[start:start + INSERT_CHUNK]).on_conflict_do_nothing()
        added += session.execute(stmt).rowcount
    return added


def _row(source_id: int, draft: DraftItem, now: datetime) -> dict[str, object]:
    return {**asdict(draft), "source_id": source_id, "status": ItemStatus.PENDING,
            "fetched_at": now, "updated_at": now}


class StorePipeline:
    """Scrapy item pipeline: each FetchOutcome is committed as soon as it arrives."""

    def __init__(self, crawler, settings: Settings) -> None:
        self.crawler = crawler
        self.interval = timedelta(seconds=settings.crawl_interval)
        self.store = Store(settings)

    @classmethod
    def from_crawler(cls, crawler) -> StorePipeline:
        return cls(crawler, crawler.settings["RABKOR_SETTINGS"])

    def process_item(self, item: FetchOutcome) -> FetchOutcome:
        with self.store.transaction() as session:
            new_items = store_outcome(session, item, now=utcnow(), interval=self.interval)
        logger.debug("source stored source_id=%s new_items=%s error=%s", item.source_id,
                     new_items, item.error)
        self.crawler.signals.send_catch_log(outcome_stored, outcome=item, new_items=new_items)
        return item

    def close_spider(self) -> None:
        self.store.close()
