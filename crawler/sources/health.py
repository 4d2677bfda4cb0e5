"""Crawl health per source, for `rabkor sources health`, and putting a disabled source back.

A source is in one of four states: never fetched, ok, failing (still retried, backing
off) or disabled (not fetched until an administrator re-enables it, with the reason).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.errors import RabkorError
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.websub.hub import drop_subscription

logger = logging.getLogger(__name__)


class State(enum.StrEnum):
    NEVER_FETCHED = "never fetched"
    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SourceHealth:
    source_id: int
    name: str
    state: State
    last_error: str | None
    items_per_day: float | None
    last_fetched_at: datetime | None
    next_fetch_at: datetime | None


def state_of(source: Source) -> State:
    if not source.enabled:
        return State.DISABLED
    if source.last_fetched_at is None:
        return State.NEVER_FETCHED
    return State.FAILING if source.last_error is not None else State.OK


def health(session: Session) -> list[SourceHealth]:
    """Every source's health, in id order; a disabled source's error is why it was disabled."""
    rows = []
    for source in session.scalars(select(Source).order_by(Source.id)):
        state = state_of(source)
        error = source.disabled_reason if state is State.DISABLED else source.last_error
        rows.append(SourceHealth(
            source_id=source.id, name=source.title or source.feed_url, state=state,
            last_error=error, items_per_day=source.items_per_day,
            last_fetched_at=source.last_fetched_at,
            next_fetch_at=None if state is State.DISABLED else source.next_fetch_at))
    return rows


def disable_source(session: Session, source_id: int) -> Source:
    """Stop crawling a source, by an administrator's hand; its hub is told at the next crawl."""
    source = session.get(Source, source_id)
    if source is None:
        raise RabkorError(f"no source with id {source_id}; `rabkor sources list` shows them")
    source.enabled, source.disabled_at = False, utcnow()
    source.disabled_reason = "disabled by an administrator"
    drop_subscription(source)
    logger.info("source disabled source_id=%s", source_id)
    return source


def enable_source(session: Session, source_id: int) -> Source:
    """Re-enable a source: its failures are forgotten and it is due at the next crawl."""
    source = session.get(Source, source_id)
    if source is None:
        raise RabkorError(f"no source with id {source_id}; `rabkor sources list` shows them")
    source.enabled = True
    source.disabled_at = source.disabled_reason = None
    source.error_count, source.failing_since, source.next_fetch_at = 0, None, None
    logger.info("source enabled source_id=%s", source_id)
    return source
