"""No duplicates: URL variants are one address, one story from several feeds is one item,
and a republished wire story is linked to the first and hidden from the site and queue."""

import pytest
from sqlalchemy import select

from rabkor.core.store.models import Item, ItemSource, ItemStatus, utcnow
from rabkor.crawler import dedupe
from rabkor.crawler.canonical import canonical_url
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.store import insert_items
from rabkor.editor.queue import pending_page
from rabkor.site.catalog import latest_items
from tests.crawler.conftest import add_feeds

# A real wire-style paragraph (the Guardian feed in tests/data/feeds/en), lightly edited
# below as a republisher would.
STORY = ("Ministers have been accused of failing to prepare for a no-deal Brexit after "
         "documents showed that plans for lorry parks, medicine stockpiles and extra border "
         "staff were months behind schedule. The shadow Brexit secretary said the "
         "government had wasted two years and that businesses were left guessing about "
         "customs checks, tariffs and the rights of their European workers, while the "
         "prime minister insisted that preparations were well advanced and on track.")


@pytest.mark.parametrize("variant", [
    "http://www.example.com/news/story/", "https://example.com/news/story?utm_source=tw",
    "https://EXAMPLE.com:443/news/story#comments", "https://m.example.com/news/story",
    "https://amp.example.com/news/story/amp", "https://example.com/news/story?amp",
    "https://mobile.example.com/news//story?fbclid=abc&gclid=1&mc_cid=2",
])
def test_url_variants_share_one_canonical_form(variant):
    assert canonical_url(variant) == "https://example.com/news/story"


def test_canonical_form_keeps_what_names_a_different_page():
    assert canonical_url("https://e.org/a?id=2&page=1") == "https://e.org/a?id=2&page=1"
    assert canonical_url("https://e.org/a?page=1&id=2") == "https://e.org/a?id=2&page=1"
    assert canonical_url("https://e.org:8080/a") != canonical_url("https://e.org/a")
    assert canonical_url("https://e.org/a") != canonical_url("https://e.org/b")


def test_simhash_is_close_for_an_edited_story_and_far_for_another():
    edited = STORY.replace("two years", "three years").replace("guessing", "wondering")
    other = ("The football club confirmed on Sunday that its coach had left after a run of "
             "seven defeats, and that the assistant would take charge of the team for the "
             "cup match on Wednesday while the board looked for a permanent replacement.")
    a, b, c = dedupe.simhash(STORY), dedupe.simhash(edited), dedupe.simhash(other)
    assert -2**63 <= a < 2**63
    assert dedupe.is_near_duplicate(a, b) and not dedupe.is_near_duplicate(a, c)
    assert len(dedupe.bands(a)) == 4 and all(0 <= x < 2**16 for x in dedupe.bands(a))
    assert dedupe.simhash("too short to tell") is None


def test_one_story_from_two_feeds_is_one_item_with_two_sources(store):
    first, second = add_feeds(store, "https://a.example/feed", "https://b.example/feed")
    now = utcnow()
    with store.transaction() as s:
        assert insert_items(s, first, [DraftItem("a-1", "http://www.x.org/story/?utm_medium=rss",
                                                 "Story")], now) == 1
        assert insert_items(s, second, [DraftItem("b-9", "https://m.x.org/story", "Story")],
                            now) == 0
        guid = "tag:x.org,2024:story-2"
        assert insert_items(s, first, [DraftItem(guid, "https://x.org/2", "Two")], now) == 1
        assert insert_items(s, second, [DraftItem(guid, "https://mirror.org/2", "Two")],
                            now) == 0  # a global GUID is the same item anywhere
        assert insert_items(s, second, [DraftItem("42", "https://b.example/42", "B")], now) == 1
        assert insert_items(s, first, [DraftItem("42", "https://a.example/42", "A")], now) == 1
    with store.read() as s:
        assert s.scalar(select(Item).where(Item.url == "https://m.x.org/story")) is None
        links = s.execute(select(Item.url, ItemSource.source_id, ItemSource.guid)
                          .join(ItemSource, ItemSource.item_id == Item.id)
                          .order_by(Item.id, ItemSource.source_id)).all()
    assert links[:4] == [("http://www.x.org/story/?utm_medium=rss", first, "a-1"),
                         ("http://www.x.org/story/?utm_medium=rss", second, "b-9"),
                         ("https://x.org/2", first, guid), ("https://x.org/2", second, guid)]


def test_a_republished_story_is_linked_and_hidden_from_site_and_queue(store):
    first, second = add_feeds(store, "https://a.example/feed", "https://b.example/feed")
    now = utcnow()
    edited = STORY.replace("two years", "three years")
    with store.transaction() as s:
        insert_items(s, first, [DraftItem("1", "https://a.example/1", "Brexit plans late",
                                          content=f"<p>{STORY}</p>")], now)
        insert_items(s, second, [DraftItem("2", "https://b.example/2", "Brexit plans late",
                                           content=f"<p>{edited}</p>")], now)
        for item in s.scalars(select(Item)):
            item.status = ItemStatus.APPROVED if item.url.endswith("1") else item.status
    with store.read() as s:
        original, copy = s.scalars(select(Item).order_by(Item.id)).all()
        assert (original.duplicate_of_id, copy.duplicate_of_id) == (None, original.id)
        assert original.language == "en" and original.language_confidence > 0.5
        assert copy not in pending_page(s, 1).items
    with store.transaction() as s:
        s.get(Item, copy.id).status = ItemStatus.APPROVED
    with store.read() as s:
        assert [i.id for i in latest_items(s, limit=10)] == [original.id]
