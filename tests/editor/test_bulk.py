"""A bulk decision at its full size, read and written set-wise: 500 items, some held by
another editor, some decided meanwhile, stories with copies and a submission; and the
review locks of many items under the one OUTCOME table."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from rabkor.core.store.models import (
    AuditEvent,
    Decision,
    Item,
    ItemStatus,
    ReviewLock,
    Source,
    Submission,
    User,
    utcnow,
)
from rabkor.editor import locks
from rabkor.editor.errors import ItemLocked
from rabkor.editor.workflow import decide
from tests.editor.helpers import csrf_of

SIZE = 505  # past the 500 a bulk decision takes


@pytest.fixture
def editors(client, store, login_as):
    """jose logged in on `client`; maria, another editor, in the store."""
    jose = login_as(client, "editor")
    with store.transaction() as s:
        maria = User(username="maria", password_hash="x", role="editor")
        s.add(maria)
        s.flush()
        return jose.id, maria.id


@pytest.fixture
def queue(store):
    """SIZE pending items of one source, their ids in order."""
    with store.transaction() as s:
        source = Source(feed_url="http://bulk.example/feed", title="Bulk")
        s.add(source)
        s.flush()
        s.execute(insert(Item), [{"source_id": source.id, "url": f"http://bulk.example/{n}",
                                  "title": f"Item {n}", "language": "es", "status": "pending"}
                                 for n in range(SIZE)])
        return list(s.scalars(select(Item.id).where(Item.source_id == source.id)
                              .order_by(Item.id)))


def lock(s, item_id: int, user_id: int, minutes: int) -> None:
    now = utcnow()
    s.add(ReviewLock(item_id=item_id, user_id=user_id, taken_at=now - timedelta(minutes=30),
                     expires_at=now + timedelta(minutes=minutes)))


def test_bulk_of_500_decides_the_right_ones_and_names_the_rest(client, store, editors,
                                                               queue):
    jose, maria = editors
    held, stale, own = queue[10:13], queue[20], queue[30]
    meanwhile, root, held_root, submitted = queue[40:42], queue[50], queue[10], queue[60]
    with store.transaction() as s:
        for item_id in held:
            lock(s, item_id, maria, 10)
        lock(s, stale, maria, -1)  # expired: no longer holds
        lock(s, own, jose, 10)
        for item_id in meanwhile:
            decide(s, s.get(Item, item_id), s.get(User, maria), "reject", "", "off-line")
        source = s.scalar(select(Source))
        copies = [Item(source=source, url=f"http://copy.example/{n}", title=f"Copy {n}",
                       duplicate_of_id=parent, status=status)
                  for n, (parent, status) in enumerate([
                      (root, ItemStatus.PENDING), (root, ItemStatus.REJECTED),
                      (held_root, ItemStatus.PENDING)])]
        sub = Submission(url="http://example.org/sent", submitter_name="ana",
                         status="fetched", item_id=submitted)
        s.add_all([*copies, sub])
        s.flush()
        s.get(Item, submitted).submission_id = sub.id
        copy_ids, sub_id = [c.id for c in copies], sub.id
    token = csrf_of(client.get("/").text)
    done = client.post("/items/bulk", data={"csrf_token": token, "action": "approve",
                                            "ids": [str(i) for i in queue]})
    assert done.status_code == 200
    taken = queue[:500]
    decided = [i for i in taken if i not in {*held, *meanwhile}]
    assert f"Approved {len(decided) + 1} items" in done.text  # and the pending copy
    assert "Skipped 5, decided or being reviewed by someone else" in done.text
    named = done.text.split('<ul class="skipped">')[1].split("</ul>")[0]
    assert re.findall(r"<li>“Item (\d+)”: ([^<]+)</li>", named) == [
        ("10", "being reviewed by maria"), ("11", "being reviewed by maria"),
        ("12", "being reviewed by maria"), ("40", "rejected by maria"),
        ("41", "rejected by maria")]
    with store.read() as s:
        status = dict(s.execute(select(Item.id, Item.status)).all())
        by = {d.item_id: (d.editor_id, d.reason) for d in s.scalars(
            select(Decision).where(Decision.action == "approve"))}
        left = dict(s.execute(select(ReviewLock.item_id, ReviewLock.user_id)).all())
        assert s.get(Submission, sub_id).status == "published"
    assert {i for i in queue if status[i] == ItemStatus.APPROVED} == set(decided)
    assert all(status[i] == ItemStatus.PENDING for i in [*held, *queue[500:]])
    assert all(status[i] == ItemStatus.REJECTED for i in meanwhile)
    assert [status[i] for i in copy_ids] == [ItemStatus.APPROVED, ItemStatus.REJECTED,
                                             ItemStatus.PENDING]
    assert set(by) == {*decided, copy_ids[0]}
    assert {editor for editor, _reason in by.values()} == {jose}
    assert by[copy_ids[0]] == (jose, f"a copy of item {root}")
    assert left == dict.fromkeys(held, maria)  # the stale and own locks released


def test_bulk_reads_locks_and_copies_once_and_flushes_once(client, store, editors, queue):
    """The set-wise path: one query for the items' locks, one for their copies, whatever
    their number (one each per item took a bulk decision of 500 past a second)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        statements.append(" ".join(statement.split()))

    token = csrf_of(client.get("/").text)
    engine = store.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        client.post("/items/bulk", data={"csrf_token": token, "action": "approve",
                                         "ids": [str(i) for i in queue[:200]]},
                    follow_redirects=False)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sum("FROM review_locks" in q for q in statements) == 1
    assert sum("WHERE items.duplicate_of_id IN" in q for q in statements) == 1
    assert sum(q.startswith("INSERT INTO decisions") for q in statements) == 1
    with store.read() as s:
        assert s.scalar(select(Item.status).where(Item.id == queue[199])) == "approved"


def test_locks_of_many_items_follow_the_one_table(store, editors, queue):
    """Opening several items: free and stale ones taken (the stale one recorded as a
    takeover), one's own renewed, another's shown and left; deciding them: another's
    refused, the rest allowed and released."""
    jose, maria = editors
    free, own, stale, held = queue[:4]
    with store.transaction() as s:
        lock(s, own, jose, 1)
        lock(s, stale, maria, -1)
        lock(s, held, maria, 10)
    with store.transaction() as s:
        user = s.get(User, jose)
        views, refused = locks.apply_all(s, [free, own, stale, held], user, locks.OPEN, 15)
        assert refused == {}
        assert [views[i].state for i in (free, own, stale, held)] == [
            locks.OWN, locks.OWN, locks.OWN, locks.HELD]
        assert views[held].holder == "maria"
        mine = {lock.item_id: lock for lock in s.scalars(select(ReviewLock))}
        assert {i for i, found in mine.items() if found.user_id == jose} == {free, own, stale}
        assert mine[own].expires_at > utcnow() + timedelta(minutes=14)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "lock taken over")
                           ).all()
        assert [(e.item_id, e.before["holder"], e.before["stale"]) for e in events] == [
            (stale, "maria", True)]
    with store.transaction() as s:
        user = s.get(User, jose)
        views, refused = locks.apply_all(s, [free, own, stale, held], user, locks.DECIDE, 15)
        assert list(refused) == [held] and refused[held].holder == "maria"
        assert {views[i].state for i in (free, own, stale)} == {locks.FREE}
        with pytest.raises(ItemLocked, match="being reviewed by maria"):
            locks.apply(s, held, user, locks.DECIDE, 15)
    with store.read() as s:
        assert list(s.scalars(select(ReviewLock.item_id))) == [held]
