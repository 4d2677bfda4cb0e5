"""The crawl's one writer: every outcome a spider yields is written here, in one
transaction each (BEGIN IMMEDIATE on SQLite), as soon as it arrives.

A source's `FetchOutcome` writes its new items once each (INSERT … ON CONFLICT DO NOTHING
against the unique (source_id, guid) and url, so a crash loses nothing committed and a
re-run repeats nothing) and the source's fetch state; `PagesClaimed` and `PageOutcome`
are article pages (store/pages.py). The spiders only read the store.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Source, utcnow
from rabkor.crawler.draft import FetchOutcome, PageOutcome, PagesClaimed
from rabkor.crawler.sources.health import Event, move
from rabkor.crawler.sources.schedule import (
    Policy,
    backoff,
    disable_reason,
    items_per_day,
    poll_interval,
)
from rabkor.crawler.store.items import insert_items
from rabkor.crawler.store.pages import store_claim, store_page
from rabkor.crawler.websub.hub import note_hub

logger = logging.getLogger(__name__)

RATE_SAMPLE = 100  # the newest items a source's update rate is measured on

outcome_stored = object()  # Scrapy signal: (outcome, new_items) after each commit


def store_outcome(session: Session, outcome: FetchOutcome, *, now: datetime,
                  policy: Policy) -> int:
    """Record one source's outcome and when to fetch it next; returns its new items."""
    source = session.get(Source, outcome.source_id)
    if source is None:
        logger.warning("source vanished during the crawl source_id=%s", outcome.source_id)
        return 0
    if outcome.error is not None:
        _record_failure(source, outcome, now, policy)
        return 0
    move(source, Event.FETCH_SUCCEEDED, now)  # the source's health (sources/health.py)
    source.etag, source.last_modified = outcome.etag, outcome.last_modified
    added = 0
    if outcome.feed is not None:
        source.title = source.title or outcome.feed.title
        source.site_url = source.site_url or outcome.feed.site_url
        note_hub(source, outcome.feed.websub)
        added = insert_items(session, source.id, outcome.feed.items, now)
        source.items_per_day = items_per_day(_recent_times(session, source.id), now)
        source.server_interval = max(outcome.not_before or 0,
                                     outcome.feed.update_seconds or 0) or None
    elif outcome.not_before:
        source.server_interval = max(source.server_interval or 0, outcome.not_before)
    interval = poll_interval(source.items_per_day, source.server_interval, policy)
    source.poll_interval = int(interval.total_seconds())
    source.next_fetch_at = now + interval
    return added


def _record_failure(source: Source, outcome: FetchOutcome, now: datetime,
                    policy: Policy) -> None:
    """Back off, and disable the source when it has failed too often or too long."""
    move(source, Event.FETCH_FAILED, now, outcome.error or "")
    interval = timedelta(seconds=source.poll_interval) if source.poll_interval \
        else policy.default_interval
    source.next_fetch_at = now + backoff(source.error_count, interval, outcome.not_before)
    reason = disable_reason(source.error_count, source.failing_since, now,
                            outcome.error or "", policy)
    if reason is not None:
        move(source, Event.DISABLED_AFTER_FAILURES, now, reason)  # and its hub told to stop
        logger.warning("source disabled source_id=%s reason=%s", source.id, reason)


def _recent_times(session: Session, source_id: int) -> list[datetime]:
    """When the source's newest items appeared: published time, or when we first saw them."""
    query = (select(Item.sort_at).where(Item.source_id == source_id)
             .order_by(Item.sort_at.desc()).limit(RATE_SAMPLE))
    return list(session.scalars(query))




Outcome = FetchOutcome | PagesClaimed | PageOutcome


class StorePipeline:
    """Scrapy item pipeline: each outcome is committed as soon as it arrives; after a
    source's `FetchOutcome`, the `outcome_stored` signal tells the crawl's tally."""

    def __init__(self, crawler, store: Store, settings: Settings) -> None:
        self.crawler = crawler
        self.store = store  # the crawl's one store (crawler/process.py), closed there
        self.policy = Policy.from_settings(settings)

    @classmethod
    def from_crawler(cls, crawler) -> StorePipeline:
        return cls(crawler, crawler.settings["RABKOR_STORE"],
                   crawler.settings["RABKOR_SETTINGS"])

    def process_item(self, item: Outcome) -> Outcome:
        if isinstance(item, PagesClaimed):
            with self.store.transaction() as session:
                store_claim(session, item)
            return item
        if isinstance(item, PageOutcome):
            with self.store.transaction() as session:
                store_page(session, item)
            return item
        with self.store.transaction() as session:
            new_items = store_outcome(session, item, now=utcnow(), policy=self.policy)
        logger.debug("source stored source_id=%s new_items=%s error=%s", item.source_id,
                     new_items, item.error)
        self.crawler.signals.send_catch_log(outcome_stored, outcome=item, new_items=new_items)
        return item
