"""The queue page and the decisions taken from it: approve, reject with a reason, reopen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import QueryError
from rabkor.core.settings import Settings
from rabkor.core.store import keyset
from rabkor.core.store.db import Store
from rabkor.core.store.keyset import BadCursor
from rabkor.core.store.models import Item, ItemStatus, MediaKind, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import locks, rules, saved, submissions
from rabkor.editor.errors import ReasonRequired
from rabkor.editor.filters import (
    SORTS,
    WORDS_CAP,
    QueueFilter,
    facet_counts,
    filter_key,
    forget_counts,
    kept_count,
)
from rabkor.editor.handlers.flash import MAX_NAMED, confirmation, ids_param, redirect_confirming
from rabkor.editor.i18n import _
from rabkor.editor.queue import (
    pending_count,
    pending_page,
    remembered_language,
    translation_language,
)
from rabkor.editor.reindex import reindexing
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for, with_query
from rabkor.editor.workflow import (
    APPROVE,
    REJECT,
    REOPEN,
    TRANSITIONS,
    decide_story,
    reason_codes,
)
from rabkor.search.service import search

PLACE = ("after", "before")  # a queue page's cursor (editor/queue.py)


@dataclass(frozen=True)
class FormError:
    item_id: int
    message: str


async def queue_list(request: Request) -> Response:
    return await _queue_page(request, request.query_params)


async def item_approve(request: Request) -> Response:
    return await _decide(request, APPROVE)


async def item_reject(request: Request) -> Response:
    return await _decide(request, REJECT)


async def item_reopen(request: Request) -> Response:
    return await _decide(request, REOPEN)


async def items_bulk(request: Request) -> Response:
    """Approve or reject the selected items at once; those that someone else decided since
    the page was shown are skipped and named, the rest decided."""
    form = await verify_csrf(request)
    action, back = form.get("action", ""), _back(form)
    chosen = (await request.form()).getlist("ids")  # the form verify_csrf read, cached
    ids = sorted({int(v) for v in chosen if isinstance(v, str) and v.isdigit()})[:MAX_NAMED]
    if action not in (APPROVE, REJECT):
        raise HTTPException(400, _("Choose to approve or to reject the selected items."))
    if not ids:
        return await _queue_page(request, back, FormError(0, _("select at least one item")), 400)
    store: Store = request.app.state.store
    editor_id = session_of(request).user_id
    try:
        done, skipped = await run_in_threadpool(
            _apply_all, store, ids, editor_id, action, form.get("reason", ""),
            form.get("reason_code", ""), request.app.state.settings.review_lock_minutes)
    except ReasonRequired as exc:
        return await _queue_page(request, back, FormError(0, str(exc)), exc.status)
    forget_counts()
    response = redirect_confirming(request, "queue_list", **back, done=action,
                                   item=ids_param(done), skipped=ids_param(skipped))
    return reindexing(request, response, done)


async def _queue_page(request: Request, params, error: FormError | None = None,
                      status: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    chosen, problems = QueueFilter.read(params)
    place = {name: str(params.get(name, "")) for name in PLACE}
    user_id = session_of(request).user_id
    lang = await run_in_threadpool(remembered_language, store, user_id, params.get("lang"),
                                   settings.languages)

    def matches() -> tuple[list[int], bool]:
        found = search(settings, chosen.q, lang=lang or settings.languages[0],
                       per_page=WORDS_CAP, facets=False,
                       statuses=(ItemStatus.PENDING.value,), labels=False)
        return [hit.item_id for hit in found.hits], found.total > WORDS_CAP

    def read() -> dict[str, object]:
        matched, capped = None, False
        with store.read() as session:
            if chosen.q:  # the words are looked up in the search index, as readers' are,
                try:      # and their matches kept like the counts (a decision drops them)
                    matched, capped = kept_count(session, ("words", chosen.q, lang), matches)
                except QueryError as exc:
                    problems.append(str(exc))
                    matched = []
            try:
                listed = pending_page(session, chosen, matched, **place)
            except BadCursor:
                problems.append(_("That page of the queue is not one the desk linked to; "
                                  "here is the first page."))
                place.update(after="", before="")
                listed = pending_page(session, chosen, matched)
            return {"page": listed,
                    "locks": locks.views(session, [i.id for i in listed.items], user_id),
                    "flags": rules.hits_of(session, [i.id for i in listed.items]),
                    "facets": facet_counts(session, chosen, matched), "capped": capped,
                    "submissions": submissions.for_the_desk(session),
                    "reason_codes": reason_codes(session),
                    "saved": _saved_counts(session, settings, user_id),
                    "confirmation": confirmation(session, request.query_params)}

    context = await run_in_threadpool(read)
    shown = {**chosen.params(), **({"lang": lang} if lang else {})}
    here = {name: value for name, value in place.items() if value}  # this page's cursor
    return render(
        request, "queue/list.html", 400 if problems else status, **context, chosen=chosen,
        problems=problems, lang=lang, shown=shown, here=here, error=error, sorts=SORTS,
        words_cap=WORDS_CAP,
        languages=settings.languages, kinds=list(MediaKind),
        translation_language=lambda item: translation_language(item, lang, settings.languages),
        queue_url=lambda **changed: with_query(url_for(request, "queue_list"),
                                               **{**shown, **changed}),
    )


async def _decide(request: Request, action: str) -> Response:
    form = await verify_csrf(request)
    item_id: int = request.path_params["item_id"]
    back = _back(form)
    store: Store = request.app.state.store
    editor_id = session_of(request).user_id
    try:
        decided = await run_in_threadpool(_apply, store, item_id, editor_id, action,
                                          form.get("reason", ""), form.get("reason_code", ""),
                                          request.app.state.settings.review_lock_minutes)
    except ReasonRequired as exc:
        return await _queue_page(request, back, FormError(item_id, str(exc)),
                                 status=exc.status)
    forget_counts()
    if form.get("back") == "decisions":
        done = redirect_confirming(request, "decision_list", done=action, item=str(item_id))
    else:
        done = redirect_confirming(request, "queue_list", **back, done=action,
                                   item=str(item_id))
    return reindexing(request, done, decided)


def _saved_counts(session, settings: Settings, user_id: int | None) -> list[tuple]:
    """The editor's saved filters, each with its query string and how many items it
    holds now (words counted by the search index)."""
    def count(chosen: QueueFilter) -> int:
        if not chosen.q:
            return pending_count(session, chosen)
        try:
            return search(settings, chosen.q, lang=settings.languages[0], per_page=1,
                          facets=False, statuses=(ItemStatus.PENDING.value,)).total
        except QueryError:
            return 0

    out = []
    for found in saved.mine(session, user_id):
        chosen = saved.filter_of(found)
        total = kept_count(session, ("count", filter_key(chosen)), lambda c=chosen: count(c))
        out.append((found, chosen.params(), total))
    return out


def _back(form) -> dict[str, str]:
    """The queue page a decision came from (its filter, cursor and language shown), carried
    by the form's hidden fields, to return to: the items after the same cursor, so the
    decided ones give their places to the next."""
    chosen, _problems = QueueFilter.read(form)
    extra = {name: str(form.get(name, ""))[:keyset.MAX_LENGTH] for name in ("lang", *PLACE)}
    return {**chosen.params(), **{k: v for k, v in extra.items() if v}}


def _apply_all(store: Store, ids: list[int], editor_id: int | None, action: str,
               reason: str, code: str, lock_minutes: int) -> tuple[list[int], list[int]]:
    """Decide those of `ids` that can still take `action` and that nobody else is
    reviewing, in one transaction; the ids decided (copies included) and those skipped."""
    with store.transaction() as session:
        editor = session.get(User, editor_id)
        if editor is None:
            raise HTTPException(403, _("Your account no longer exists."))
        items = session.scalars(select(Item).where(Item.id.in_(ids))
                                .options(selectinload(Item.submission))
                                .with_for_update()).all()
        open_ = [item for item in items if (item.status, action) in TRANSITIONS]
        story = decide_story(session, open_, editor, action, reason, code, lock_minutes)
        skipped = sorted({item.id for item in items} - {item.id for item in open_}
                         | set(story.locked))
    return story.decided, skipped


def _apply(store: Store, item_id: int, editor_id: int | None, action: str, reason: str,
           code: str, lock_minutes: int) -> list[int]:
    """Decide one item (and its copies); the ids decided."""
    with store.transaction() as session:
        # Locks the row on PostgreSQL; SQLite's write transaction already serializes.
        item = session.get(Item, item_id, with_for_update=True)
        if item is None:
            raise HTTPException(404, _("There is no item {number}.").format(number=item_id))
        editor = session.get(User, editor_id)
        if editor is None:
            raise HTTPException(403, _("Your account no longer exists."))
        story = decide_story(session, [item], editor, action, reason, code, lock_minutes)
        if story.locked:
            raise locks.refusal(item_id, story.locked[item_id])
        return story.decided
