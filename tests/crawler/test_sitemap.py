"""Sites without feeds: a loopback site with robots.txt, a sitemap index, a news sitemap
and real article pages, crawled through the real crawl child; a site whose only sitemap
is a gzipped one at a usual path, added through `sources add`; and a gzip bomb."""

from __future__ import annotations

import gzip
import re
import shutil
import tracemalloc
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest

from rabkor.app.cli import main
from rabkor.core.errors import RabkorError
from rabkor.core.store.models import Item, Source
from rabkor.crawler.run import crawl
from rabkor.crawler.sitemap.read import SitemapError, read_sitemap, sitemap_body
from rabkor.crawler.sources.manage import add_from_site, add_source
from tests.crawler.busy import busy_page
from tests.feedserver import FeedServer

SITE = Path(__file__).parents[1] / "data" / "sitemap"
BOMB_BYTES = 64 * 1024 * 1024  # what the bomb inflates to; the crawl tests' bound is 1 MB
MENU = (b"<!doctype html><html lang='en'><head><title>Sections</title><meta name='description' "
        b"content='All our sections.'></head><body><nav><a href='/news/'>News</a> "
        b"<a href='/about/'>About</a></nav></body></html>")


def _urlset(*paths: str) -> bytes:
    urls = "".join(f"<url><loc>{p}</loc></url>" for p in paths)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


def _bomb() -> bytes:
    """A sitemap that gzips to ~64 KB and inflates to 64 MB (written in chunks, never whole)."""
    out = BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as f:
        f.write(_urlset("/news/001.html")[:-len("</urlset>")])
        for _ in range(BOMB_BYTES // (1024 * 1024)):
            f.write(b" " * (1024 * 1024))
        f.write(b"</urlset>")
    return out.getvalue()


@pytest.fixture(scope="module")
def site():
    server = FeedServer(SITE)
    yield server
    server.close()


@pytest.fixture(scope="module")
def gz_site(tmp_path_factory):
    """No feed, a robots.txt naming no sitemap, and only /sitemap.xml.gz (real gzip) listing
    two real articles and a page that is only a menu."""
    root = tmp_path_factory.mktemp("gz-site")
    (root / "news").mkdir()
    for name in ("001.html", "aclu.html"):
        shutil.copy(SITE / "news" / name, root / "news" / name)
    (root / "menu.html").write_bytes(MENU)
    (root / "index.html").write_bytes(b"<!doctype html><html><head><title>A site</title>"
                                      b"</head><body><p>No feed here.</p></body></html>")
    (root / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /private/\n")
    (root / "sitemap.xml.gz").write_bytes(
        gzip.compress(_urlset("/news/001.html", "/news/aclu.html", "/menu.html")))
    server = FeedServer(root)
    yield server
    server.close()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _bomb()


@pytest.fixture(scope="module")
def bomb_site(tmp_path_factory, bomb):
    root = tmp_path_factory.mktemp("bomb-site")
    (root / "index.html").write_bytes(b"<html><head><title>Bomb</title></head></html>")
    (root / "robots.txt").write_bytes(b"User-agent: *\nSitemap: /sitemap.xml.gz\n")
    (root / "sitemap.xml.gz").write_bytes(bomb)
    server = FeedServer(root)
    yield server
    server.close()


@pytest.fixture
def settings(settings, site, gz_site, bomb_site):
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, site.hostport,
                                            gz_site.hostport, bomb_site.hostport))


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
    # the article's text (trafilatura, allow-listed), besides the description as summary
    assert "<p>The idea behind code coverage is to record which parts of your code" \
        in first.content
    assert second.summary.startswith("For more than a decade the Web has used XMLHttpRequest")
    assert "It suffers from lack of separation of concerns." in second.content
    assert second.content.count("<p>") > 10 and len(second.content) > 10 * len(second.summary)
    for item in stored.values():
        assert item.extraction_error is None and item.language == "en"
        assert "<script" not in item.content and "onclick" not in item.content
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
    assert report.errors[source_id] == "no sitemap: robots.txt names none, and " + "; ".join(
        f"{feed_server.url(p)}: HTTP 404 Not Found"
        for p in ("sitemap.xml", "sitemap_index.xml", "sitemap.xml.gz"))
    with store.read() as s:
        assert "HTTP 404" in s.get(Source, source_id).last_error


