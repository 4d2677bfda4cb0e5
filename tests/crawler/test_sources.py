"""Sources: adding with clear errors, and OPML in and out without trusting the file."""

import pytest

from rabkor.core.errors import RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import MediaKind, Source
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import (
    add_from_site,
    add_source,
    export_opml,
    import_opml,
    list_sources,
)

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="News" title="News">
    <outline type="rss" text="Spiegel" xmlUrl="https://www.spiegel.de/schlagzeilen/index.rss"
             htmlUrl="https://www.spiegel.de/" language="de"/>
    <outline text="Europe">
      <outline type="rss" text="Le Monde" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
    </outline>
  </outline>
  <outline type="rss" text="Loose feed" xmlUrl="https://example.org/feed.xml"/>
  <outline type="rss" text="Twice" xmlUrl="https://example.org/feed.xml"/>
  <outline type="rss" text="Not web" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_add_and_list(store):
    with store.transaction() as s:
        src = add_source(s, " https://e.org/feed ", title="<b>E</b> org", language="EN",
                         kind="audio", category="labour", editorial_comment="good")
        assert src.id is not None
    with store.read() as s:
        [only] = list_sources(s)
        assert (only.feed_url, only.title, only.language, only.kind, only.category) == (
            "https://e.org/feed", "E org", "en", MediaKind.AUDIO, "labour")


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("ftp://e.org/feed", "only http and https"),
    ("https://", "without a host"),
    ("http://e.org:99999/feed", "not a port number"),
    ("", "an empty URL"),
])
def test_bad_urls_are_refused_with_a_reason(store, url, message):
    with store.transaction() as s, pytest.raises(RabkorError, match=message):
        add_source(s, url)


def test_duplicates_and_unknown_kinds_are_refused(store):
    with store.transaction() as s:
        add_source(s, "https://e.org/feed")
    with store.transaction() as s, pytest.raises(RabkorError, match="already exists"):
        add_source(s, "https://e.org/feed")
    with store.transaction() as s, pytest.raises(RabkorError, match="unknown source kind"):
        add_source(s, "https://e.org/other", kind="podcast")


def test_opml_import_reads_nested_folders_and_skips_duplicates_and_bad_urls(store):
    with store.transaction() as s:
        add_source(s, "https://www.lemonde.fr/rss/une.xml")
        added = import_opml(s, OPML)
    assert [(a.title, a.category) for a in added] == [("Spiegel", "News"), ("Loose feed", None)]
    assert added[0].language == "de" and added[0].site_url == "https://www.spiegel.de/"
    with store.transaction() as s:
        assert import_opml(s, OPML) == []


def test_opml_round_trip(store, tmp_path, settings):
    with store.transaction() as s:
        import_opml(s, OPML)
        exported = export_opml(s)
    other = Store(settings.with_(data_dir=tmp_path / "other"))
    other.migrate()
    with other.transaction() as s:
        again = import_opml(s, exported)
        got = {(a.feed_url, a.title, a.category, a.language, a.site_url) for a in again}
    with store.read() as s:
        want = {(a.feed_url, a.title, a.category, a.language, a.site_url)
                for a in list_sources(s)}
    other.close()
    assert got == want and len(got) == 3
    assert ("https://www.lemonde.fr/rss/une.xml", "Le Monde", "Europe", None, None) in got


def test_a_site_with_neither_feed_nor_sitemap_says_both_were_looked_for(store, settings,
                                                                       feed_server):
    # the loopback server's /html page names no feed; no usual feed or sitemap path answers
    # (a sitemap fallback for a site that has one: tests/crawler/test_sitemap.py)
    with pytest.raises(RabkorError) as refused:
        add_from_site(store, settings, feed_server.url("html"))
    assert str(refused.value) == (
        f"cannot add {feed_server.url('html')!r}: {feed_server.url('html')} is a web page "
        "that names no feed, and none of /feed, /rss.xml, /atom.xml, /index.xml, /feed.xml, "
        "/rss is one; nor has the site a sitemap (looked for robots.txt Sitemap: lines, "
        "/sitemap.xml, /sitemap_index.xml, /sitemap.xml.gz)")
    with store.read() as s:
        assert list_sources(s) == []


@pytest.mark.parametrize(("data", "message"), [
    (b"<opml><body><outline", "not readable XML"),
    (b"<rss><channel/></rss>", "not OPML"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
     b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><opml><body>'
     b'<outline xmlUrl="https://e.org/&lol2;"/></body></opml>', "DTD or entities"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     b'<opml><body><outline text="&xxe;" xmlUrl="https://e.org/f"/></body></opml>',
     "DTD or entities"),
    (b"<opml><body>" + b" " * (6 * 1024 * 1024) + b"</body></opml>", "larger than 5 MB"),
])
def test_bad_opml_gets_a_readable_error(store, data, message):
    with store.transaction() as s, pytest.raises(RabkorError, match=message):
        import_opml(s, data)


def test_an_opml_file_nested_a_thousand_deep_is_read(store):
    deep = (b"<opml><body>" + b'<outline text="folder">' * 1000 +
            b'<outline xmlUrl="https://deep.example/feed" title="Deep"/>' +
            b"</outline>" * 1000 + b"</body></opml>")
    with store.transaction() as s:
        [added] = import_opml(s, deep)
    assert (added.feed_url, added.category) == ("https://deep.example/feed", "folder")


def test_a_feed_behind_basic_auth_is_crawled_and_its_password_never_shown(
        store, settings, feed_server):
    private = feed_server.url("private/de/spiegel.xml").replace(
        "http://", "http://reader:s3cret@")
    added = add_from_site(store, settings, private)  # discovery fetches it with the password
    [(source_id, url)] = added.sources
    assert url == feed_server.url("private/de/spiegel.xml") and "s3cret" not in url
    report = crawl(settings, store, source_ids=[source_id])
    assert report.errors == {} and report.new_items > 0
    with store.read() as s:
        source = s.get(Source, source_id)
        assert source.credentials == ("reader", "s3cret")
        exported = export_opml(s)
    assert b"s3cret" not in exported and b"reader" not in exported
    with store.transaction() as s:
        wrong = add_source(s, feed_server.url("private/de/heise.atom"))
    assert crawl(settings, store, source_ids=[wrong.id]).errors[wrong.id].startswith(
        "HTTP 401")
    for bad in ("http://reader:s3cret@e.org:99999/feed", "ftp://reader:s3cret@e.org/"):
        with pytest.raises(RabkorError) as refused:
            add_from_site(store, settings, bad)
        assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]:9",
                                  "0177.0.0.1:9"])
def test_a_discovered_feed_on_a_refused_address_is_refused_when_found(store, settings,
                                                                      feed_server, host):
    with pytest.raises(RabkorError, match="every feed the site names is refused"):
        add_from_site(store, settings, feed_server.url(f"names/{host}"))
    with store.read() as s:
        assert list_sources(s) == []
