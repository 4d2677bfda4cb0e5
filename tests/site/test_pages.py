"""Browsing: the home page in the reader's language, item pages, players, languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from starlette.testclient import TestClient

from rabkor.core.store.models import ItemStatus, MediaKind
from rabkor.site.app import create_app


def test_root_redirects_to_the_browsers_preferred_site_language(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR, de;q=0.9, es;q=0.8"},
                          follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].endswith("/de/")
    assert "Accept-Language" in response.headers["vary"]
    fallback = client.get("/", headers={"Accept-Language": "ja"}, follow_redirects=False)
    assert fallback.headers["location"].endswith("/en/")


def test_the_language_picked_in_the_switcher_is_remembered_on_root(client, add_item):
    item = add_item("Switch")
    german = client.get(f"/de/items/{item}?x=1").text
    link = re.search(r'<a href="([^"]+)" lang="es"', german)[1].replace("&amp;", "&")
    assert link == f"/es/language?next=%2Fes%2Fitems%2F{item}%3Fx%3D1"
    chosen = client.get(link, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/es/items/{item}?x=1"
    cookie = chosen.headers["set-cookie"]
    assert "rabkor_language=es" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    root = client.get("/", headers={"Accept-Language": "de"}, follow_redirects=False)
    assert root.headers["location"] == "/es/"  # the choice beats the browser's
    assert "Cookie" in root.headers["vary"]
    assert "set-cookie" not in client.get(f"/es/items/{item}").headers  # pages stay shared
    for elsewhere in ("https://evil.example/", "//evil.example/", "/de/", "/es/\\evil",
                      "/es//evil.example"):
        away = client.get("/es/language", params={"next": elsewhere}, follow_redirects=False)
        assert away.headers["location"] == "/es/"
    client.cookies.set("rabkor_language", "xx")  # no longer a site language
    assert client.get("/", headers={"Accept-Language": "de"},
                      follow_redirects=False).headers["location"] == "/de/"


def test_home_lists_only_approved_items_newest_first(client, add_item):
    add_item("Older story", published=datetime(2024, 3, 1, tzinfo=UTC))
    add_item("Newer story", published=datetime(2024, 3, 2, tzinfo=UTC))
    add_item("Waiting story", status=ItemStatus.PENDING)
    add_item("Refused story", status=ItemStatus.REJECTED)
    page = client.get("/en/").text
    assert page.index("Newer story") < page.index("Older story")
    assert "Waiting story" not in page and "Refused story" not in page


def test_home_in_spanish_shows_the_labelled_translation_and_the_original_link(client, add_item):
    add_item("Dockers strike in Rotterdam", url="https://news.example/strike",
             translations={("title", "es"): "Huelga de estibadores en Róterdam",
                           ("summary", "es"): "Los estibadores paran."})
    page = client.get("/es/").text
    assert "Huelga de estibadores en Róterdam" in page
    assert "Dockers strike in Rotterdam" not in page
    assert "Traducido automáticamente del inglés" in page  # the Spanish catalog, CLDR's name
    assert 'title="argos 1.9"' in page
    assert 'href="https://news.example/strike"' in page
    assert "Dockers strike in Rotterdam" in client.get("/en/").text


def test_human_translations_are_credited_to_volunteers(client, add_item):
    add_item("Rent strike", translations={("title", "de"): "Mietstreik"}, human=True)
    page = client.get("/de/").text
    assert "Mietstreik" in page and "Von Freiwilligen übersetzt" in page


def test_untranslated_items_are_marked_with_their_language(client, add_item):
    add_item("Solo en castellano", language="es")
    assert "Spanisch" in client.get("/de/").text


def test_unknown_language_is_404(client):
    assert client.get("/xx/").status_code == 404


def test_item_page_serves_only_approved_items(client, add_item):
    shown = add_item("Published", content="<p>Body <em>text</em></p>")
    pending = add_item("Pending", status=ItemStatus.PENDING)
    rejected = add_item("Rejected", status=ItemStatus.REJECTED)
    page = client.get(f"/en/items/{shown}")
    assert page.status_code == 200 and "<em>text</em>" in page.text
    assert client.get(f"/en/items/{pending}").status_code == 404
    assert client.get(f"/en/items/{rejected}").status_code == 404
    assert client.get("/en/items/99999999999999999999999").status_code == 404


def test_translated_text_is_escaped_but_sanitized_content_is_not(client, add_item):
    item = add_item("T", translations={("title", "es"): "<script>alert(1)</script>"},
                    content="<p>kept <strong>bold</strong></p>")
    page = client.get(f"/es/items/{item}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<strong>bold</strong>" in page


def test_original_links_are_web_addresses_only(client, add_item):
    item = add_item("Sly", url="javascript:alert(1)")
    assert "javascript:" not in client.get(f"/en/items/{item}").text


def test_audio_item_has_a_player_for_its_enclosure(client, add_item):
    item = add_item("Episode 12", media_kind=MediaKind.AUDIO,
                    enclosure_url="https://cdn.example/ep12.mp3", enclosure_type="audio/mpeg",
                    duration_seconds=3723)
    page = client.get(f"/en/items/{item}").text
    assert '<audio controls preload="none" src="https://cdn.example/ep12.mp3">' in page
    assert "1:02:03" in page


def test_youtube_video_is_embedded_from_youtube_nocookie(client, add_item):
    item = add_item("A speech", media_kind=MediaKind.VIDEO,
                    url="https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42")
    page = client.get(f"/en/items/{item}").text
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page


def test_direct_video_gets_a_video_element_and_bad_youtube_ids_no_embed(client, add_item):
    direct = add_item("Clip", media_kind=MediaKind.VIDEO,
                      enclosure_url="https://cdn.example/clip.mp4", enclosure_type="video/mp4")
    assert '<video controls preload="none" src="https://cdn.example/clip.mp4"' in \
        client.get(f"/en/items/{direct}").text
    odd = add_item("Odd", media_kind=MediaKind.VIDEO,
                   url='https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>')
    assert "youtube-nocookie" not in client.get(f"/en/items/{odd}").text


def test_every_page_has_the_switcher_and_the_feed_link(client, add_item):
    item = add_item("Switch")
    page = client.get(f"/de/items/{item}").text
    assert f'hreflang="es" href="/es/items/{item}"' in page  # a path: never the request's Host
    assert "español" in page and "Deutsch" in page
    assert 'type="application/atom+xml"' in page and "/de/feed.atom" in page


def test_right_to_left_languages_get_dir_rtl(store, settings):
    rtl = settings.with_(languages=("en", "ar"))
    with TestClient(create_app(rtl, store)) as client:
        page = client.get("/ar/").text
        assert '<html lang="ar" dir="rtl">' in page
        assert "العربية" in page
        assert '<html lang="en" dir="ltr">' in client.get("/en/").text


def test_item_page_shows_the_translated_full_text_sanitized_with_its_markup(client, add_item):
    item = add_item("Strike", content="<p>The <em>dockers</em> stopped.</p>",
                    translations={("title", "es"): "Huelga",
                                  ("content", "es"): '<p>Los <em>estibadores</em> pararon.'
                                                     '<img src=x onerror="alert(1)"></p>'})
    page = client.get(f"/es/items/{item}").text
    assert '<div class="content" lang="es"' in page
    assert "Los <em>estibadores</em> pararon." in page
    assert "onerror" not in page and "The <em>dockers</em>" not in page
    assert "The <em>dockers</em> stopped." in client.get(f"/en/items/{item}").text


def test_a_volunteers_full_text_is_shown_as_escaped_paragraphs(client, add_item):
    item = add_item("Strike", content="<p>The dockers stopped.</p>", human=True,
                    translations={("title", "de"): "Streik",
                                  ("content", "de"): "Die Hafenarbeiter <b>streikten</b>.\nEnde."})
    page = client.get(f"/de/items/{item}").text
    assert "<p>Die Hafenarbeiter &lt;b&gt;streikten&lt;/b&gt;.</p><p>Ende.</p>" in page
