"""The source directory from the web: a source added by its address through the crawler's
autodiscovery and address guard, classified under a managed category, described and
commented on, disabled and enabled through the health table, OPML in (a real reader's
export) and out; every change in the log; bad input explained, nothing changed."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from rabkor.core.store.models import AuditEvent, Category, Source
from rabkor.crawler.run import crawl
from tests.editor.helpers import csrf_of

SUBS = Path(__file__).parents[1] / "data" / "discovery" / "Subs.opml"


def _source(store, source_id) -> Source:
    with store.read() as s:
        return s.get(Source, source_id)


def _add(client, url, **fields):
    token = csrf_of(client.get("/sources").text)
    return client.post("/sources", data={"csrf_token": token, "url": url, **fields},
                       follow_redirects=False)


def test_an_admin_adds_classifies_and_comments_on_a_source(client, login_as, store, settings,
                                                           feed_server):
    login_as(client, "admin")
    token = csrf_of(client.get("/admin/categories").text)
    assert client.post("/admin/categories", data={"csrf_token": token,
                                                  "name": "Left-liberal press"},
                       follow_redirects=False).status_code == 303
    added = _add(client, feed_server.url("es/lanacion.xml"), category="Left-liberal press")
    assert added.status_code == 303, added.text
    source_id = int(re.search(r"/sources/(\d+)$", added.headers["location"]).group(1))
    source = _source(store, source_id)
    assert (source.title, source.category) == ("LA NACION", "Left-liberal press")

    page = client.get(f"/sources/{source_id}").text
    assert "never fetched" in page and "at the next crawl" in page
    crawl(settings, store, source_ids=[source_id])
    page = client.get(f"/sources/{source_id}").text
    assert ">ok<" in page and page.count("/items/") >= 30  # its latest items, linked

    saved = client.post(f"/sources/{source_id}", follow_redirects=False, data={
        "csrf_token": csrf_of(page), "title": "La Nación", "language": "ES",
        "kind": "article", "category": "Left-liberal press", "site_url":
        "https://www.lanacion.com.ar/", "full_text": "never",
        "description": "El diario de los argentinos.\r\nFundado en 1870.",
        "editorial_comment": "Liberal daily; read for the labour pages."})
    assert saved.status_code == 303
    source = _source(store, source_id)
    assert (source.title, source.language, source.full_text) == ("La Nación", "es", False)
    assert source.description == "El diario de los argentinos.\nFundado en 1870."
    listing = client.get("/sources", params={"category": "Left-liberal press"}).text
    assert "La Nación" in listing and "Left-liberal press" in listing
    assert "La Nación" not in client.get("/sources", params={"q": "guardian"}).text
    assert "La Nación" in client.get("/sources", params={"q": "argentinos"}).text
    with store.read() as s:
        [edit] = s.scalars(select(AuditEvent).where(AuditEvent.action == "source edited"))
        assert edit.before["title"] == "LA NACION"
        assert edit.after["editorial_comment"].startswith("Liberal daily")
        assert "kind" not in edit.after  # only what changed
    assert "source edited" in client.get("/log").text


def test_disabling_and_enabling_go_through_the_health_table(client, login_as, store,
                                                            feed_server):
    login_as(client, "admin")
    source_id = int(_add(client, feed_server.url("en/guardian.rss")).headers["location"]
                    .rsplit("/", 1)[1])
    page = client.get(f"/sources/{source_id}").text
    client.post(f"/sources/{source_id}/switch", data={"csrf_token": csrf_of(page),
                                                      "enabled": "0"})
    source = _source(store, source_id)
    assert not source.enabled and source.disabled_reason == "disabled by an administrator"
    assert "disabled" in client.get("/sources", params={"state": "disabled"}).text
    assert "guardian" not in client.get("/sources", params={"state": "ok"}).text.lower()
    client.post(f"/sources/{source_id}/switch", data={"csrf_token": csrf_of(page),
                                                      "enabled": "1"})
    assert _source(store, source_id).enabled
    with store.read() as s:
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["source added", "source disabled", "source enabled"]


def test_an_opml_export_of_a_real_reader_imports_and_exports_again(client, login_as, store):
    login_as(client, "admin")
    token = csrf_of(client.get("/sources").text)
    imported = client.post("/sources/import", data={"csrf_token": token},
                           files={"opml": ("Subs.opml", SUBS.read_bytes(), "text/x-opml")})
    # 207 outlines, one feed twice (http://feed.katiefloyd.com and …com/ are one address)
    assert imported.status_code == 200 and "Imported 206 new sources" in imported.text
    again = client.post("/sources/import", data={"csrf_token": token},
                        files={"opml": ("Subs.opml", SUBS.read_bytes(), "text/x-opml")})
    assert "Imported 0 new sources" in again.text
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Source)) == 206
    exported = client.get("/sources.opml")
    assert exported.headers["content-type"].startswith("text/x-opml")
    assert exported.content.count(b"xmlUrl=") == 206
    assert b"http://daringfireball.net/feeds/main" in exported.content
    # the directory pages by cursor: 50 a page, every source once
    seen, url = [], "/sources"
    while url:
        page = client.get(url).text
        seen += re.findall(r'<tr id="source-(\d+)"', page)
        nxt = re.search(r'rel="next" href="([^"]+)"', page)
        url = nxt.group(1).replace("&amp;", "&").removeprefix("http://testserver") \
            if nxt else ""
    assert len(seen) == 206 == len(set(seen))


def test_bad_input_is_explained_and_changes_nothing(client, login_as, store, feed_server):
    login_as(client, "admin")
    refused = _add(client, "http://10.0.0.1/feed")
    assert refused.status_code == 400 and "refused" in refused.text
    assert "http://10.0.0.1/feed" in refused.text  # the address kept in the form
    assert _add(client, "not a url").status_code == 400
    unlisted = _add(client, feed_server.url("es/lanacion.xml"), category="Not listed")
    assert unlisted.status_code == 400 and "Choose a category from the list" in unlisted.text
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Source)) == 0
    source_id = int(_add(client, feed_server.url("es/lanacion.xml")).headers["location"]
                    .rsplit("/", 1)[1])
    token = csrf_of(client.get(f"/sources/{source_id}").text)
    form = {"csrf_token": token, "title": "La Nación", "kind": "article", "full_text": "auto"}
    for bad, message in ((dict(title=" "), "needs a title"),
                         (dict(language="klingon"), "not a language code"),
                         (dict(kind="pamphlet"), "kind is one of"),
                         (dict(category="Secret list"), "not in the list of categories"),
                         (dict(site_url="javascript:alert(1)"), "http or https"),
                         (dict(description="x" * 20_001), "longer than 20,000")):
        response = client.post(f"/sources/{source_id}", data={**form, **bad})
        assert response.status_code == 400 and message in response.text, (bad, response.text)
    assert _source(store, source_id).title == "LA NACION"
    token = csrf_of(client.get("/admin/categories").text)
    client.post("/admin/categories", data={"csrf_token": token, "name": "Press"})
    twice = client.post("/admin/categories", data={"csrf_token": token, "name": "Press"})
    assert twice.status_code == 409 and "exists already" in twice.text
    big = client.post("/sources/import", data={"csrf_token": token},
                      files={"opml": ("big.opml", b" " * (5 * 1024 * 1024 + 1), "text/xml")})
    assert big.status_code == 413
    entity = client.post("/sources/import", data={"csrf_token": token}, files={"opml": (
        "x.opml", b'<!DOCTYPE x [<!ENTITY e "e">]><opml><body/></opml>', "text/xml")})
    assert entity.status_code == 400 and "DTD" in entity.text


def test_a_retired_category_stays_on_its_sources_but_is_not_offered(client, login_as, store,
                                                                     feed_server):
    login_as(client, "admin")
    token = csrf_of(client.get("/admin/categories").text)
    client.post("/admin/categories", data={"csrf_token": token, "name": "Syndicalist"})
    source_id = int(_add(client, feed_server.url("en/guardian.rss"), category="Syndicalist")
                    .headers["location"].rsplit("/", 1)[1])
    client.post("/admin/categories/switch", data={"csrf_token": token, "name": "Syndicalist",
                                                  "active": "0"})
    with store.read() as s:
        assert s.get(Category, "Syndicalist").active is False
    assert "<option>Syndicalist</option>" not in client.get("/sources").text
    page = client.get(f"/sources/{source_id}").text
    assert "<option selected>Syndicalist</option>" in page  # still its category
    kept = client.post(f"/sources/{source_id}", follow_redirects=False, data={
        "csrf_token": token, "title": "The Guardian", "kind": "article",
        "category": "Syndicalist", "full_text": "auto"})
    assert kept.status_code == 303 and _source(store, source_id).title == "The Guardian"


def test_editors_see_the_directory_but_do_not_change_it(client, login_as, store, feed_server):
    login_as(client, "editor")
    page = client.get("/sources")
    assert page.status_code == 200 and "Add a source" not in page.text
    refused = _add(client, feed_server.url("en/guardian.rss"))
    assert refused.status_code == 403 and "for administrators" in refused.text
    assert client.get("/sources.opml").status_code == 200
