"""The confirmation shown after a decision, carried in the redirect's query string.

Only the action and item ids travel in the URL (for a bulk action, the items decided and
those skipped because someone decided them meanwhile); the message is built from the
store, so a crafted link cannot put words in the editor's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse

from rabkor.core.store.models import Decision, Item, ItemStatus, ReviewLock, User
from rabkor.editor.i18n import _, word
from rabkor.editor.urls import url_for, with_query
from rabkor.editor.workflow import ACTIONS

MAX_NAMED = 500  # items a confirmation names: a bulk action's page at most


@dataclass(frozen=True)
class Confirmation:
    action: str
    items: list[Item]
    skipped: list[tuple[Item, str]] = field(default_factory=list)  # (item, why)

    @property
    def item(self) -> Item:
        return self.items[0]


def confirmation(session: Session, query: QueryParams) -> Confirmation | None:
    action = query.get("done", "")
    done, skipped = _ids(query.get("item", "")), _ids(query.get("skipped", ""))
    if action not in ACTIONS or not (done or skipped):
        return None
    items = _items(session, done)
    latest = {d.item_id: d for d in session.scalars(
        select(Decision).where(Decision.item_id.in_(skipped))
        .options(joinedload(Decision.editor), joinedload(Decision.rule)).order_by(Decision.id))}
    holders = dict(session.execute(select(ReviewLock.item_id, User.username).join(
        User, User.id == ReviewLock.user_id).where(ReviewLock.item_id.in_(skipped))).all())
    named = [(item, _why(item, latest.get(item.id), holders.get(item.id)))
             for item in _items(session, skipped)]
    return Confirmation(action, items, named) if items or named else None


def _why(item: Item, decision: Decision | None, holder: str | None) -> str:
    if item.status == ItemStatus.PENDING:
        return (_("being reviewed by {name}").format(name=holder) if holder
                else _("still pending"))
    if decision is None:
        return word(item.status)
    return _("{status} by {name}").format(status=word(item.status), name=decision.by)


def ids_param(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids[:MAX_NAMED])


def _ids(text: str) -> list[int]:
    return [int(p) for p in text.split(",")[:MAX_NAMED] if p.isdigit()]


def _items(session: Session, ids: list[int]) -> list[Item]:
    found = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def redirect_confirming(request: Request, route: str, **query: str) -> RedirectResponse:
    """303 to `route` with the non-empty `query` values (`done` and `item` confirm)."""
    return RedirectResponse(with_query(url_for(request, route), **query), status_code=303)
