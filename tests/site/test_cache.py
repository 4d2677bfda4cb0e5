"""The site's rendered pages kept in memory: answered again without rendering, by ETag
with a 304, compressed once (brotli or gzip) for browsers that accept it; dropped the
moment the desk publishes in this process or in another one on the same data directory,
not when a crawl stores items that wait for the desk, and after `page_cache_seconds` for
changes made outside Rabkor; bounded in entries."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
import time

import brotli
import pytest
from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus
from rabkor.editor.workflow import decide
from rabkor.site import cache
from rabkor.site.app import create_app
from rabkor.site.cache import cached


def test_a_page_is_kept_and_answered_by_etag(client, add_item):
    add_item("Dockers strike " + "at the port " * 200)
    first = client.get("/en/")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"  # always revalidated
    assert first.headers["content-encoding"] == "br"  # httpx asks for it and decodes
    again = client.get("/en/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    plain = client.get("/en/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content
    zipped = client.get("/en/", headers={"Accept-Encoding": "gzip, br;q=0"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == first.content
    kept = client.app.state.page_cache._kept["/en/?"].encoded
    assert gzip.decompress(kept["gzip"]) == brotli.decompress(kept["br"]) == plain.content
    assert len(kept["br"]) < len(kept["gzip"]) < len(plain.content) / 3


@pytest.mark.parametrize(("header", "chosen"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip;q=0.5", "gzip"),
    ("identity", None), ("", None), ("*", "br"), ("gzip;q=0", None), ("br;q=x, gzip", "gzip"),
    ("GZIP", "gzip"),
])
def test_the_encoding_is_the_one_the_browser_accepts(header, chosen):
    assert cache.chosen_encoding(header) == chosen


def test_the_desks_decision_in_this_process_shows_at_once(client, store, add_item):
    waiting = add_item("Asamblea general del puerto", status=ItemStatus.PENDING)
    assert "Asamblea general" not in client.get("/en/").text  # kept now
    with store.transaction() as s:
        editor = create_user(s, "edith", "a long password", "editor")
        decide(s, s.get(Item, waiting), editor, "approve")
    assert "Asamblea general" in client.get("/en/").text


OTHER_PROCESS = """
import sys
from pathlib import Path
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus
store = Store(Settings(data_dir=Path(sys.argv[1])))
with store.transaction() as s:
    s.get(Item, int(sys.argv[2])).status = ItemStatus.APPROVED
"""


def test_a_decision_taken_in_another_process_shows_at_once(settings, store, add_item):
    """Another web worker, or the pipeline's process, on the same data directory."""
    waiting = add_item("Asamblea general del puerto", status=ItemStatus.PENDING)
    with TestClient(create_app(settings.with_(page_cache_seconds=600), store)) as client:
        assert "Asamblea general" not in client.get("/en/").text  # kept now
        subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(settings.data_dir),
                        str(waiting)], check=True)
        assert "Asamblea general" in client.get("/en/").text


def test_items_waiting_for_the_desk_do_not_drop_the_kept_pages(client, store, add_item):
    add_item("Dockers strike")
    client.get("/en/")
    before = store.changes.version()
    for n in range(3):  # as a crawl stores what it found
        add_item(f"Found in the feed {n}", status=ItemStatus.PENDING)
    assert store.changes.version() == before
    assert "/en/?" in client.app.state.page_cache._kept
    add_item("Published at once")
    assert store.changes.version() != before


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


def test_readers_asking_for_a_page_being_rendered_wait_for_that_one_render(tmp_path):
    """64 connections on a cold page: one render, not one each; an answer that is not
    kept (here a 404) lets each waiting request render its own."""
    import asyncio

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from rabkor.core.store.changes import Stamp

    renders = []

    async def page(request):
        renders.append(request.url.path)
        await asyncio.sleep(0.05)
        status = 404 if request.url.path == "/missing" else 200
        return PlainTextResponse(f"rendered {len(renders)}", status_code=status)

    app = Starlette(routes=[Route("/{name}", cached(page))])
    app.state.page_cache = cache.PageCache(60, Stamp(tmp_path / "stamp"))

    async def many(path: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            return await asyncio.gather(*(client.get(path) for _ in range(64)))

    answers = asyncio.run(many("/home"))
    assert {a.text for a in answers} == {"rendered 1"} and renders == ["/home"]
    assert app.state.page_cache.rendering == {}
    missing = asyncio.run(many("/missing"))
    assert all(a.status_code == 404 for a in missing) and len(renders) == 1 + 64
