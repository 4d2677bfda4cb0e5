"""An item's own page on the desk: opening it takes the review lock (or shows who holds
it), and from it an editor decides, writes an internal note, takes over or lets go."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import InvalidInput
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import locks, topics
from rabkor.editor.handlers.flash import redirect_confirming
from rabkor.editor.i18n import _
from rabkor.editor.queue import remembered_language, translation_language
from rabkor.editor.reindex import reindexing
from rabkor.editor.review import MAX_NOTE, add_note, edit_item, review_of
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for
from rabkor.editor.workflow import reason_codes


async def item_show(request: Request) -> Response:
    return await _page(request, locks.OPEN)


async def item_take_over(request: Request) -> Response:
    await verify_csrf(request)
    return await _page(request, locks.TAKE_OVER)


async def item_release(request: Request) -> Response:
    await verify_csrf(request)
    store: Store = request.app.state.store
    item_id: int = request.path_params["item_id"]
    user_id = session_of(request).user_id

    def write() -> None:
        with store.transaction() as session:
            locks.release(session, item_id, user_id)

    await run_in_threadpool(write)
    return redirect_confirming(request, "queue_list")


async def item_note(request: Request) -> Response:
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    item_id: int = request.path_params["item_id"]
    user_id = session_of(request).user_id

    def write() -> None:
        with store.transaction() as session:
            add_note(session, item_id, _user(session, user_id), form.get("text", ""))

    try:
        await run_in_threadpool(write)
    except InvalidInput as exc:
        return await _page(request, locks.OPEN, note_error=str(exc), typed=form.get("text", ""),
                           status=exc.status)
    return RedirectResponse(url_for(request, "item_show", item_id=item_id), status_code=303)


async def item_edit(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _change(request, lambda s, user, item_id: edit_item(
        s, item_id, user, form.get("title", ""), form.get("summary", "")), "edit_error")


async def item_topics(request: Request) -> Response:
    await verify_csrf(request)
    chosen = [int(v) for v in (await request.form()).getlist("topic") if str(v).isdigit()]
    return await _change(request, lambda s, user, item_id: topics.set_topics(
        s, user, item_id, chosen), "topics_error")


async def item_feature(request: Request) -> Response:
    form = await verify_csrf(request)
    order = "" if form.get("do") == "unfeature" else form.get("order", "")
    return await _change(request, lambda s, user, item_id: topics.feature(
        s, user, item_id, order), "feature_error")


async def _change(request: Request, change, error_name: str) -> Response:
    """Apply an editor's change to the item; the page again with the error, or the item
    indexed again when anything changed."""
    store: Store = request.app.state.store
    item_id: int = request.path_params["item_id"]
    user_id = session_of(request).user_id

    def write() -> bool:
        with store.transaction() as session:
            return change(session, _user(session, user_id), item_id)

    try:
        changed = await run_in_threadpool(write)
    except InvalidInput as exc:
        return await _page(request, locks.OPEN, status=exc.status, **{error_name: str(exc)})
    response = RedirectResponse(url_for(request, "item_show", item_id=item_id), status_code=303)
    return reindexing(request, response, [item_id]) if changed else response


async def _page(request: Request, action: str, note_error: str = "", typed: str = "",
                status: int = 200, edit_error: str = "", topics_error: str = "",
                feature_error: str = "") -> Response:
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    item_id: int = request.path_params["item_id"]
    user_id = session_of(request).user_id
    lang = await run_in_threadpool(remembered_language, store, user_id,
                                   request.query_params.get("lang"), settings.languages)

    def work() -> dict[str, object]:
        with store.transaction() as session:
            review = review_of(session, item_id)
            codes = reason_codes(session)
            offered = topics.every(session, active_only=True)
            if review.item.status != "pending":
                return {"review": review, "lock": locks.LockView(locks.FREE),
                        "reason_codes": codes, "topics": offered}
            lock = locks.apply(session, item_id, _user(session, user_id), action,
                               settings.review_lock_minutes)
            return {"review": review_of(session, item_id) if action == locks.TAKE_OVER
                    else review, "lock": lock, "reason_codes": codes, "topics": offered}

    context = await run_in_threadpool(work)
    chosen = lang if lang in settings.languages else ""
    return render(request, "items/show.html", status, **context, languages=settings.languages,
                  lang=chosen, note_error=note_error, typed=typed, max_note=MAX_NOTE,
                  edit_error=edit_error, topics_error=topics_error,
                  editing=request.query_params.get("edit") == "1",
                  feature_error=feature_error,
                  target=translation_language(context["review"].item, chosen,
                                              settings.languages))


def _user(session, user_id: int | None) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(403, _("Your account no longer exists."))
    return user
