"""Saved queue filters: save, remove, and their private Atom feeds (made, revoked, read)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import QueryError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, utcnow
from rabkor.core.text.html import plain_text
from rabkor.core.web.atom import Entry, atom_document
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import saved
from rabkor.editor.filters import WORDS_CAP, QueueFilter
from rabkor.editor.i18n import _
from rabkor.editor.privileges import Privilege, may
from rabkor.editor.queue import ORDERS, ordering
from rabkor.editor.templating import render
from rabkor.editor.urls import absolute, url_for, with_query
from rabkor.editor.users import user_of
from rabkor.search.service import search

FEED_ITEMS = 50


async def filter_save(request: Request) -> Response:
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    chosen, _problems = QueueFilter.read(form)
    user_id = session_of(request).user_id

    def write() -> None:
        with store.transaction() as s:
            saved.save(s, user_of(s, user_id), form.get("name", ""), chosen)

    await run_in_threadpool(write)  # a RabkorError is the error page's (editor/app.py)
    return RedirectResponse(with_query(url_for(request, "queue_list"), **chosen.params()),
                            status_code=303)


async def filter_remove(request: Request) -> Response:
    await verify_csrf(request)
    await _own(request, saved.remove)
    return RedirectResponse(url_for(request, "queue_list"), status_code=303)


async def filter_feed_new(request: Request) -> Response:
    await verify_csrf(request)
    token = await _own(request, saved.new_feed_token)
    return render(request, "saved/feed.html",
                  link=absolute(request, url_for(request, "filter_feed", token=token).path))


async def filter_feed_revoke(request: Request) -> Response:
    await verify_csrf(request)
    await _own(request, saved.revoke_feed)
    return RedirectResponse(url_for(request, "queue_list"), status_code=303)


async def filter_feed(request: Request) -> Response:
    """The pending items of a saved filter, newest first, as Atom: the token is the key,
    and the owner must still be an active editor."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    token = request.path_params["token"]

    def read() -> bytes | None:
        with store.read() as s:
            found = saved.by_feed_token(s, token)
            if found is None or not may(found.user.role, Privilege.DECIDE):
                return None
            chosen = saved.filter_of(found)
            narrowed = []
            if chosen.q:
                try:
                    hits = search(settings, chosen.q, lang=settings.languages[0],
                                  per_page=WORDS_CAP, facets=False,
                                  statuses=(ItemStatus.PENDING.value,)).hits
                except QueryError:
                    hits = []
                narrowed = [Item.id.in_([h.item_id for h in hits])]
            items = s.scalars(select(Item).where(*chosen.conditions(), *narrowed)
                              .options(joinedload(Item.source)).order_by(*ordering(ORDERS["newest"]))
                              .limit(FEED_ITEMS)).all()
            return atom_document(
                [Entry(title=i.title or i.url, url=absolute(request, url_for(
                    request, "item_show", item_id=i.id).path), published=i.sort_at,
                    updated=i.updated_at, related=i.url,
                    author=i.source.title if i.source else _("a correspondent"),
                    summary=plain_text(i.summary, 1000)) for i in items],
                title=_("{site} queue: {name}").format(site=settings.site_title,
                                                       name=found.name),
                feed_url=absolute(request, request.url.path),
                home_url=absolute(request, str(with_query(url_for(request, "queue_list"),
                                                          **chosen.params()))),
                updated=max((i.updated_at for i in items), default=utcnow()))

    body = await run_in_threadpool(read)
    if body is None:
        raise HTTPException(404, _("This feed address is not valid any more."))
    return Response(body, media_type="application/atom+xml",
                    headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})


async def _own(request: Request, change):
    store: Store = request.app.state.store
    user_id = session_of(request).user_id
    saved_id: int = request.path_params["saved_id"]

    def write():
        with store.transaction() as s:
            return change(s, user_id, saved_id)

    return await run_in_threadpool(write)
