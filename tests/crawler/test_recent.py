"""The in-memory window of the newest fingerprints (crawler/store/recent.py): the safety net
that links copies sharing no SimHash band with their story, across feeds and
transactions, without ever linking to an item that is not (or no longer) as stored."""

import pytest
from sqlalchemy import select

from rabkor.core.store.models import Item, utcnow
from rabkor.crawler.analyse import dedupe
from rabkor.crawler.draft import Analysis, DraftItem
from rabkor.crawler.store.items import insert_items
from tests.crawler.conftest import add_feeds

STORY = 0x1234_5678_9ABC_DEF0
# one bit changed in each 16-bit band: 4 bits apart, no band in common, so only the
# window (not the band lookup) can find the one from the other
NO_BAND = (1 << 3) | (1 << 19) | (1 << 35) | (1 << 51)
OTHER = 0x0F0F_F0F0_3C3C_C3C3  # about 32 bits from STORY: another story


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def _draft(n: int, site: str, fingerprint: int) -> DraftItem:
    return DraftItem(f"https://{site}/{n}", f"https://{site}/{n}", f"Story {n}",
                     analysis=Analysis("en", 1.0, _signed(fingerprint)))


def _duplicate_of(store, url: str) -> int | None:
    with store.read() as s:
        return s.scalar(select(Item.duplicate_of_id).where(Item.url == url))


def _id(store, url: str) -> int:
    with store.read() as s:
        return s.scalar(select(Item.id).where(Item.url == url))


def test_a_copy_sharing_no_band_is_linked_through_the_window_in_later_transactions(any_store):
    a, b, c = add_feeds(any_store, *(f"https://{x}.example/feed" for x in "abc"))
    assert dedupe.distance(STORY, STORY ^ NO_BAND) == 4
    assert not set(dedupe.bands(STORY)) & set(dedupe.bands(STORY ^ NO_BAND))
    with any_store.transaction() as s:  # the window is read here, still empty of stories
        insert_items(s, a, [_draft(0, "a.example", OTHER)], utcnow())
    with any_store.transaction() as s:
        insert_items(s, a, [_draft(1, "a.example", STORY)], utcnow())
    with any_store.transaction() as s:  # topped up with the story, then compared
        insert_items(s, b, [_draft(1, "b.example", STORY ^ NO_BAND)], utcnow())
        insert_items(s, c, [_draft(1, "c.example", STORY ^ NO_BAND ^ 1)], utcnow())
    story = _id(any_store, "https://a.example/1")
    assert _duplicate_of(any_store, "https://b.example/1") == story
    # the third copy is 5 bits from the story and 1 from the second: linked to the root
    assert _duplicate_of(any_store, "https://c.example/1") == story


def test_items_rolled_back_are_never_linked_to(any_store):
    a, b, c = add_feeds(any_store, *(f"https://{x}.example/feed" for x in "abc"))
    with any_store.transaction() as s:
        insert_items(s, a, [_draft(0, "a.example", OTHER)], utcnow())
    with pytest.raises(RuntimeError), any_store.transaction() as s:
        insert_items(s, a, [_draft(1, "a.example", STORY)], utcnow())
        insert_items(s, b, [_draft(9, "b.example", OTHER ^ 1)], utcnow())  # reads the window
        raise RuntimeError("the crawler is killed before it commits")
    with any_store.transaction() as s:
        # on SQLite this item takes the id the rolled-back story had
        insert_items(s, a, [_draft(2, "a.example", OTHER ^ (1 << 60))], utcnow())
        insert_items(s, b, [_draft(1, "b.example", STORY ^ NO_BAND)], utcnow())
        insert_items(s, c, [_draft(1, "c.example", OTHER ^ (1 << 60) ^ NO_BAND)], utcnow())
    assert _duplicate_of(any_store, "https://b.example/1") is None
    assert _duplicate_of(any_store, "https://c.example/1") == _id(any_store,
                                                                  "https://a.example/0")
