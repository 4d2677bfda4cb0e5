"""Feed autodiscovery on real home pages served from loopback, through the address guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabkor.app.cli import main
from rabkor.core.errors import RabkorError
from rabkor.core.store.models import MediaKind, Source
from rabkor.crawler.fetch.direct import client
from rabkor.crawler.sources.discover import discover, feeds_in_page, youtube_feed
from rabkor.crawler.sources.manage import add_from_site
from tests.feedserver import FeedServer

PAGES = Path(__file__).parents[1] / "data" / "discovery"
CHANNEL = "UCct7QF2jcWRY6dhXWMSq9LQ"
YT = "https://www.youtube.com/feeds/videos.xml?"


@pytest.fixture(scope="module")
def site():
    server = FeedServer(PAGES)
    yield server
    server.close()


@pytest.fixture
def settings(settings, site):
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, site.hostport))


def test_a_page_link_tag_leads_to_its_feed_which_is_added(store, settings, site):
    added = add_from_site(store, settings, site.url("DaringFireball.html"), language="en")
    assert added.sources and added.sources[0][1] == site.url("feeds/main")
    with store.read() as s:
        [source] = s.query(Source).all()
        assert (source.feed_url, source.language, source.kind) == (
            site.url("feeds/main"), "en", MediaKind.ARTICLE)


def test_a_feed_url_is_added_as_itself(store, settings, site):
    added = add_from_site(store, settings, site.url("feeds/main"))
    assert [url for _, url in added.sources] == [site.url("feeds/main")]


def test_several_feeds_best_first_pick_and_all(store, settings, site):
    with client(settings) as http:
        found = discover(http, site.url("coco.html"), settings)
    assert [(c.url, c.title) for c in found] == [
        (site.url("feed/all/"), "The Atlantic"),
        (site.url("feed/best-of/"), "Best of The Atlantic")]
    # the feeds are not served here: adding still works, each is crawled later
    added = add_from_site(store, settings, site.url("coco.html"), pick=2)
    assert [url for _, url in added.sources] == [site.url("feed/best-of/")]
    with pytest.raises(RabkorError, match="already exists"):
        add_from_site(store, settings, site.url("coco.html"), add_all=True)
    with pytest.raises(RabkorError, match="offers 2 feeds"):
        add_from_site(store, settings, site.url("coco.html"), pick=3)


def test_comment_feeds_come_last():
    page = (b'<html><head><link rel="alternate" type="application/rss+xml" '
            b'title="Comments" href="/comments/feed/"><link rel="alternate" '
            b'type="application/atom+xml" href="/feed/atom"></head></html>')
    assert [c.url for c in feeds_in_page(page, "https://e.org/")] == [
        "https://e.org/feed/atom", "https://e.org/comments/feed/"]


def test_hostile_link_targets_are_dropped():
    page = (b'<html><head><link rel="alternate" type="application/rss+xml" '
            b'href="javascript:alert(1)"><link rel="alternate" type="application/rss+xml" '
            b'href="file:///etc/passwd"><link rel="stylesheet" href="/x.css"></head></html>')
    assert feeds_in_page(page, "https://e.org/") == []


def test_a_youtube_user_page_becomes_its_channel_feed(store, settings, site):
    added = add_from_site(store, settings, site.url("YouTubeTheVolvoRocks.html"))
    assert added.sources[0][1] == f"{YT}channel_id={CHANNEL}"
    with store.read() as s:
        assert s.query(Source).one().kind == MediaKind.VIDEO


def test_the_channel_id_alone_is_enough(tmp_path):
    page = (PAGES / "YouTubeTheVolvoRocks.html").read_bytes()
    bare = page.replace(b'rel="alternate"', b'rel="x"')
    [found] = feeds_in_page(bare, "http://127.0.0.1/")
    assert (found.url, found.video) == (f"{YT}channel_id={CHANNEL}", True)


@pytest.mark.parametrize(("url", "feed"), [
    (f"https://www.youtube.com/channel/{CHANNEL}", f"{YT}channel_id={CHANNEL}"),
    (f"https://youtube.com/channel/{CHANNEL}/videos", f"{YT}channel_id={CHANNEL}"),
    ("https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
     f"{YT}playlist_id=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"),
    ("https://www.youtube.com/watch?v=abc&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
     f"{YT}playlist_id=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"),
    ("https://www.youtube.com/@handle", None),
    (f"https://example.org/channel/{CHANNEL}", None),
])
def test_youtube_urls(url, feed):
    assert youtube_feed(url) == feed


def test_youtube_channel_is_added_without_fetching(store, settings):
    added = add_from_site(store, settings, f"https://www.youtube.com/channel/{CHANNEL}")
    assert added.sources[0][1] == f"{YT}channel_id={CHANNEL}" and added.warning is None
    with store.read() as s:
        assert s.query(Source).one().kind == MediaKind.VIDEO


def test_common_paths_are_tried_when_the_page_names_no_feed(store, settings, tmp_path):
    (tmp_path / "index.html").write_bytes(b"<html><head><title>x</title></head></html>")
    (tmp_path / "rss.xml").write_bytes((PAGES / "feeds" / "main").read_bytes())
    server = FeedServer(tmp_path)
    try:
        settings = settings.with_(allowed_loopback=(server.hostport,))
        added = add_from_site(store, settings, server.url("index.html"))
        assert [url for _, url in added.sources] == [server.url("rss.xml")]
        (tmp_path / "rss.xml").unlink()
        with pytest.raises(RabkorError, match="names no feed"):
            add_from_site(store, settings, server.url("index.html"), title="again")
    finally:
        server.close()
    with store.read() as s:
        assert s.query(Source).count() == 1


def test_pages_on_addresses_the_guard_refuses_are_not_added(store, settings, site):
    settings = settings.with_(allowed_loopback=())
    with pytest.raises(RabkorError, match="loopback and refused"):
        add_from_site(store, settings, site.url("DaringFireball.html"))
    with pytest.raises(RabkorError, match="loopback and refused"):  # a name for 127.0.0.1
        add_from_site(store, settings, f"http://localhost:{site.port}/DaringFireball.html")
    with store.read() as s:
        assert s.query(Source).count() == 0


def test_redirects_are_rechecked_by_the_guard(store, settings, site, redirector):
    settings = settings.with_(allowed_loopback=(redirector,))
    with pytest.raises(RabkorError, match="loopback and refused"):
        add_from_site(store, settings, f"http://{redirector}/?to={site.url('feeds/main')}")
    allowed = settings.with_(allowed_loopback=(redirector, site.hostport))
    added = add_from_site(store, allowed, f"http://{redirector}/?to={site.url('feeds/main')}")
    assert len(added.sources) == 1


def test_oversized_pages_are_refused(store, settings, feed_server):
    settings = settings.with_(max_feed_bytes=64 * 1024)
    added = add_from_site(store, settings, feed_server.url("endless"))
    assert "larger than 64 KB" in added.warning


def test_cli_adds_a_site_and_lists_the_other_feeds(settings, site, tmp_path, capsys,
                                                    monkeypatch):
    monkeypatch.setenv("RABKOR_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("RABKOR_ALLOWED_LOOPBACK", site.hostport)
    monkeypatch.setenv("RABKOR_CONFIG", str(tmp_path / "none.toml"))
    assert main(["init"]) == 0
    assert main(["sources", "add", site.url("coco.html")]) == 0
    out = capsys.readouterr().out
    assert f"added source 1: {site.url('feed/all/')}" in out
    assert f"2. {site.url('feed/best-of/')}" in out
