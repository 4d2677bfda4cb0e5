"""Claims under real concurrency: two stores (two connections) claiming the same item at
the same moment, on SQLite and on PostgreSQL when one is configured."""

from __future__ import annotations

import threading

from sqlalchemy import select

from rabkor.core.accounts import create_user
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, TranslationClaim, User
from rabkor.editor import postedit
from tests.editor.helpers import PASSWORD, add_item


def test_two_people_claiming_at_once_leave_exactly_one_claim(any_store):
    item_id = add_item(any_store, "Huelga", language="es")
    with any_store.transaction() as s:
        user_ids = [create_user(s, f"racer{n}", PASSWORD, "translator").id for n in (1, 2)]
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def race(user_id: int) -> None:
        store = Store(any_store.settings)  # its own engine: its own connection
        try:
            start.wait()
            with store.transaction() as s:
                postedit.claim(s, s.get(Item, item_id), "en", s.get(User, user_id))
            outcomes[user_id] = "won"
        except postedit.AlreadyClaimed as exc:
            outcomes[user_id] = str(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=race, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with any_store.read() as s:
        claims = s.scalars(select(TranslationClaim)).all()
    assert len(claims) == 1
    winner = claims[0].user_id
    loser = next(uid for uid in user_ids if uid != winner)
    assert outcomes[winner] == "won"
    assert f"already claimed by racer{user_ids.index(winner) + 1}" in outcomes[loser]
