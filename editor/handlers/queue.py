"""The queue page and the decisions taken from it: approve, reject with a reason, reopen."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import QueryError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor.errors import ReasonRequired
from rabkor.editor.handlers.flash import confirmation, redirect_confirming
from rabkor.editor.queue import (
    PAGE_SIZE,
    Page,
    found_page,
    pending_page,
    pending_submissions,
    translation_language,
)
from rabkor.editor.reindex import reindexing
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for, with_query
from rabkor.editor.workflow import APPROVE, REJECT, REOPEN, decide
from rabkor.search.service import search


@dataclass(frozen=True)
class FormError:
    item_id: int
    message: str


async def queue_list(request: Request) -> Response:
    query = request.query_params
    return await _queue_page(request, query.get("lang", ""), query.get("page", ""),
                             query.get("q", ""))


async def item_approve(request: Request) -> Response:
    return await _decide(request, APPROVE)


async def item_reject(request: Request) -> Response:
    return await _decide(request, REJECT)


async def item_reopen(request: Request) -> Response:
    return await _decide(request, REOPEN)


async def _queue_page(
    request: Request, lang: str, page: str, q: str = "", error: FormError | None = None,
    status: int = 200
) -> Response:
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    lang = lang if lang in settings.languages else ""
    number = int(page) if page.isdigit() else 1
    q = q.strip()

    def read() -> dict[str, object]:
        problem = None
        found = None
        if q:  # the queue's words are looked up in the search index, as readers' are
            try:
                found = search(settings, q, lang=lang or settings.languages[0], page=number,
                               per_page=PAGE_SIZE, facets=False,
                               statuses=(ItemStatus.PENDING.value,))
            except QueryError as exc:
                problem = str(exc)
        with store.read() as session:
            listed = (found_page(session, found) if found is not None
                      else Page([], 1, 0, PAGE_SIZE) if problem else pending_page(session, number))
            return {"page": listed, "query_problem": problem,
                    "submissions": pending_submissions(session),
                    "confirmation": confirmation(session, request.query_params)}

    context = await run_in_threadpool(read)
    return render(
        request, "queue/list.html", 400 if context["query_problem"] else status, **context,
        lang=lang, q=q, error=error,
        languages=settings.languages,
        translation_language=lambda item: translation_language(item, lang, settings.languages),
        page_url=lambda number: with_query(url_for(request, "queue_list"), lang=lang, q=q,
                                           page=str(number)),
    )


async def _decide(request: Request, action: str) -> Response:
    form = await verify_csrf(request)
    item_id: int = request.path_params["item_id"]
    lang, page, q = form.get("lang", ""), form.get("page", ""), form.get("q", "")
    store: Store = request.app.state.store
    editor_id = session_of(request).user_id
    try:
        await run_in_threadpool(_apply, store, item_id, editor_id, action, form.get("reason", ""))
    except ReasonRequired as exc:
        return await _queue_page(request, lang, page, q, FormError(item_id, str(exc)),
                                 status=exc.status)
    if form.get("back") == "decisions":
        done = redirect_confirming(request, "decision_list", done=action, item=str(item_id))
    else:
        done = redirect_confirming(request, "queue_list", lang=lang, q=q, page=page,
                                   done=action, item=str(item_id))
    return reindexing(request, done, [item_id])


def _apply(store: Store, item_id: int, editor_id: int | None, action: str, reason: str) -> None:
    with store.transaction() as session:
        # Locks the row on PostgreSQL; SQLite's write transaction already serializes.
        item = session.get(Item, item_id, with_for_update=True)
        if item is None:
            raise HTTPException(404, f"There is no item {item_id}.")
        editor = session.get(User, editor_id)
        if editor is None:
            raise HTTPException(403, "Your account no longer exists.")
        decide(session, item, editor, action, reason)
