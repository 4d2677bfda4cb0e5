"""crawl → translate → approve → index → site, against the loopback feed server.

Real Scrapy crawl of a real English feed, real Apertium translation into Spanish, a real
editorial decision, a real Whoosh index and the real combined web application.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from rabkor.app.server import create_app
from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import add_source
from rabkor.editor.workflow import decide
from rabkor.search.indexer import update_index
from rabkor.translate.jobs import translate_pending

pytestmark = [pytest.mark.requires_apertium, pytest.mark.slow]


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w{5,}", text)}


def test_an_english_item_is_translated_approved_indexed_and_found_in_spanish(
    settings, store, feed_server
):
    settings = settings.with_(languages=("en", "es"), engines=("apertium",))
    with store.transaction() as s:
        add_source(s, feed_server.url("en/guardian.rss"), title="The Guardian", language="en")

    report = crawl(settings, store)
    assert report.new_items == 55 and not report.errors

    translate_pending(settings, store)
    with store.transaction() as s:
        editor = create_user(s, "edith", "a long password", "editor")
        item = s.scalars(select(Item).order_by(Item.id)).first()
        decide(s, item, editor, "approve")
        item_id, original = item.id, item.title
        spanish = item.translation("title", "es")
        assert spanish is not None and spanish.engine == "apertium"
        assert spanish.text != original
        spanish_title = spanish.text
    assert update_index(settings, store).indexed == 55  # the approved one and the queue

    client = TestClient(create_app(settings, store), base_url="http://127.0.0.1:8000")
    home = client.get("/es/")
    assert home.status_code == 200
    assert spanish_title in home.text
    assert "Traducido automáticamente del inglés" in home.text  # in the reader's language
    page = client.get(f"/es/items/{item_id}")
    assert page.status_code == 200 and spanish_title in page.text

    # A word that only the Spanish translation has finds the English item, for a Spanish
    # reader (a query reads the reader's language and the originals).
    only_spanish = sorted(words(spanish_title) - words(original))
    assert only_spanish, (spanish_title, original)
    found = client.get("/es/search", params={"q": only_spanish[0]})
    assert found.status_code == 200
    assert f"/items/{item_id}" in found.text

    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED
        pending = s.scalars(select(Item).where(Item.status == ItemStatus.PENDING)).all()
        assert len(pending) == 54
