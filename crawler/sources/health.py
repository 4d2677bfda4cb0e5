"""Crawl health per source as a table, for `rabkor sources health`, and putting a disabled
source back.

A source's health has two parts: whether it is crawled (enabled) and how its last fetch
went (never fetched, ok, failing). `rabkor sources health` shows one word for both: the
last fetch's, or "disabled". Disabling keeps the last fetch's part, so an enabled source
comes back to it: one disabled after failures is failing until a fetch succeeds, one an
administrator disabled while it was fine is ok. The moves:

    any ──fetch succeeded──► ok               any ──fetch failed──► failing
    failing ──disabled after failures──► disabled (the reason written on it)
    any ──disabled by an administrator──► disabled     any ──enabled──► enabled

A fetch still counts when it was under way as the source was disabled; enabling an enabled
source forgets its failures' backoff, so it is due at the next crawl. `move` applies an
event and writes the columns that hold the health: the crawl's store pipeline calls it with
each fetch's outcome, the `rabkor sources enable/disable` commands with theirs.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.errors import InvalidTransition, NotFound
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.websub.hub import drop_subscription

logger = logging.getLogger(__name__)

BY_ADMINISTRATOR = "disabled by an administrator"


class State(enum.StrEnum):
    NEVER_FETCHED = "never fetched"
    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"


LAST_FETCH = (State.NEVER_FETCHED, State.OK, State.FAILING)


class Health(NamedTuple):
    """A source's place in the table: crawled or not, and how its last fetch went."""

    enabled: bool
    last_fetch: State  # one of LAST_FETCH

    @property
    def state(self) -> State:
        return self.last_fetch if self.enabled else State.DISABLED


class Event(enum.StrEnum):
    FETCH_SUCCEEDED = "fetch succeeded"
    FETCH_FAILED = "fetch failed"
    DISABLED_AFTER_FAILURES = "disabled after failures"  # schedule.disable_reason said so
    DISABLED_BY_ADMIN = "disabled by an administrator"
    ENABLED = "enabled"


HEALTHS = tuple(Health(enabled, last) for enabled in (True, False) for last in LAST_FETCH)
TRANSITIONS: dict[tuple[Health, Event], Health] = {
    **{(h, Event.FETCH_SUCCEEDED): h._replace(last_fetch=State.OK) for h in HEALTHS},
    **{(h, Event.FETCH_FAILED): h._replace(last_fetch=State.FAILING) for h in HEALTHS},
    **{(h, Event.DISABLED_AFTER_FAILURES): h._replace(enabled=False) for h in HEALTHS
       if h.last_fetch is State.FAILING},
    **{(h, Event.DISABLED_BY_ADMIN): h._replace(enabled=False) for h in HEALTHS},
    **{(h, Event.ENABLED): h._replace(enabled=True) for h in HEALTHS},
}


def health_of(source: Source) -> Health:
    if source.last_fetched_at is None:
        last = State.NEVER_FETCHED
    else:
        last = State.FAILING if source.last_error is not None else State.OK
    return Health(bool(source.enabled), last)


def state_of(source: Source) -> State:
    return health_of(source).state


def allows(source: Source, event: Event) -> bool:
    return (health_of(source), event) in TRANSITIONS


def move(source: Source, event: Event, now: datetime, why: str = "") -> Health:
    """Apply `event` to `source` and write what it means; InvalidTransition, unchanged, if
    the table does not allow it. `why`: the fetch's error (fetch failed), or the reason a
    failing source is disabled (disabled after failures)."""
    before = health_of(source)
    after = TRANSITIONS.get((before, event))
    if after is None:
        raise InvalidTransition(f"source {source.id} is {before.state} (its last fetch: "
                                f"{before.last_fetch}); it cannot be {event}")
    if event is Event.FETCH_SUCCEEDED:
        source.last_fetched_at = now
        source.error_count, source.last_error, source.failing_since = 0, None, None
    elif event is Event.FETCH_FAILED:
        source.last_fetched_at = now
        source.error_count += 1
        source.last_error = why
        source.failing_since = source.failing_since or now
    elif event is Event.ENABLED:
        source.enabled = True
        source.disabled_at = source.disabled_reason = None
        source.error_count, source.failing_since, source.next_fetch_at = 0, None, None
    else:
        source.enabled, source.disabled_at = False, now
        source.disabled_reason = why if event is Event.DISABLED_AFTER_FAILURES \
            else BY_ADMINISTRATOR
        drop_subscription(source)  # its hub is told after the crawl (websub/subscribe.py)
    return after


@dataclass(frozen=True)
class SourceHealth:
    source_id: int
    name: str
    state: State
    last_error: str | None
    items_per_day: float | None
    last_fetched_at: datetime | None
    next_fetch_at: datetime | None


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
    source = _source(session, source_id)
    move(source, Event.DISABLED_BY_ADMIN, utcnow())
    logger.info("source disabled source_id=%s", source_id)
    return source


def enable_source(session: Session, source_id: int) -> Source:
    """Re-enable a source: its failures' backoff is forgotten and it is due at the next crawl."""
    source = _source(session, source_id)
    move(source, Event.ENABLED, utcnow())
    logger.info("source enabled source_id=%s", source_id)
    return source


def _source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}; `rabkor sources list` shows them")
    return source
