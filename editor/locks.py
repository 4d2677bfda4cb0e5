"""No two editors on one item: a soft review lock, taken when an editor opens an item,
shown to the others ("being reviewed by maria since 2 min"), released by the decision,
and expiring after `review_lock_minutes` without activity.

A lock is in one of four states for the editor looking at it; `OUTCOME` says what opening
the item, taking it over and deciding do in each, so the rules live in one table:

| state    | open                  | take over           | decide               |
| -------- | --------------------- | ------------------- | -------------------- |
| free     | take it               | take it             | allowed              |
| own      | renew it              | renew it            | allowed, released    |
| stale    | take it, recorded     | take it, recorded   | allowed, released    |
| held     | shown, not taken      | take it, recorded   | refused              |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from rabkor.core.store.models import ReviewLock, User, utcnow
from rabkor.editor.audit import record
from rabkor.editor.errors import ItemLocked
from rabkor.editor.i18n import _

FREE, OWN, STALE, HELD = "free", "own", "stale", "held"
OPEN, TAKE_OVER, DECIDE = "open", "take over", "decide"
TAKE, SHOW, REFUSE, ALLOW = "take", "show", "refuse", "allow"

OUTCOME: dict[tuple[str, str], str] = {
    (FREE, OPEN): TAKE, (OWN, OPEN): TAKE, (STALE, OPEN): TAKE, (HELD, OPEN): SHOW,
    (FREE, TAKE_OVER): TAKE, (OWN, TAKE_OVER): TAKE, (STALE, TAKE_OVER): TAKE,
    (HELD, TAKE_OVER): TAKE,
    (FREE, DECIDE): ALLOW, (OWN, DECIDE): ALLOW, (STALE, DECIDE): ALLOW, (HELD, DECIDE): REFUSE,
}
RECORDED = {STALE, HELD}  # taking a lock from someone else leaves an audit event


@dataclass(frozen=True)
class LockView:
    """What a page shows of an item's lock."""

    state: str
    holder: str = ""
    since: datetime | None = None

    @property
    def minutes(self) -> int:
        return int((utcnow() - self.since).total_seconds() // 60) if self.since else 0


def state_of(lock: ReviewLock | None, user_id: int, now: datetime) -> str:
    if lock is None:
        return FREE
    if lock.user_id == user_id:
        return OWN
    return STALE if lock.expires_at <= now else HELD


def apply(session: Session, item_id: int, user: User, action: str,
          minutes: int) -> LockView:
    """Do `action` on the item's lock as `user`, as OUTCOME says; raise ItemLocked where
    it refuses. The view of the lock afterwards."""
    views, refused = apply_all(session, [item_id], user, action, minutes)
    if refused:
        raise refusal(item_id, refused[item_id])
    return views[item_id]


def apply_all(session: Session, item_ids: list[int], user: User, action: str,
              minutes: int) -> tuple[dict[int, LockView], dict[int, LockView]]:
    """Do `action` on each item's lock as `user`, as OUTCOME says, their locks read in one
    query (a bulk decision's 500 reads were a fifth of its time): the views of the locks
    afterwards, and apart those of the items OUTCOME refuses (held by someone else)."""
    now = utcnow()
    # of=ReviewLock: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join
    # to the holders (every decision there failed)
    held = {lock.item_id: lock for lock in session.scalars(
        select(ReviewLock).where(ReviewLock.item_id.in_(item_ids))
        .options(joinedload(ReviewLock.user)).with_for_update(of=ReviewLock))}
    views, refused = {}, {}
    for item_id in item_ids:
        lock = held.get(item_id)
        state = state_of(lock, user.id, now)
        outcome = OUTCOME[(state, action)]
        if outcome in (REFUSE, SHOW):
            shown = LockView(HELD, lock.user.username, lock.taken_at)
            (refused if outcome == REFUSE else views)[item_id] = shown
        elif outcome == ALLOW:
            if lock is not None:
                session.delete(lock)
            views[item_id] = LockView(FREE)
        else:
            views[item_id] = _take(session, item_id, lock, state, user, now, minutes)
    session.flush()
    return views, refused


def refusal(item_id: int, view: LockView) -> ItemLocked:
    """The error of deciding an item someone else reviews (`view`: their lock)."""
    return ItemLocked(_("item {number} is being reviewed by {name} since {since}; open it "
                        "to take it over").format(number=item_id, name=view.holder,
                                                  since=_ago(view.since, utcnow())))


def _take(session: Session, item_id: int, lock: ReviewLock | None, state: str, user: User,
          now: datetime, minutes: int) -> LockView:
    """The item's lock made `user`'s (recorded when taken from someone else) and renewed."""
    if state in RECORDED:
        record(session, user, "lock taken over", item_id=item_id,
               before={"holder": lock.user.username, "since": lock.taken_at.isoformat(),
                       "stale": state == STALE},
               after={"holder": user.username})
    if lock is None:
        lock = ReviewLock(item_id=item_id, user_id=user.id, taken_at=now)
        session.add(lock)
    elif state != OWN:
        lock.user_id, lock.taken_at = user.id, now
    lock.expires_at = now + timedelta(minutes=minutes)
    return LockView(OWN, user.username, lock.taken_at)


def release(session: Session, item_id: int, user_id: int) -> None:
    """Let go of one's own lock (leaving the item undecided)."""
    session.execute(delete(ReviewLock).where(ReviewLock.item_id == item_id,
                                             ReviewLock.user_id == user_id))


def views(session: Session, item_ids: list[int], user_id: int) -> dict[int, LockView]:
    """The locks of these items that someone else holds and that have not expired, or
    that are one's own: what the queue list shows beside each item."""
    now = utcnow()
    found = {}
    for lock in session.scalars(select(ReviewLock).where(ReviewLock.item_id.in_(item_ids))
                                .options(joinedload(ReviewLock.user))):
        state = state_of(lock, user_id, now)
        if state in (OWN, HELD):
            found[lock.item_id] = LockView(state, lock.user.username, lock.taken_at)
    return found


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    return _("less than a minute") if minutes < 1 else _("{minutes} min").format(minutes=minutes)
