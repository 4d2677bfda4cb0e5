"""Claims under real concurrency: two stores (two connections) claiming the same item at
the same moment, on SQLite and on PostgreSQL when one is configured."""

from __future__ import annotations

from sqlalchemy import select

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, TranslationClaim, User
from rabkor.editor import postedit
from tests.editor.helpers import PASSWORD, add_item, race


def test_two_people_claiming_at_once_leave_exactly_one_claim(any_store):
    item_id = add_item(any_store, "Huelga", language="es")
    with any_store.transaction() as s:
        user_ids = [create_user(s, f"racer{n}", PASSWORD, "translator").id for n in (1, 2)]
    outcomes = race(any_store, lambda s, uid: postedit.claim(
        s, s.get(Item, item_id), "en", s.get(User, uid)), user_ids, postedit.AlreadyClaimed)
    with any_store.read() as s:
        claims = s.scalars(select(TranslationClaim)).all()
    assert len(claims) == 1
    winner = claims[0].user_id
    loser = next(uid for uid in user_ids if uid != winner)
    assert outcomes[winner] == "won"
    assert f"already claimed by racer{user_ids.index(winner) + 1}" in outcomes[loser]
