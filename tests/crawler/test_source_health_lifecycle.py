"""A source's crawl health (crawler/sources/health.py): the whole state × event grid, what
each move writes, and that the crawl's store pipeline writes just what `move` would."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.draft import FetchOutcome
from rabkor.crawler.sources.health import (
    HEALTHS,
    TRANSITIONS,
    Event,
    Health,
    State,
    allows,
    health_of,
    move,
    state_of,
)
from rabkor.crawler.sources.schedule import Policy
from rabkor.crawler.store.pipeline import store_outcome

NOW = utcnow()
POLICY = Policy(default_interval=timedelta(minutes=15), min_interval=timedelta(minutes=15),
                max_interval=timedelta(days=1), disable_after_failures=4,
                disable_after=timedelta(days=3))
GRID = list(itertools.product(HEALTHS, Event))
HEALTH_COLUMNS = ("enabled", "last_fetched_at", "error_count", "last_error", "failing_since",
                  "disabled_at", "disabled_reason", "websub_state", "websub_drop_hub")
_numbers = itertools.count(1)


def source_in(health: Health) -> Source:
    """A source in `health`, as the crawl and the commands leave one, with a subscription."""
    source = Source(feed_url=f"https://health.example/{next(_numbers)}", enabled=health.enabled,
                    error_count=0, websub_hub="https://hub.example/",
                    websub_topic="https://health.example/feed", websub_state="active")
    if health.last_fetch is not State.NEVER_FETCHED:
        source.last_fetched_at = NOW - timedelta(hours=1)
    if health.last_fetch is State.FAILING:
        source.error_count, source.last_error = 2, "HTTP 500 Internal Server Error"
        source.failing_since = NOW - timedelta(hours=2)
    if not health.enabled:
        source.disabled_at, source.disabled_reason = NOW - timedelta(minutes=30), "earlier"
        source.websub_state = None
    return source


def columns(source: Source) -> tuple:
    return tuple(getattr(source, name) for name in HEALTH_COLUMNS)


def test_the_table_refuses_only_giving_up_on_a_source_that_is_not_failing():
    refused = set(GRID) - TRANSITIONS.keys()
    assert refused == {(h, Event.DISABLED_AFTER_FAILURES) for h in HEALTHS
                       if h.last_fetch is not State.FAILING}


@pytest.mark.parametrize(("before", "event", "after"), [
    (State.NEVER_FETCHED, Event.FETCH_SUCCEEDED, State.OK),
    (State.NEVER_FETCHED, Event.FETCH_FAILED, State.FAILING),
    (State.OK, Event.FETCH_FAILED, State.FAILING),
    (State.FAILING, Event.FETCH_SUCCEEDED, State.OK),
    (State.FAILING, Event.FETCH_FAILED, State.FAILING),
    (State.FAILING, Event.DISABLED_AFTER_FAILURES, State.DISABLED),
    (State.OK, Event.DISABLED_BY_ADMIN, State.DISABLED),
])
def test_the_moves_as_sources_health_shows_them(before, event, after):
    assert TRANSITIONS[(Health(True, before), event)].state is after


@pytest.mark.parametrize("last_fetch", [State.NEVER_FETCHED, State.OK, State.FAILING])
def test_enabling_returns_to_the_last_fetch(last_fetch):
    assert TRANSITIONS[(Health(False, last_fetch), Event.ENABLED)].state is last_fetch


@pytest.mark.parametrize(("health", "event"), GRID)
def test_every_state_and_event(health, event):
    source = source_in(health)
    assert health_of(source) == health and state_of(source) is health.state
    target = TRANSITIONS.get((health, event))
    assert allows(source, event) is (target is not None)
    if target is None:
        before = columns(source)
        with pytest.raises(InvalidTransition, match=f"cannot be {event}"):
            move(source, event, NOW, "why")
        assert columns(source) == before
        return
    assert move(source, event, NOW, "why") == target
    assert health_of(source) == target
    if event in (Event.FETCH_SUCCEEDED, Event.FETCH_FAILED):
        assert source.last_fetched_at == NOW
    if event is Event.FETCH_SUCCEEDED:
        assert (source.error_count, source.last_error, source.failing_since) == (0, None, None)
    if event is Event.FETCH_FAILED:
        assert (source.error_count, source.last_error) == (
            3 if health.last_fetch is State.FAILING else 1, "why")
        assert source.failing_since == (NOW - timedelta(hours=2)
                                        if health.last_fetch is State.FAILING else NOW)
    if event in (Event.DISABLED_AFTER_FAILURES, Event.DISABLED_BY_ADMIN):
        reason = "why" if event is Event.DISABLED_AFTER_FAILURES \
            else "disabled by an administrator"
        assert (source.disabled_at, source.disabled_reason) == (NOW, reason)
        assert source.websub_state is None  # the hub is told at the next crawl
        assert source.websub_drop_hub == ("https://hub.example/" if health.enabled else None)
    if event is Event.ENABLED:
        assert (source.disabled_at, source.disabled_reason, source.error_count,
                source.failing_since, source.next_fetch_at) == (None, None, 0, None, None)


@pytest.mark.parametrize("health", HEALTHS)
@pytest.mark.parametrize("error", [None, "HTTP 500 Internal Server Error", "HTTP 410 Gone"])
def test_the_store_pipeline_writes_what_move_writes(store, health, error):
    """A fetch's outcome through store_outcome, beside the same events through `move`."""
    with store.transaction() as s:
        crawled, moved = source_in(health), source_in(health)
        s.add_all([crawled, moved])
        s.flush()
        store_outcome(s, FetchOutcome(crawled.id, not_modified=error is None, error=error),
                      now=NOW, policy=POLICY)
        if error is None:
            move(moved, Event.FETCH_SUCCEEDED, NOW)
        else:
            move(moved, Event.FETCH_FAILED, NOW, error)
            if "410" in error:
                move(moved, Event.DISABLED_AFTER_FAILURES, NOW, crawled.disabled_reason)
        assert columns(crawled) == columns(moved)
