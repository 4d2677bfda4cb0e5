"""Sites without feeds: a loopback site with robots.txt, a sitemap index, a news sitemap
and real article pages, crawled through the real crawl child."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rabkor.core.errors import RabkorError
from rabkor.core.store.models import Item, Source
from rabkor.crawler.run import crawl
from rabkor.crawler.sitemap import read_sitemap
from rabkor.crawler.sources import add_source
from tests.feedserver import FeedServer

SITE = Path(__file__).parents[1] / "data" / "sitemap"


@pytest.fixture(scope="module")
def site():
    server = FeedServer(SITE)
    yield server
    server.close()


@pytest.fixture
def settings(settings, site):
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, site.hostport))


def add_site(store, url, **rules) -> int:
    with store.transaction() as s:
        return add_source(s, url, fetch_mode="sitemap", language="en", **rules).id


def items(store, source_id):
    with store.read() as s:
        return {i.url: i for i in s.query(Item).filter_by(source_id=source_id)}


def test_articles_found_through_robots_and_the_sitemap_index_become_items(store, settings,
                                                                          site):
    source_id = add_site(store, site.url("/"), include=[r"/news/"])
    report = crawl(settings, store, source_ids=[source_id])
    assert report.errors == {} and report.new_items == 3
    stored = items(store, source_id)
    assert set(stored) == {site.url(f"news/{n}.html") for n in ("001", "002", "aclu")}
    first = stored[site.url("news/001.html")]
    assert first.title == "A news-sitemap title"  # news:title wins over the page's own
    assert first.published_at == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    second = stored[site.url("news/002.html")]
    assert second.title.startswith("This API is so Fetching!")
    assert second.published_at == datetime(2024, 4, 30, tzinfo=UTC)  # from lastmod
    assert crawl(settings, store, source_ids=[source_id]).new_items == 0  # only new URLs


def test_exclude_rules(store, settings, site):
    source_id = add_site(store, site.url("/"), exclude=[r"/about/", r"aclu"])
    crawl(settings, store, source_ids=[source_id])
    assert set(items(store, source_id)) == {site.url("news/001.html"),
                                            site.url("news/002.html")}


def test_a_site_without_sitemap_gets_a_readable_error(store, settings, feed_server):
    with store.transaction() as s:
        source_id = add_source(s, feed_server.url("/"), fetch_mode="sitemap").id
    report = crawl(settings, store, source_ids=[source_id])
    assert "sitemap.xml: HTTP 404 Not Found" in report.errors[source_id]
    with store.read() as s:
        assert "HTTP 404" in s.get(Source, source_id).last_error


def test_sitemap_xml_with_entities_is_read_without_expanding_them():
    body = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b'<url><loc>https://e.org/a&x;</loc></url><url><loc>file:///etc/passwd</loc></url>'
            b'</urlset>')
    kind, entries = read_sitemap(body, "https://e.org/sitemap.xml")
    assert kind == "urlset"
    assert all("root:" not in e.url and e.url.startswith("https://e.org/") for e in entries)


def test_rules_are_checked_when_the_source_is_added(store):
    with store.transaction() as s, pytest.raises(RabkorError, match="not a valid regex"):
        add_source(s, "https://e.org/", fetch_mode="sitemap", include=["(unclosed"])
    with store.transaction() as s, pytest.raises(RabkorError, match="sitemap sources only"):
        add_source(s, "https://e.org/feed", include=["/news/"])