def test_a_site_with_only_a_gzipped_sitemap_is_added_in_sitemap_mode_and_crawled(
        store, settings, gz_site):
    added = add_from_site(store, settings, gz_site.url("index.html"), language="en")
    assert added.sitemap == gz_site.url("sitemap.xml.gz") and added.candidates == []
    [(source_id, site_url)] = added.sources
    with store.read() as s:
        source = s.get(Source, source_id)
        assert (site_url, source.fetch_mode, source.language) == (
            gz_site.url("index.html"), "sitemap", "en")

    report = crawl(settings, store, source_ids=[source_id])
    assert report.errors == {} and report.new_items == 3  # the misses before .gz are no error
    stored = items(store, source_id)
    aclu = stored[gz_site.url("news/aclu.html")]
    assert aclu.title == "Facebook Is Tracking Me Even Though I’m Not on Facebook"
    assert "accounts on hundreds of services around the net" in aclu.content
    assert aclu.extraction_error is None
    menu = stored[gz_site.url("menu.html")]  # only a menu: its description stays, and why
    assert (menu.title, menu.summary, menu.content) == ("Sections", "All our sections.", "")
    assert menu.extraction_error == f"page {menu.url}: no article text found on the page"


def test_the_cli_says_the_site_was_added_in_sitemap_mode(gz_site, tmp_path, capsys,
                                                         monkeypatch):
    monkeypatch.setenv("RABKOR_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("RABKOR_ALLOWED_LOOPBACK", gz_site.hostport)
    monkeypatch.setenv("RABKOR_CONFIG", str(tmp_path / "none.toml"))
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["sources", "add", gz_site.url("index.html")]) == 0
    assert capsys.readouterr().out == (
        f"the site offers no feed: added sitemap source 1: {gz_site.url('index.html')} "
        f"(its sitemap: {gz_site.url('sitemap.xml.gz')})\n")


def test_a_gzip_bomb_is_a_readable_error(store, settings, bomb_site, bomb):
    assert len(bomb) < settings.max_feed_bytes < BOMB_BYTES  # only inflating crosses the bound
    source_id = add_site(store, bomb_site.url("index.html"))
    report = crawl(settings, store, source_ids=[source_id])
    assert report.errors[source_id] == (
        f"{bomb_site.url('sitemap.xml.gz')}: body larger than 1 MB after decompression")
    with pytest.raises(RabkorError, match=r"names no feed.*nor has the site a sitemap"):
        add_from_site(store, settings, bomb_site.url("index.html"), title="again")


def test_gunzipping_stops_at_the_bound_and_reads_what_is_not_gzip(bomb):
    tracemalloc.start()
    try:
        with pytest.raises(SitemapError, match="larger than 1 MB after decompression"):
            sitemap_body(bomb, 1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the 64 MB the bomb holds are never all in memory
    plain = _urlset("/news/001.html")
    assert sitemap_body(gzip.compress(plain), 1024) == plain
    assert sitemap_body(plain, 10) == plain  # not gzip (or inflated by Content-Encoding)
    with pytest.raises(SitemapError, match="not a readable gzip file"):
        sitemap_body(gzip.compress(plain)[:10] + b"\xff" * 50, 1024)


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



@pytest.fixture(scope="module")
def busy_site(tmp_path_factory):
    """A sitemap of a real article and of a page that keeps trafilatura busy (busy.py)."""
    root = tmp_path_factory.mktemp("busy-site")
    (root / "news").mkdir()
    shutil.copy(SITE / "news" / "001.html", root / "news" / "001.html")
    (root / "news" / "busy.html").write_bytes(busy_page())
    (root / "robots.txt").write_bytes(b"User-agent: *\nSitemap: /sitemap.xml\n")
    (root / "sitemap.xml").write_bytes(_urlset("/news/busy.html", "/news/001.html"))
    server = FeedServer(root)
    yield server
    server.close()


def test_a_page_that_keeps_the_extractor_busy_costs_only_its_own_text(store, settings,
                                                                      busy_site):
    """Pages are read in the crawl's parse worker, bounded like a feed's parse."""
    source_id = add_site(store, busy_site.url("/"))
    report = crawl(settings.with_(allowed_loopback=(*settings.allowed_loopback,
                                                    busy_site.hostport),
                                  parse_seconds=4),
                   store, source_ids=[source_id])

    assert report.errors == {} and report.new_items == 2
    stored = items(store, source_id)
    busy = stored[busy_site.url("news/busy.html")]
    # the worker's alarm, or the pool's kill 15 s later when trafilatura is deep in lxml
    assert re.fullmatch(f"page {re.escape(busy.url)}: reading the page took more than (4|19) s",
                        busy.extraction_error)
    assert (busy.title, busy.content) == (busy.url, "")
    good = stored[busy_site.url("news/001.html")]
    assert good.extraction_error is None and "code coverage" in good.content
