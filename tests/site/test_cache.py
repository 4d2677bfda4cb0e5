"""The site's rendered pages kept in memory: answered again without rendering, by ETag
with a 304, gzipped once for browsers that accept it; dropped the moment the desk
publishes in this process, and after `page_cache_seconds` for changes made elsewhere;
bounded in entries."""

from __future__ import annotations

import gzip
import sqlite3
import time

from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus
from rabkor.editor.workflow import decide
from rabkor.site import cache
from rabkor.site.app import create_app


def test_a_page_is_kept_and_answered_by_etag(client, add_item):
    add_item("Dockers strike " + "at the port " * 200)
    first = client.get("/en/")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"  # always revalidated
    assert first.headers["content-encoding"] == "gzip"  # httpx asks for it and inflates
    again = client.get("/en/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    plain = client.get("/en/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content
    raw = client.get("/en/", headers={"Accept-Encoding": "gzip"})
    assert raw.content == first.content  # httpx inflated the same gzip body
    assert gzip.decompress(client.app.state.page_cache._kept["/en/?"].zipped) == plain.content


def test_the_desks_decision_in_this_process_shows_at_once(client, store, add_item):
    waiting = add_item("Asamblea general del puerto", status=ItemStatus.PENDING)
    assert "Asamblea general" not in client.get("/en/").text  # kept now
    with store.transaction() as s:
        editor = create_user(s, "edith", "a long password", "editor")
        decide(s, s.get(Item, waiting), editor, "approve")
    assert "Asamblea general" in client.get("/en/").text


def test_a_change_made_elsewhere_shows_when_the_page_expires(settings, store, add_item):
    item_id = add_item("Huelga en el puerto")
    with TestClient(create_app(settings.with_(page_cache_seconds=1), store)) as client:
        assert "Huelga en el puerto" in client.get("/en/").text
        with sqlite3.connect(settings.data_dir / "rabkor.db") as other:  # another process
            other.execute("UPDATE items SET title = 'Huelga terminada' WHERE id = ?",
                          (item_id,))
        assert "Huelga en el puerto" in client.get("/en/").text  # still the kept page
        time.sleep(1.1)
        assert "Huelga terminada" in client.get("/en/").text


def test_no_cache_when_switched_off_and_entries_bounded(settings, store, add_item,
                                                        monkeypatch):
    add_item("Huelga en el puerto")
    with TestClient(create_app(settings.with_(page_cache_seconds=0), store)) as client:
        assert "etag" not in client.get("/en/").headers
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    with TestClient(create_app(settings, store)) as client:
        for lang in ("en", "es", "de"):
            client.get(f"/{lang}/")
            client.get(f"/{lang}/latest")
        assert len(client.app.state.page_cache._kept) == 3
        assert list(client.app.state.page_cache._kept) == ["/es/latest?", "/de/?",
                                                           "/de/latest?"]
