"""The editorial queue as an explicit state machine: one table, one function that applies it.

Every status change of an item goes through `decide`, so the rules (who may decide, what
needs a reason, which moves exist) live in one place and every change leaves a Decision;
a submitted item's submission follows (editor/submissions.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    ReasonCode,
    User,
    utcnow,
)
from rabkor.editor import locks, submissions
from rabkor.editor.errors import NotPermitted, ReasonRequired
from rabkor.editor.i18n import N_, _, word
from rabkor.editor.privileges import Privilege, may

APPROVE, REJECT, REOPEN = "approve", "reject", "reopen"

TRANSITIONS: dict[tuple[ItemStatus, str], ItemStatus] = {
    (ItemStatus.PENDING, APPROVE): ItemStatus.APPROVED,
    (ItemStatus.PENDING, REJECT): ItemStatus.REJECTED,
    # Reopening puts a decided item back in the queue, so a mistake can be undone.
    (ItemStatus.APPROVED, REOPEN): ItemStatus.PENDING,
    (ItemStatus.REJECTED, REOPEN): ItemStatus.PENDING,
}
ACTIONS = frozenset(action for _status, action in TRANSITIONS)
OTHER = "other"  # the reason code that needs the reason in words
CANNOT = {APPROVE: N_("item {number} is {status}, it cannot be approved"),
          REJECT: N_("item {number} is {status}, it cannot be rejected"),
          REOPEN: N_("item {number} is {status}, it cannot be reopened")}


def decide(session: Session, item: Item, editor: User, action: str, reason: str = "",
           code: str = "") -> Decision:
    """Apply `action` to `item` as `editor` and record it; raise without changing anything.
    A rejection names one of the active reason codes (`code`), and "other" its words.

    The change of status makes the item due for the search indexer (its `updated_at`
    moves past its `indexed_at`; a rejected item still marked indexed is removed: see
    search/indexer.py).
    """
    decision = Decision(**_move(session, item, editor, action, reason, code))
    session.add(decision)
    session.flush()
    return decision


def _move(session: Session, item: Item, editor: User, action: str, reason: str,
          code: str) -> dict[str, object]:
    """`decide` on the item, the Decision's row returned to be written: the desk's stories
    insert all theirs in one statement (an ORM Decision is an INSERT of its own on SQLite,
    which cannot return ids in order for a batch)."""
    if not may(editor.role, Privilege.DECIDE):
        raise NotPermitted(_("{name} is a {role}; only editors and administrators may approve "
                             "or reject items").format(name=editor.username,
                                                       role=word(editor.role)))
    if action not in ACTIONS:
        known = ", ".join(word(a) for a in sorted(ACTIONS))
        raise InvalidTransition(_("unknown action {action}; the actions are {known}").format(
            action=repr(action), known=known))
    before = item.status
    after = TRANSITIONS.get((before, action))
    if after is None:
        raise InvalidTransition(_(CANNOT[action]).format(number=item.id, status=word(before)))
    reason = reason.strip()
    if action == REJECT:
        known = session.get(ReasonCode, code) if code else None
        if known is None or not known.active:
            raise ReasonRequired(_("a rejection needs a reason code: choose one of the list"))
        if code == OTHER and not reason:
            raise ReasonRequired(_("the reason “other” needs the reason in words"))
    item.status = after
    if after != ItemStatus.APPROVED:
        item.featured_order = None  # an item that leaves the site leaves its home page
    submissions.follow(item, code if action == REJECT else None)
    return {"item_id": item.id, "editor_id": editor.id, "rule_id": None, "action": action,
            "from_status": before, "to_status": after, "reason": reason,
            "created_at": utcnow(), "reason_code": code if action == REJECT else None}


class RuleLike(Protocol):
    """What a rule's decision records of it: a Rule, or the RuleSet's copy (editor/rules.py)."""

    id: int
    action: str
    label: str
    reason_code: str | None


def decide_by_rules(session: Session, decided: Sequence[tuple[int, RuleLike]], now
                    ) -> set[int]:
    """Apply each rule's approve or reject to its item (editor/rules.py), recorded as the
    rule's decision with its reason code; the ids moved (a move exists from pending only).
    One UPDATE and one INSERT an action for the whole batch: an ORM object an item was most
    of the rules' time. A submitted item's submission follows."""
    if not decided:
        return set()
    # the status read by id and checked here: beside an id list in the UPDATE, SQLite's
    # planner takes the status index and walks every pending item
    pending = {item_id for item_id, status in session.execute(
        select(Item.id, Item.status).where(Item.id.in_([i for i, _rule in decided]))
        .with_for_update()) if status == ItemStatus.PENDING}
    moved: dict[int, RuleLike] = {}
    for action in (REJECT, APPROVE):
        rule_of = {i: rule for i, rule in decided if rule.action == action and i in pending}
        if not rule_of:
            continue
        after = TRANSITIONS[(ItemStatus.PENDING, action)]
        leaving = {} if after == ItemStatus.APPROVED else {"featured_order": None}
        session.execute(update(Item).where(Item.id.in_(rule_of))
                        .values(status=after, updated_at=now, **leaving)
                        .execution_options(synchronize_session=False))
        session.execute(insert(Decision.__table__), [
            {"item_id": i, "editor_id": None, "rule_id": rule.id, "action": action,
             "from_status": ItemStatus.PENDING, "to_status": after, "created_at": now,
             "reason": f"rule: {rule.label}",
             "reason_code": rule.reason_code if action == REJECT else None}
            for i, rule in rule_of.items()])
        moved |= rule_of
    for item in session.scalars(select(Item).where(Item.id.in_(moved),
                                                   Item.submission_id.is_not(None))
                                .options(joinedload(Item.submission))
                                .execution_options(populate_existing=True)):
        submissions.follow(item, moved[item.id].reason_code)
    return set(moved)


def reason_codes(session: Session) -> list[ReasonCode]:
    """The codes a rejection may name now, in the desk's order."""
    return list(session.scalars(select(ReasonCode).where(ReasonCode.active.is_(True))
                                .order_by(ReasonCode.position, ReasonCode.code)))


@dataclass
class Story:
    """What deciding stories did: the items decided (copies included), and those left
    undecided because another editor reviews them, with the view of their locks."""

    decided: list[int]
    locked: dict[int, locks.LockView]


def decide_story(session: Session, items: Sequence[Item], editor: User, action: str,
                 reason: str, code: str, lock_minutes: int) -> Story:
    """Decide items as the desk does: not those another editor reviews (locks.py), their
    locks released, and their copies from other sources (the crawler's near-duplicates,
    hidden from the queue) moved with them where the same move exists for them. Their
    locks and their copies are each read in one query, the items written in one flush and
    the decisions in one INSERT: a query and a flush an item were most of a bulk
    decision's time."""
    _views, locked = locks.apply_all(session, [i.id for i in items], editor, locks.DECIDE,
                                     lock_minutes)
    deciding = [item for item in items if item.id not in locked]
    copies = session.scalars(select(Item).where(Item.duplicate_of_id.in_(
        [item.id for item in deciding])).options(selectinload(Item.submission))
        .with_for_update()).all() if deciding else []
    rows = [_move(session, item, editor, action, reason, code) for item in deciding]
    rows += [_move(session, copy, editor, action,
                   reason or f"a copy of item {copy.duplicate_of_id}", code)
             for copy in copies if (copy.status, action) in TRANSITIONS]
    if rows:
        session.execute(insert(Decision.__table__), rows)
    return Story([row["item_id"] for row in rows], locked)
