"""A volunteer translation's lifecycle (editor/revisions.py): the whole state × event grid,
on the table and through postedit's save and review on real rows."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from rabkor.core.accounts import create_user
from rabkor.core.store.models import (
    Item,
    ItemStatus,
    RevisionStatus,
    Role,
    TranslationRevision,
    User,
    utcnow,
)
from rabkor.editor import postedit
from rabkor.editor.errors import PostEditConflict
from rabkor.editor.revisions import TRANSITIONS, Event, after, allows
from tests.editor.helpers import PASSWORD, add_item

STATES = [None, *RevisionStatus]
GRID = list(itertools.product(STATES, Event))


def test_the_table_holds_the_expected_moves():
    draft, submitted = RevisionStatus.DRAFT, RevisionStatus.SUBMITTED
    accepted, returned = RevisionStatus.ACCEPTED, RevisionStatus.RETURNED
    expected = {
        (None, Event.SAVE): draft, (None, Event.SUBMIT): submitted,
        (draft, Event.SAVE): draft, (draft, Event.SUBMIT): submitted,
        (submitted, Event.ACCEPT): accepted, (submitted, Event.RETURN): returned,
        (returned, Event.SAVE): draft, (returned, Event.SUBMIT): submitted,
        (accepted, Event.SAVE): draft, (accepted, Event.SUBMIT): submitted,
    }
    assert dict(TRANSITIONS) == expected


@pytest.mark.parametrize(("state", "event"), GRID)
def test_every_state_and_event_on_the_table(state, event):
    target = TRANSITIONS.get((state, event))
    assert allows(state, event) is (target is not None)
    if target is None:
        with pytest.raises(PostEditConflict, match="this translation is"):
            after(state, event)
    else:
        assert after(state, event) is target


@pytest.fixture
def people(store) -> dict[Role, int]:
    with store.transaction() as s:
        return {role: create_user(s, f"rev-{role.value}", PASSWORD, role).id
                for role in (Role.TRANSLATOR, Role.EDITOR)}


def _item_at(store, translator_id: int, state: RevisionStatus | None) -> int:
    """An item to translate into English whose latest revision is in `state`."""
    item_id = add_item(store, "Huelga", language="es", summary="<p>Uno. Dos.</p>",
                       status=ItemStatus.APPROVED,
                       translations={("title", "en"): "Strike", ("summary", "en"): "One. Two."})
    if state is not None:
        with store.transaction() as s:
            s.add(TranslationRevision(
                item_id=item_id, language="en", author_id=translator_id, created_at=utcnow(),
                status=state, segments={"title": ["Strike"], "summary": ["One.", "Two."]},
                review_note="", title="Strike", summary="One. Two.", content=""))
    return item_id


def _statuses(store, item_id: int) -> list[RevisionStatus]:
    with store.read() as s:
        return list(s.scalars(select(TranslationRevision.status)
                              .where(TranslationRevision.item_id == item_id)
                              .order_by(TranslationRevision.id)))


def _apply(s, item: Item, event: Event, people: dict[Role, int]) -> None:
    """The event as the editor's pages cause it: a save or submission, or a review."""
    if event in (Event.SAVE, Event.SUBMIT):
        sent = {field: [f"{field} {n}" for n in range(len(segs))]
                for field, segs in postedit.layout(item, "en").items()}
        postedit.save(s, item, "en", s.get(User, people[Role.TRANSLATOR]), sent,
                      submit=event is Event.SUBMIT)
    else:
        revision = s.scalars(select(TranslationRevision)
                             .where(TranslationRevision.item_id == item.id)).one()
        postedit.review(s, revision, s.get(User, people[Role.EDITOR]),
                        accept=event is Event.ACCEPT, note="Closer, please.")


# Where nothing is saved yet there is no revision to review: the table's grid covers those.
REVIEWABLE_GRID = [(state, event) for state, event in GRID
                   if state is not None or event in (Event.SAVE, Event.SUBMIT)]


@pytest.mark.parametrize(("state", "event"), REVIEWABLE_GRID)
def test_every_state_and_event_through_postedit(store, people, state, event):
    item_id = _item_at(store, people[Role.TRANSLATOR], state)
    before = _statuses(store, item_id)
    target = TRANSITIONS.get((state, event))
    with store.transaction() as s:
        if target is None:
            with pytest.raises(PostEditConflict, match="awaiting review"):
                _apply(s, s.get(Item, item_id), event, people)
        else:
            _apply(s, s.get(Item, item_id), event, people)
    now = _statuses(store, item_id)
    if target is None:
        assert now == before
    elif event in (Event.SAVE, Event.SUBMIT):
        assert now == [*before, target]  # a save is a new revision; the old one stays
    else:
        assert now == [target]
    with store.read() as s:
        assert postedit.state_of(s, item_id, "en") is (target or state)
