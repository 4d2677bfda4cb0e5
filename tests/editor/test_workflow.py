"""workflow.decide: the whole state × action grid, the reason rule, the role rule."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from rabkor.core.accounts import create_user
from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import Decision, Item, ItemStatus, Role, User, utcnow
from rabkor.editor.workflow import ACTIONS, TRANSITIONS, NotPermitted, ReasonRequired, decide
from tests.editor.helpers import PASSWORD, add_item

GRID = list(itertools.product(ItemStatus, sorted(ACTIONS)))


def count_decisions(session) -> int:
    return session.scalar(select(func.count()).select_from(Decision))


@pytest.fixture
def users(store) -> dict[Role, int]:
    with store.transaction() as s:
        return {role: create_user(s, role.value, PASSWORD, role).id for role in Role}


def test_the_table_holds_the_expected_moves():
    assert TRANSITIONS == {
        (ItemStatus.PENDING, "approve"): ItemStatus.APPROVED,
        (ItemStatus.PENDING, "reject"): ItemStatus.REJECTED,
        (ItemStatus.APPROVED, "reopen"): ItemStatus.PENDING,
        (ItemStatus.REJECTED, "reopen"): ItemStatus.PENDING,
    }


@pytest.mark.parametrize(("status", "action"), GRID)
def test_every_state_and_action(store, users, status, action):
    item_id = add_item(store, status=status, indexed_at=utcnow())
    target = TRANSITIONS.get((status, action))
    with store.transaction() as s:
        item, editor = s.get(Item, item_id), s.get(User, users[Role.EDITOR])
        if target is None:
            with pytest.raises(InvalidTransition, match=f"item {item_id} is {status.value}, "
                                                        "it cannot be"):
                decide(s, item, editor, action, reason="because", code="off-line")
        else:
            decision_id = decide(s, item, editor, action, reason="because", code="off-line").id
    with store.read() as s:
        item = s.get(Item, item_id)
        if target is None:
            assert item.status is status and item.indexed_at is not None
            assert count_decisions(s) == 0
            return
        assert item.status is target
        # still marked indexed, changed since: the indexer replaces its document (with the
        # new status) or, rejected, removes it
        assert item.indexed_at is not None and item.updated_at > item.indexed_at
        saved = s.get(Decision, decision_id)
        assert (saved.item_id, saved.editor_id, saved.action) == (item_id, editor.id, action)
        assert (saved.from_status, saved.to_status, saved.reason) == (status, target, "because")
        assert abs((utcnow() - saved.created_at).total_seconds()) < 60


def test_an_unknown_action_is_refused_readably(store, users):
    item_id = add_item(store)
    with store.transaction() as s, pytest.raises(InvalidTransition, match="unknown action 'x'"):
        decide(s, s.get(Item, item_id), s.get(User, users[Role.EDITOR]), "x")


@pytest.mark.parametrize(("code", "reason", "message"), [
    ("", "off the line", "needs a reason code"),
    ("no-such-code", "", "needs a reason code"),
    ("other", "   \n", "“other” needs the reason in words"),
])
def test_a_rejection_needs_a_reason_code(store, users, code, reason, message):
    item_id = add_item(store)
    with store.transaction() as s, pytest.raises(ReasonRequired, match=message):
        decide(s, s.get(Item, item_id), s.get(User, users[Role.EDITOR]), "reject", reason,
               code)
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING
        assert count_decisions(s) == 0


@pytest.mark.parametrize("role", [Role.TRANSLATOR, Role.CORRESPONDENT])
def test_only_editors_and_admins_decide(store, users, role):
    item_id = add_item(store)
    with store.transaction() as s, pytest.raises(NotPermitted, match=f"is a {role.value}"):
        decide(s, s.get(Item, item_id), s.get(User, users[role]), "approve")
    with store.transaction() as s:
        decide(s, s.get(Item, item_id), s.get(User, users[Role.ADMIN]), "approve")
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED
