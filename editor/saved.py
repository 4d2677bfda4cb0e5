"""Queue filters an editor saves under a name: listed with their counts on the queue, and
each readable as a private Atom feed for editors who work from a feed reader. The feed's
address carries a token (its digest stored, as for account links); revoking it or
making a new one stops the old address at once."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from rabkor.core.accounts import token_digest
from rabkor.core.errors import InvalidInput, NotFound
from rabkor.core.store.models import SavedFilter, User
from rabkor.editor.filters import QueueFilter
from rabkor.editor.i18n import _

MAX_SAVED = 50  # per editor


def save(session: Session, user: User, name: str, chosen: QueueFilter) -> SavedFilter:
    """Save the filter under `name`, replacing the editor's filter of that name."""
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise InvalidInput(_("a saved filter needs a name of 1 to 100 characters"))
    if not chosen.active:
        raise InvalidInput(_("choose a filter first: the whole queue needs no saving"))
    found = session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id,
                                                     SavedFilter.name == name))
    if found is None:
        if len(mine(session, user.id)) >= MAX_SAVED:
            raise InvalidInput(_("an editor keeps at most {count} saved filters; remove one")
                               .format(count=MAX_SAVED))
        found = SavedFilter(user_id=user.id, name=name, params={})
        session.add(found)
    found.params = chosen.params()
    session.flush()
    return found


def mine(session: Session, user_id: int | None) -> list[SavedFilter]:
    return list(session.scalars(select(SavedFilter).where(SavedFilter.user_id == user_id)
                                .order_by(SavedFilter.name)))


def remove(session: Session, user_id: int | None, saved_id: int) -> None:
    session.execute(delete(SavedFilter).where(SavedFilter.id == saved_id,
                                              SavedFilter.user_id == user_id))


def new_feed_token(session: Session, user_id: int | None, saved_id: int) -> str:
    """A new private feed address for the filter; the previous one stops working."""
    found = _own(session, user_id, saved_id)
    token = secrets.token_urlsafe(24)
    found.feed_token_hash = token_digest(token)
    return token


def revoke_feed(session: Session, user_id: int | None, saved_id: int) -> None:
    _own(session, user_id, saved_id).feed_token_hash = None


def by_feed_token(session: Session, token: str) -> SavedFilter | None:
    """The filter of a feed address, if the address is live and its owner still active."""
    found = session.scalar(select(SavedFilter)
                           .where(SavedFilter.feed_token_hash == token_digest(token))
                           .options(joinedload(SavedFilter.user)))
    return found if found is not None and found.user.active else None


def filter_of(saved: SavedFilter) -> QueueFilter:
    return QueueFilter.read(saved.params)[0]


def _own(session: Session, user_id: int | None, saved_id: int) -> SavedFilter:
    found = session.get(SavedFilter, saved_id)
    if found is None or found.user_id != user_id:
        raise NotFound(_("you have no saved filter {number}").format(number=saved_id))
    return found
