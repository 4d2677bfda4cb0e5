"""Parsing real-world feeds into drafts: charsets, scripts, media kinds, dates, bad bodies."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rabkor.core.errors import FeedParseError
from rabkor.core.store.models import MediaKind
from rabkor.crawler.parse.feed import duration_seconds, parse_feed
from tests.conftest import FEEDS

BASE = "http://127.0.0.1:8999/"


def parse(path: str, content_type: str = "application/xml", language: str | None = None):
    return parse_feed((FEEDS / path).read_bytes(), url=BASE + path, content_type=content_type,
                      source_language=language)


def test_german_podcast_feed_from_spiegel():
    feed = parse("de/spiegel.xml")
    assert (feed.title, feed.language) == ("SPIEGEL Update – Die Nachrichten", "de")
    assert feed.site_url == "https://www.spiegel.de/thema/spiegel-update/"
    item = feed.items[0]
    assert item.title.startswith("07.02. – die Wochenvorschau: Lockdown-Verlängerung")
    assert item.guid == "c7e3cca2-665e-4bc4-bcac-acc6011b9fa2"
    assert item.published_at == datetime(2021, 2, 6, 23, 1, tzinfo=UTC)
    assert (item.media_kind, item.enclosure_type, item.enclosure_length) == (
        MediaKind.AUDIO, "audio/mpeg", 2519606)
    assert item.duration_seconds == 312
    assert item.author == "DER SPIEGEL"
    assert '<a href="https://omnystudio.com/listener"' in item.content


def test_russian_windows_1251_is_decoded():
    feed = parse("ru/windows-1251.xml")
    assert feed.language == "ru" and len(feed.items) == 50
    assert feed.items[0].title == "Цитата #17703"
    assert "кот немного пхп знает?" in feed.items[0].summary


def test_urdu_right_to_left_with_thumbnail():
    feed = parse("ur/bbc-urdu.xml")
    item = feed.items[0]
    assert item.language == "ur"
    assert item.title.startswith("امریکی عسکری امداد کی بندش کی وجوہات")
    assert item.image_url == ("http://c.files.bbci.co.uk/A787/production/"
                              "_99478824_gettyimages-856735580.jpg")


def test_chinese_gb2312_is_decoded():
    item = parse("zh/gb2312.xml").items[0]
    assert item.title == "拟298亿元重组盛大游戏后 世纪华通发20亿回购预案"
    assert item.language == "zh"
    assert item.published_at == datetime(2018, 9, 19, 5, 11, 22, tzinfo=UTC)


def test_portuguese_latin1_mislabelled_utf8_and_localized_dates():
    feed = parse("pt/uol-noticias.rss", language="pt")
    item = feed.items[0]
    assert item.title == ("Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações "
                          "de 2º turno")
    # "Seg, 24 Set 2018 19:42:40 -0300": day and month named in Portuguese
    assert item.published_at == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    assert all(i.published_at is not None for i in feed.items)
    assert item.language == "pt"  # the feed declares none: the source's language


def test_podcast_enclosure_is_audio_with_duration_in_minutes_and_seconds():
    item = parse("media/dw-langsam-gesprochene-nachrichten.xml").items[0]
    assert item.media_kind is MediaKind.AUDIO
    assert item.duration_seconds == 7 * 60
    assert item.enclosure_url.endswith("5F52703B_2-podcast-2288-61170826.mp3")


def test_bbc_podcast_is_audio():
    item = parse("media/bbc-in-our-time.xml").items[0]
    assert (item.title, item.media_kind, item.duration_seconds) == (
        "Marcus Aurelius", MediaKind.AUDIO, 3156)


def test_youtube_feed_gives_video_with_watch_url_and_thumbnail():
    item = parse("media/youtube.xml").items[0]
    assert item.media_kind is MediaKind.VIDEO
    assert item.url == "https://www.youtube.com/watch?v=0A1ouV7iD8o"
    assert item.image_url == "https://i1.ytimg.com/vi/0A1ouV7iD8o/hqdefault.jpg"
    assert item.enclosure_url is None


def test_json_feed():
    feed = parse("en/jsonfeed.json", "application/feed+json")
    assert feed.title == "Daring Fireball" and len(feed.items) == 2
    item = feed.items[0]
    assert item.title == "How Jeff Bezos’s iPhone X Was Hacked"
    assert item.author == "John Gruber"
    assert item.published_at == datetime(2020, 1, 24, 23, 46, 57, tzinfo=UTC)
    assert item.content.startswith("<p>Good summary from The New York Times.")


def test_large_english_and_spanish_feeds():
    guardian = parse("en/guardian.rss")
    assert len(guardian.items) == 55 and guardian.language == "en"
    assert all(i.url.startswith("https://www.theguardian.com/") for i in guardian.items)
    lanacion = parse("es/lanacion.xml", language="es")
    assert len(lanacion.items) == 100 and lanacion.items[0].language == "es"
    assert lanacion.items[0].title.startswith("El Gobierno aumentó un 50%")


def test_atom_from_heise():
    feed = parse("de/heise.atom", language="de")
    assert len(feed.items) == 15
    assert feed.items[0].published_at == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)


def test_entries_are_cleaned_and_bad_dates_become_none():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>&lt;b&gt;Bold&lt;/b&gt;   title</title><link>http://e.org/a#top</link>
    <description>&lt;p onclick="x()"&gt;hi&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;</description>
    <pubDate>Mon, 01 Jan 0000 00:00:00 GMT</pubDate></item>
    <item><title>no link</title></item>
    <item><title>relative</title><link>/b</link><enclosure url="javascript:x" type="audio/mpeg"/>
    </item></channel></rss>"""
    feed = parse_feed(body, url="http://e.org/feed", content_type="application/rss+xml")
    first, second = feed.items
    assert (first.title, first.url, first.summary) == ("Bold title", "http://e.org/a", "<p>hi</p>")
    assert first.published_at is None
    assert (second.url, second.enclosure_url, second.media_kind) == (
        "http://e.org/b", None, MediaKind.ARTICLE)


