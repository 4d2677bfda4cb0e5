"""Scheduling: the polling interval follows a source's real update rate within bounds and
never undercuts what its server asked; failing sources back off, then are disabled with
the reason shown, and `sources enable` brings them back."""

from __future__ import annotations

import io
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import pytest
from rich.console import Console

from rabkor.app import cli
from rabkor.app.cli import main
from rabkor.core.errors import RabkorError
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.draft import DraftItem, FetchOutcome, ParsedFeed
from rabkor.crawler.sources.health import State, enable_source, health
from rabkor.crawler.sources.schedule import (
    Policy,
    backoff,
    feed_update_seconds,
    items_per_day,
    max_age_seconds,
    poll_interval,
    retry_after_seconds,
)
from rabkor.crawler.store.pipeline import store_outcome
from tests.crawler.conftest import add_feeds

NOW = utcnow()
POLICY = Policy(default_interval=timedelta(minutes=15), min_interval=timedelta(minutes=15),
                max_interval=timedelta(days=1), disable_after_failures=4,
                disable_after=timedelta(days=3))


def test_items_per_day_spans_from_the_oldest_recent_item_to_now():
    assert items_per_day([], NOW) is None
    ten_over_five_days = [NOW - timedelta(hours=12 * i) for i in range(10)]
    assert items_per_day(ten_over_five_days, NOW) == pytest.approx(10 / 4.5)
    quiet = [NOW - timedelta(days=40 + i) for i in range(50)]
    assert items_per_day(quiet, NOW) == 0.0
    future = [NOW + timedelta(days=300), NOW]  # a bad date counts as now, not as a burst
    assert items_per_day(future, NOW) == 2.0


def test_interval_follows_the_rate_within_bounds_and_yields_to_the_server():
    assert poll_interval(None, None, POLICY) == timedelta(minutes=15)
    assert poll_interval(4.0, None, POLICY) == timedelta(hours=6)
    assert poll_interval(500.0, None, POLICY) == timedelta(minutes=15)
    assert poll_interval(0.0, None, POLICY) == timedelta(days=1)
    assert poll_interval(500.0, 7200, POLICY) == timedelta(hours=2)
    assert poll_interval(4.0, 60, POLICY) == timedelta(hours=6)
    assert poll_interval(4.0, 10**9, POLICY) == timedelta(days=7)  # a server hint is capped


def test_backoff_doubles_is_bounded_and_honours_retry_after():
    interval = timedelta(minutes=15)
    assert [backoff(n, interval) for n in (1, 2, 3)] == [interval, 2 * interval, 4 * interval]
    assert backoff(50, interval) == timedelta(days=1)
    assert backoff(1, timedelta(0)) == timedelta(minutes=5)
    assert backoff(1, interval, retry_after=7200) == timedelta(hours=2)


def test_server_hints_are_read_from_feeds_and_headers():
    rss = (b'<?xml version="1.0"?><rss version="2.0" '
           b'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title>'
           b'<ttl>60</ttl><sy:updatePeriod>daily</sy:updatePeriod>'
           b'<sy:updateFrequency>4</sy:updateFrequency></channel></rss>')
    feed = feedparser.parse(io.BytesIO(rss)).feed
    assert feed_update_seconds(feed) == 6 * 3600  # the larger of 1 h and a day / 4
    assert feed_update_seconds({"ttl": "-5", "sy_updateperiod": "fortnightly"}) is None
    assert max_age_seconds("public, max-age=600") == 600
    assert max_age_seconds("no-cache, max-age=abc") is None
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds(format_datetime(NOW + timedelta(hours=1), usegmt=True),
                               NOW) in range(3598, 3601)
    assert retry_after_seconds("yesterday", NOW) is None


def test_success_measures_the_rate_and_sets_the_next_poll(store):
    [source_id] = add_feeds(store, "https://a.example/feed")
    drafts = [DraftItem(guid=f"g{i}", url=f"https://a.example/{i}", title=str(i),
                        published_at=NOW - timedelta(hours=6 * i)) for i in range(9)]
    feed = ParsedFeed(title="A", site_url=None, language="en", items=drafts,
                      update_seconds=3600)
    with store.transaction() as s:
        store_outcome(s, FetchOutcome(source_id, feed=feed), now=NOW, policy=POLICY)
        source = s.get(Source, source_id)
        assert source.items_per_day == pytest.approx(9 / 2)
        assert source.poll_interval == int(timedelta(days=1).total_seconds() / 4.5)
        assert source.next_fetch_at == NOW + timedelta(seconds=source.poll_interval)
        assert source.server_interval == 3600


def test_repeated_failures_disable_the_source_with_its_reason_and_enable_restores(store):
    [source_id, gone_id] = add_feeds(store, "https://a.example/feed", "https://b.example/feed")
    with store.transaction() as s:
        for n in range(1, POLICY.disable_after_failures + 1):
            store_outcome(s, FetchOutcome(source_id, error="HTTP 500 Internal Server Error"),
                          now=NOW + timedelta(hours=n), policy=POLICY)
            assert s.get(Source, source_id).enabled is (n < POLICY.disable_after_failures)
        store_outcome(s, FetchOutcome(gone_id, error="HTTP 410 Gone"), now=NOW, policy=POLICY)
    with store.read() as s:
        failing, gone = health(s)
    assert failing.state is State.DISABLED and failing.next_fetch_at is None
    assert failing.last_error.startswith("disabled after 4 failures in a row")
    assert failing.last_error.endswith("last error: HTTP 500 Internal Server Error")
    assert gone.state is State.DISABLED and "gone for good" in gone.last_error

    with store.transaction() as s:
        enable_source(s, source_id)
        with pytest.raises(RabkorError, match="no source with id 999"):
            enable_source(s, 999)
    with store.read() as s:
        source = s.get(Source, source_id)
        assert (source.enabled, source.error_count, source.disabled_reason) == (True, 0, None)
        assert health(s)[0].state is State.FAILING  # until its next fetch succeeds


def test_failing_for_longer_than_the_limit_disables_even_with_few_errors(store):
    [source_id] = add_feeds(store, "https://a.example/feed")
    with store.transaction() as s:
        store_outcome(s, FetchOutcome(source_id, error="timed out after 5 s"), now=NOW,
                      policy=POLICY)
        store_outcome(s, FetchOutcome(source_id, error="timed out after 5 s"),
                      now=NOW + timedelta(days=3, minutes=1), policy=POLICY)
        source = s.get(Source, source_id)
        assert not source.enabled and "2 failures in a row over 3.0 days" in \
            source.disabled_reason


def test_health_and_enable_through_the_command_line(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "console", Console(width=300))  # one row per source
    for name in ("RABKOR_CONFIG", "RABKOR_DATA_DIR", "RABKOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    main(["init"])
    main(["sources", "add", "https://a.example/feed.xml"])
    main(["sources", "add", "https://b.example/feed.xml"])
    from rabkor.core.settings import load_settings
    from rabkor.core.store.db import Store

    store = Store(load_settings())
    with store.transaction() as s:
        store_outcome(s, FetchOutcome(1, error="HTTP 410 Gone"), now=NOW, policy=POLICY)
    store.close()
    capsys.readouterr()
    assert main(["sources", "health"]) == 0
    out = capsys.readouterr().out
    assert "disabled" in out and "gone for good" in out and "never fetched" in out
    assert main(["sources", "enable", "1"]) == 0
    assert main(["sources", "health"]) == 0
    assert "disabled" not in capsys.readouterr().out.split("enabled source 1")[-1]
    assert main(["sources", "enable", "7"]) == 2
    assert "no source with id 7" in capsys.readouterr().err
