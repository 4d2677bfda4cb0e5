"""Real requests through the real app: the capture around the site, its flush, what it
records and what it never does (the editor, the WebSub callbacks, a page failed)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from rabkor.core.store.models import Item, ItemStatus, PageView, Source, StatsMonth
from rabkor.stats.report import report
from tests.stats.conftest import BROWSER

HEADERS = {"User-Agent": BROWSER}


def _views(store) -> list[PageView]:
    with store.read() as s:
        return list(s.scalars(select(PageView).order_by(PageView.id)))


def test_site_views_are_recorded_with_what_they_show(app_client, store, settings):
    with store.transaction() as s:
        item = Item(source=Source(feed_url="https://example.org/feed", title="Dock News"),
                    url="https://example.org/a", title="Dockers strike", language="en",
                    status=ItemStatus.APPROVED)
        s.add(item)
        s.flush()
        item_id = item.id
    for path in ("/es/", f"/en/items/{item_id}", "/en/feed.atom", "/static/site.css",
                 "/de/topics/labour", "/editor/login", "/websub/1", "/en/no-such-page"):
        app_client.get(path, headers={**HEADERS, "Referer": "https://news.example.net/x"})
    recorder = app_client.app.state.stats_recorder
    assert recorder.flush() == 6
    views = _views(store)
    assert [(v.path, v.kind, v.department, v.item_id) for v in views] == [
        ("/es/", "page", "es", None), (f"/en/items/{item_id}", "page", "en", item_id),
        ("/en/feed.atom", "feed", "en", None), ("/static/site.css", "asset", "", None),
        ("/de/topics/labour", "error", "de", None), ("/en/no-such-page", "error", "en", None)]
    assert views[0].listing == "home" and views[0].bytes > 500 and views[0].status == 200
    assert {v.referrer_host for v in views} == {"news.example.net"}
    assert {v.agent for v in views} == {"browser"}
    assert len({v.visitor for v in views}) == 1 and views[0].visitor is not None
    with store.read() as s:
        got = report(s, None)
    assert got["readers"] == 1
    assert got["top_items"] == [{"item_id": item_id, "title": "Dockers strike", "pages": 1}]
    assert got["top_sources"][0]["title"] == "Dock News"
    assert got["top_referrers"] == [{"host": "news.example.net", "pages": 2}]


def test_the_query_string_and_the_address_are_never_stored(app_client, store):
    app_client.get("/en/search?q=my+secret+words", headers=HEADERS)
    app_client.app.state.stats_recorder.flush()
    (view,) = _views(store)
    assert view.path == "/en/search"
    database = (store.settings.data_dir / "rabkor.db").read_bytes()
    assert b"secret words" not in database and b"testclient" not in database


def test_do_not_track_and_gpc_count_the_view_without_a_key(app_client, store, settings):
    for header in ({"DNT": "1"}, {"Sec-GPC": "1"}, {}):
        app_client.get("/en/", headers={**HEADERS, **header})
    app_client.app.state.stats_recorder.flush()
    assert [v.visitor is None for v in _views(store)] == [True, True, False]
    with store.read() as s:
        got = report(s, None)
    assert got["excluded"]["anonymous_views"] == 2
    assert got["readers"] == 1 and sum(d["pages"] for d in got["days"]) == 3


def test_a_locked_database_drops_the_batch_not_the_page(app_client, store, settings):
    """A writer holds SQLite's lock: the page is answered as ever; the flush gives up after
    its short wait, the batch is counted as dropped, and the count reaches the report with
    the next batch that gets through."""
    blocker = sqlite3.connect(settings.data_dir / "rabkor.db", timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        page = app_client.get("/en/", headers=HEADERS)
        assert page.status_code == 200 and "<html" in page.text
        recorder = app_client.app.state.stats_recorder
        assert recorder.flush() == 0
        assert recorder.dropped == 1
    finally:
        blocker.rollback()
        blocker.close()
    app_client.get("/en/", headers=HEADERS)
    assert recorder.flush() == 1
    with store.read() as s:
        (month,) = s.scalars(select(StatsMonth))
        assert month.dropped_views == 1
        assert report(s, None)["excluded"]["dropped_views"] == 1


def test_stats_off_leaves_the_site_unwrapped(settings, store):
    from starlette.testclient import TestClient

    from rabkor.app.server import create_app

    with TestClient(create_app(settings.with_(stats_enabled=False), store)) as client:
        assert client.get("/en/").status_code == 200
        assert client.app.state.stats_recorder is None
    assert _views(store) == []


def test_the_views_queued_are_written_when_the_server_stops(settings, store):
    from starlette.testclient import TestClient

    from rabkor.app.server import create_app

    with TestClient(create_app(settings, store)) as client:
        client.get("/en/", headers=HEADERS)
    assert len(_views(store)) == 1
