"""No duplicates: URL variants are one address, one story from several feeds is one item,
and a republished wire story is linked to the first and hidden from the site and queue —
whether the first was stored earlier, comes earlier in the same feed, or only shows it is
the same story once its full text arrives."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from rabkor.core.store.models import Item, ItemSource, ItemStatus, utcnow
from rabkor.core.text.canonical import canonical_url
from rabkor.crawler.analyse import dedupe
from rabkor.crawler.analyse.analysis import analyse
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.parse.feed import parse_feed
from rabkor.crawler.store.items import insert_items, refingerprint
from rabkor.editor.queue import pending_page
from rabkor.site.listings import Listing, page
from tests.conftest import FEEDS
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
    # one word of 71: 3 of 69 shingles change, ~4 bits move (two words move 7 bits on
    # average, past MAX_DISTANCE about 40 % of the time: that test would test the hash)
    edited = STORY.replace("two years", "three years")
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
        assert copy not in pending_page(s).items
    with store.transaction() as s:
        s.get(Item, copy.id).status = ItemStatus.APPROVED
    with store.read() as s:
        assert [i.id for i in page(s, Listing(), limit=10).items] == [original.id]


def _republished(draft: DraftItem, site: str, words: int) -> DraftItem:
    """`draft` as another site republishes it: its own address, `words` words changed."""
    return replace(draft, guid=f"https://{site}/story", url=f"https://{site}/story",
                   summary=draft.summary.replace(" the ", " this ", words), analysis=None)


def test_look_alike_items_of_one_source_stay_apart_and_copies_elsewhere_are_linked(any_store):
    lanacion, guardian, mirror = add_feeds(any_store, "https://www.lanacion.com.ar/feed",
                                           "https://www.theguardian.com/feed",
                                           "https://mirror.example/feed")
    # La Nación's real feed: "Clima en Rosario hoy…", "Clima en San Luis hoy…": a series
    # whose items are within a few bits of each other, each a story of its own
    series = parse_feed((FEEDS / "es/lanacion.xml").read_bytes(),
                        url="https://www.lanacion.com.ar/feed").items
    weather = [d for d in series if d.title.startswith("Clima en ")]
    assert any(dedupe.is_near_duplicate(analyse(a).simhash, analyse(b).simhash)
               for a in weather for b in weather if a is not b)
    feed = parse_feed((FEEDS / "en/guardian.rss").read_bytes(),
                      url="https://www.theguardian.com/feed")
    original = feed.items[11]  # a 322-word entry
    with any_store.transaction() as s:
        assert insert_items(s, lanacion, series, utcnow()) == len(series)
        assert insert_items(s, guardian, feed.items, utcnow()) == len(feed.items)
        # a re-crawl brings one more of the series, and another site republishes the story
        assert insert_items(s, lanacion, [replace(weather[0], guid="tomorrow",
                                                  url="https://www.lanacion.com.ar/x")],
                            utcnow()) == 1
        assert insert_items(s, mirror, [_republished(original, "mirror.example", 3)],
                            utcnow()) == 1
    with any_store.read() as s:
        copies = {i.url: i.duplicate_of_id for i in s.scalars(
            select(Item).where(Item.duplicate_of_id.is_not(None)))}
        root = s.scalar(select(Item.id).where(Item.url == original.url))
    assert copies == {"https://mirror.example/story": root}


def test_an_item_whose_full_text_is_a_stored_story_becomes_its_copy_with_its_own(any_store):
    a, b, c, d = add_feeds(any_store, *(f"https://{x}.example/feed" for x in "abcd"))
    teaser = ("Documents show that plans for lorry parks, medicine stockpiles and extra border "
              "staff are months behind schedule, the shadow Brexit secretary says.")
    now = utcnow()
    with any_store.transaction() as s:
        # a summary-only item, and a copy of it (the same teaser), before the full story
        insert_items(s, a, [DraftItem("1", "https://a.example/1", "Brexit plans late",
                                      summary=teaser)], now)
        insert_items(s, b, [DraftItem("2", "https://b.example/2", "Brexit plans late",
                                      summary=teaser)], now)
        insert_items(s, c, [DraftItem("3", "https://c.example/3", "Brexit plans late",
                                      content=f"<p>{STORY}</p>")], now)
        insert_items(s, d, [DraftItem("4", "https://d.example/4", "Brexit plans late",
                                      summary="Another site's teaser, already published.")],
                     now)
    with any_store.read() as s:
        paged, echo, whole, published = s.scalars(select(Item).order_by(Item.id)).all()
    assert (paged.duplicate_of_id, echo.duplicate_of_id, whole.duplicate_of_id) == \
        (None, paged.id, None)

    # the pages of the summary-only items arrive: the full story's text
    full_text = analyse(DraftItem("p", "https://a.example/1", "Brexit plans late",
                                  content=f"<p>{STORY}</p>")).simhash
    with any_store.transaction() as s:
        s.get(Item, published.id).status = ItemStatus.APPROVED
        for item_id in (paged.id, published.id):
            refingerprint(s, s.get(Item, item_id), full_text)
    with any_store.read() as s:
        paged, echo, whole, published = s.scalars(select(Item).order_by(Item.id)).all()
    assert (paged.duplicate_of_id, echo.duplicate_of_id, whole.duplicate_of_id) == \
        (whole.id, whole.id, None)  # not itself, though it is the earliest with that text
    assert [paged.simhash_band0, paged.simhash_band1, paged.simhash_band2,
            paged.simhash_band3] == dedupe.bands(full_text)
    # a published item keeps its place where readers found it; its fingerprint is new
    assert (published.duplicate_of_id, published.simhash) == (None, full_text)