def test_relative_links_resolve_against_the_entry_base_and_foreign_schemes_go():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/">
    <title>T</title><id>urn:t</id><updated>2024-01-01T00:00:00Z</updated>
    <entry xml:base="/2024/post/"><title>One</title><id>urn:1</id>
      <link href="one.html"/><updated>2024-01-01T00:00:00Z</updated>
      <content type="html">&lt;p&gt;&lt;a href="../other.html"&gt;other&lt;/a&gt;
      &lt;img src="pic.png" alt="p"&gt; &lt;a href="//cdn.example/x"&gt;cdn&lt;/a&gt;
      &lt;a href="&amp;#106;avascript:alert(1)"&gt;bad&lt;/a&gt;&lt;/p&gt;</content></entry>
    </feed>"""
    item = parse_feed(body, url="http://feeds.example/atom").items[0]
    assert item.url == "https://blog.example/2024/post/one.html"
    assert 'href="https://blog.example/2024/other.html"' in item.content
    assert 'src="https://blog.example/2024/post/pic.png"' in item.content
    assert 'href="https://cdn.example/x"' in item.content
    assert "javascript" not in item.content and '<a rel="noopener noreferrer nofollow">bad' \
        in item.content
    rss = b"""<rss version="2.0"><channel><title>T</title><item><title>x</title>
      <link>http://e.org/a</link><description>&lt;a href="/b"&gt;b&lt;/a&gt;</description>
      </item></channel></rss>"""
    assert 'href="http://e.org/b"' in parse_feed(rss, url="http://e.org/feed.xml").items[0].summary


@pytest.mark.parametrize(("body", "content_type", "message"), [
    (b"", "application/xml", "not a feed: the body is empty"),
    (b"<!doctype html><html><body>hi</body></html>", "text/html",
     "not a feed: the server sent an HTML page"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "application/xml", "not a feed: XML error at line"),
    (b'{"items": []}', "application/json", "not a feed: JSON without a JSON Feed version"),
    ((FEEDS / "broken/invalid.xml").read_bytes(), "application/xml",
     "not a feed: XML error at line 19: no element found"),
])
def test_bodies_that_are_not_feeds_say_why(body, content_type, message):
    with pytest.raises(FeedParseError, match=f"^{message}"):
        parse_feed(body, url=BASE, content_type=content_type)


@pytest.mark.parametrize(("raw", "seconds"), [
    ("312", 312), ("07:00", 420), ("1:02:03", 3723), ("", None), ("abc", None),
    ("-5", None), ("1:2:3:4", None), ("nan", None), (None, None)])
def test_itunes_durations(raw, seconds):
    assert duration_seconds(raw) == seconds


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["application/xml", "application/json", ""]))
def test_the_parser_never_crashes_on_any_bytes(body, content_type):
    try:
        feed = parse_feed(b'<?xml version="1.0"?><rss><channel><item><link>http://e.org/'
                          + body, url=BASE, content_type=content_type)
    except FeedParseError:
        return
    assert all(i.url.startswith("http") for i in feed.items)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Seg, 24 Set 2018 19:18:49 -0300", datetime(2018, 9, 24, 22, 18, 49, tzinfo=UTC)),
    ("lun., 5 févr. 2018 08:00:00 GMT", datetime(2018, 2, 5, 8, 0, tzinfo=UTC)),
    ("Пн, 12 марта 2018 10:00:00 +0300", datetime(2018, 3, 12, 7, 0, tzinfo=UTC)),
    ("Fri, 31 Dec 9999 23:59:59 GMT", None), ("Mon, 01 Jan 0000 00:00:00 GMT", None),
    ("Seg, 24 Xyz 2018", None),
])
def test_localized_and_impossible_dates(raw, expected):
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            f'<title>x</title><link>http://e.org/a</link><pubDate>{raw}</pubDate></item>'
            f'</channel></rss>').encode()
    assert parse_feed(body, url=BASE).items[0].published_at == expected
