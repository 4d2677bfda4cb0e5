"""The confirmation shown after a decision, carried in the redirect's query string.

Only the action and the item id travel in the URL; the message is built from the store,
so a crafted link cannot put words in the editor's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse

from rabkor.core.store.models import Item
from rabkor.editor.urls import url_for, with_query
from rabkor.editor.workflow import ACTIONS


@dataclass(frozen=True)
class Confirmation:
    action: str
    item: Item


def confirmation(session: Session, query: QueryParams) -> Confirmation | None:
    action, item_id = query.get("done", ""), query.get("item", "")
    if action not in ACTIONS or not item_id.isdigit():
        return None
    item = session.get(Item, int(item_id))
    return Confirmation(action, item) if item else None


def redirect_confirming(request: Request, route: str, **query: str) -> RedirectResponse:
    """303 to `route` with the non-empty `query` values (`done` and `item` confirm)."""
    return RedirectResponse(with_query(url_for(request, route), **query), status_code=303)
