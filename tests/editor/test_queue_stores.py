"""The queue's keyset pages and the rules' batch decisions on SQLite and on PostgreSQL:
the same order for every sort, walked forwards and back, and the same rule decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rabkor.core.accounts import create_user
from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    ReviewLock,
    Source,
    User,
    utcnow,
)
from rabkor.editor import rules
from rabkor.editor.filters import QueueFilter
from rabkor.editor.queue import pending_page
from rabkor.editor.workflow import decide_story
from tests.editor.helpers import when


@pytest.fixture
def filled(any_store):
    """65 pending items of two sources and no source, with shared moments; their places."""
    with any_store.transaction() as s:
        sources = [Source(feed_url=f"https://s{n}.example/feed", title=title)
                   for n, title in enumerate(["Zeta", "Alpha"])]
        s.add_all(sources)
        s.flush()
        items = [Item(url=f"https://x.example/{n}", title=f"Item {n}", language="es",
                      published_at=when(1 + n % 4), source=sources[n % 3] if n % 3 < 2 else None)
                 for n in range(65)]
        s.add_all(items)
        s.flush()
        return {i.id: (i.source.title if i.source else None, i.published_at) for i in items}


@pytest.mark.parametrize("sort", ["newest", "oldest", "source"])
def test_keyset_pages_walk_every_order_forwards_and_back(any_store, filled, sort):
    chosen, _problems = QueueFilter.read({"sort": sort})
    if sort == "source":
        newest = sorted(filled, key=lambda i: (filled[i][1], i), reverse=True)
        want = sorted(newest, key=lambda i: (filled[i][0] is None, filled[i][0] or ""))
    else:
        want = sorted(filled, key=lambda i: (filled[i][1], i), reverse=sort == "newest")
    pages, cursor = [], ""
    with any_store.read() as s:
        while True:
            page = pending_page(s, chosen, after=cursor, size=20)
            pages.append([i.id for i in page.items])
            assert page.count == 65
            if page.after is None:
                break
            cursor = page.after
        assert [i for p in pages for i in p] == want
        back = pending_page(s, chosen, before=pending_page(s, chosen, after=cursor,
                                                           size=20).before, size=20)
        assert [i.id for i in back.items] == pages[-2]


def test_rules_decide_a_batch_on_every_store(any_store):
    with any_store.transaction() as s:
        source = Source(feed_url="https://trusted.example/feed", title="Trusted")
        s.add(source)
        s.flush()
        s.add_all([Item(url="https://trusted.example/1", title="Fine", source=source),
                   Item(url="https://spam.example/1", title="Buy now cheap", language="en")])
        admin = create_user(s, "ana", "a long password", "admin")
        rules.add_rule(s, admin, kind=rules.TRUSTED, pattern=str(source.id),
                       action=rules.APPROVE, label="trusted")
        rules.add_rule(s, admin, kind=rules.KEYWORDS, pattern="buy now", action=rules.REJECT,
                       label="spam", reason_code="spam")
    report = rules.apply_rules(any_store)
    assert (report.read, report.approved, report.rejected) == (2, 1, 1)
    with any_store.read() as s:
        assert sorted((i.title, i.status) for i in s.scalars(select(Item))) == [
            ("Buy now cheap", ItemStatus.REJECTED), ("Fine", ItemStatus.APPROVED)]
        assert sorted((d.action, d.reason_code) for d in s.scalars(select(Decision))) == [
            ("approve", None), ("reject", "spam")]
    assert rules.apply_rules(any_store).read == 0


def test_a_story_decided_with_its_locks_and_copies_on_every_store(any_store):
    """The locks and copies read FOR UPDATE (on PostgreSQL, not on the nullable side of
    the locks' join to their holders): a held item skipped, a stale lock taken, copies
    moved with their story."""
    with any_store.transaction() as s:
        maria = create_user(s, "maria", "a long password", "editor")
        jon = create_user(s, "jon", "a long password", "editor")
        story, held, stale = (Item(url=f"https://x.example/{n}", title=n, language="es")
                              for n in ("story", "held", "stale"))
        s.add_all([story, held, stale])
        s.flush()
        s.add(Item(url="https://y.example/copy", title="copy", duplicate_of_id=story.id))
        now = utcnow()
        s.add_all([ReviewLock(item_id=held.id, user_id=jon.id, taken_at=now,
                              expires_at=now + timedelta(minutes=10)),
                   ReviewLock(item_id=stale.id, user_id=jon.id, taken_at=now - timedelta(hours=1),
                              expires_at=now - timedelta(minutes=50))])
        ids = {i.title: i.id for i in (story, held, stale)}
    with any_store.transaction() as s:
        items = s.scalars(select(Item).where(Item.id.in_(ids.values()))
                          .order_by(Item.id).with_for_update()).all()
        decided = decide_story(s, items, s.get(User, maria.id), "approve", "", "", 10)
    assert set(decided.locked) == {ids["held"]}
    with any_store.read() as s:
        status = {i.title: i.status for i in s.scalars(select(Item))}
        assert status == {"story": ItemStatus.APPROVED, "copy": ItemStatus.APPROVED,
                          "stale": ItemStatus.APPROVED, "held": ItemStatus.PENDING}
        assert s.scalars(select(ReviewLock.item_id)).all() == [ids["held"]]
