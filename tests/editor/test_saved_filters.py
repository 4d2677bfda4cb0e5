"""Saved queue filters: listed with their counts, and each a private Atom feed whose
address can be revoked or replaced, and which stops when its owner is disabled."""

from __future__ import annotations

import re

import feedparser
from sqlalchemy import select

from rabkor.core.store.models import SavedFilter, User
from tests.editor.helpers import add_item, csrf_of


def saved_list(html: str) -> dict[str, int]:
    block = html.split('aria-labelledby="facet-saved"')[1].split("</section>")[0]
    return {name: int(n) for name, n in re.findall(
        r'<li><a href="[^"]*">([^<]+)</a> <span class="count">(\d+)</span>', block)}


def test_a_saved_filter_is_listed_with_its_count_and_read_as_a_feed(client, store, login_as):
    login_as(client, "editor")
    spanish = [add_item(store, f"Huelga {n}", language="es") for n in range(3)]
    add_item(store, "Grève", language="fr")
    page = client.get("/", params={"original": "es"})
    token = csrf_of(page.text)
    client.post("/filters", data={"csrf_token": token, "name": "Spanish", "original": "es"})
    assert saved_list(client.get("/").text) == {"Spanish": 3}
    with store.read() as s:
        saved_id = s.scalar(select(SavedFilter.id))
    made = client.post(f"/filters/{saved_id}/feed", data={"csrf_token": token})
    link = re.search(r'<code class="link">([^<]+)</code>', made.text).group(1)
    path = link.split("testserver", 1)[1]
    with store.read() as s:
        assert s.get(SavedFilter, saved_id).feed_token_hash not in link  # a hash kept
    anonymous = client.__class__(client.app)  # a feed reader: no session
    response = anonymous.get(path)
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10" and not feed.bozo
    assert sorted(e.title for e in feed.entries) == ["Huelga 0", "Huelga 1", "Huelga 2"]
    assert {e.link.rsplit("/", 1)[1] for e in feed.entries} == {str(i) for i in spanish}
    again = client.post(f"/filters/{saved_id}/feed", data={"csrf_token": token})
    assert anonymous.get(path).status_code == 404  # the new address replaced it
    newer = re.search(r'<code class="link">([^<]+)</code>', again.text).group(1)
    client.post(f"/filters/{saved_id}/revoke", data={"csrf_token": token})
    assert anonymous.get(newer.split("testserver", 1)[1]).status_code == 404


def test_the_feed_stops_when_its_owner_is_disabled(client, store, login_as):
    editor = login_as(client, "editor")
    add_item(store, "Huelga", language="es")
    token = csrf_of(client.get("/").text)
    client.post("/filters", data={"csrf_token": token, "name": "es", "original": "es"})
    with store.read() as s:
        saved_id = s.scalar(select(SavedFilter.id))
    link = re.search(r'<code class="link">([^<]+)</code>', client.post(
        f"/filters/{saved_id}/feed", data={"csrf_token": token}).text).group(1)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    with store.transaction() as s:
        s.get(User, editor.id).active = False
    assert client.get(path).status_code == 404


def test_saving_needs_a_name_and_a_filter(client, store, login_as):
    login_as(client, "editor")
    token = csrf_of(client.get("/").text)
    nameless = client.post("/filters", data={"csrf_token": token, "name": " ",
                                             "original": "es"})
    assert nameless.status_code == 400 and "needs a name" in nameless.text
    whole = client.post("/filters", data={"csrf_token": token, "name": "all"})
    assert whole.status_code == 400 and "choose a filter first" in whole.text.lower()
    with store.read() as s:
        assert s.scalar(select(SavedFilter)) is None
