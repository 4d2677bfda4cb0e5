"""Storing drafts: each item once (same source and GUID, or same URL), and back-off on errors."""

from datetime import timedelta

from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.draft import DraftItem, FetchOutcome, ParsedFeed
from rabkor.crawler.sources.schedule import Policy
from rabkor.crawler.store.items import insert_items
from rabkor.crawler.store.pipeline import store_outcome
from tests.crawler.conftest import add_feeds


def test_items_are_inserted_once_by_guid_or_url(store):
    first, second = add_feeds(store, "https://a.example/feed", "https://b.example/feed")
    now = utcnow()
    drafts = [DraftItem(guid="g1", url="https://a.example/1", title="one"),
              DraftItem(guid="g2", url="https://a.example/2", title="two")]
    with store.transaction() as s:
        assert insert_items(s, first, drafts, now) == 2
    with store.transaction() as s:
        assert insert_items(s, first, drafts, now) == 0
        assert insert_items(s, first, [DraftItem("g1", "https://a.example/moved", "one")],
                            now) == 0  # same GUID in the same source
        assert insert_items(s, second, [DraftItem("other", "https://a.example/1", "one")],
                            now) == 0  # same URL from another source
        assert insert_items(s, second, [DraftItem("g1", "https://b.example/1", "b")], now) == 1


def test_success_resets_errors_and_fills_empty_title(store):
    [source_id] = add_feeds(store, "https://a.example/feed")
    now = utcnow()
    interval = timedelta(minutes=15)
    policy = Policy(default_interval=interval, min_interval=interval,
                    max_interval=timedelta(days=1), disable_after_failures=10,
                    disable_after=timedelta(days=7))
    with store.transaction() as s:
        store_outcome(s, FetchOutcome(source_id, error="HTTP 500 Internal Server Error"),
                      now=now, policy=policy)
        store_outcome(s, FetchOutcome(source_id, error="HTTP 500 Internal Server Error"),
                      now=now, policy=policy)
        source = s.get(Source, source_id)
        assert (source.error_count, source.next_fetch_at) == (2, now + 2 * interval)
        feed = ParsedFeed(title="A", site_url="https://a.example/", language="en")
        store_outcome(s, FetchOutcome(source_id, feed=feed, etag='"x"'), now=now,
                      policy=policy)
        assert (source.error_count, source.last_error, source.etag, source.title) == (
            0, None, '"x"', "A")
        assert source.next_fetch_at == now + interval

