"""Volunteer translation pages: the per-language list, claiming, editing sentence by
sentence, and the editors' review. The rules live in rabkor.editor.postedit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, TranslationRevision, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import postedit, revisions
from rabkor.editor.changes import compared
from rabkor.editor.errors import IncompleteTranslation, PostEditConflict, TextTooLong
from rabkor.editor.i18n import N_, _
from rabkor.editor.privileges import Privilege, may
from rabkor.editor.reindex import reindexing
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for, with_query

T = TypeVar("T")
# What a redirect's `done` may confirm: the words come from here, never from the URL.
DONE = {
    "claimed": N_("The item is yours for the next two hours."),
    "released": N_("You released the item; someone else can take it now."),
    "saved": N_("Draft saved."),
    "submitted": N_("Submitted for review. Thank you!"),
    "accepted": N_("Accepted: readers now see the volunteer's translation."),
    "returned": N_("Returned to the translator with your note."),
}


async def translation_list(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    lang = request.query_params.get("lang", "")
    lang = lang if lang in settings.languages else settings.languages[0]
    user_id = session_of(request).user_id

    def read(s: Session) -> dict[str, object]:
        return {"work": postedit.work_list(s, lang),
                "returned": postedit.returned_to(s, user_id or 0),
                "waiting": len(postedit.awaiting_review(s))}

    context = await _read(request, read)
    return render(request, "translations/list.html", **context, lang=lang,
                  languages=settings.languages, done=DONE.get(request.query_params.get("done")))


async def translation_edit(request: Request) -> Response:
    return await _edit_page(request)


async def translation_claim(request: Request) -> Response:
    await verify_csrf(request)
    item_id, lang = _target(request)

    def write(s: Session) -> None:
        postedit.claim(s, _item(s, item_id), lang, _user(s, request))

    await _write(request, write)
    return _back_to_edit(request, item_id, lang, "claimed")


async def translation_release(request: Request) -> Response:
    await verify_csrf(request)
    item_id, lang = _target(request)
    await _write(request, lambda s: postedit.release(s, item_id, lang, _user(s, request)))
    url = with_query(url_for(request, "translation_list"), lang=lang, done="released")
    return RedirectResponse(url, status_code=303)


async def translation_save(request: Request) -> Response:
    form = await verify_csrf(request)
    item_id, lang = _target(request)
    submit = form.get("action") == "submit"

    def write(s: Session) -> None:
        item = _item(s, item_id)
        plan = postedit.layout(item, lang)
        postedit.save(s, item, lang, _user(s, request), _typed(form, plan), submit)

    try:
        await _write(request, write)
    except (PostEditConflict, IncompleteTranslation, TextTooLong) as exc:
        # Nothing typed is lost: the page comes back with the text as it was sent.
        return await _edit_page(request, typed=form, error=str(exc), status=exc.status)
    return _back_to_edit(request, item_id, lang, "submitted" if submit else "saved")


async def translation_history(request: Request) -> Response:
    item_id, lang = _target(request)

    def read(s: Session) -> dict[str, object]:
        return {"item": _item(s, item_id), "revisions": postedit.history(s, item_id, lang)}

    return render(request, "translations/history.html", **await _read(request, read), lang=lang)


async def review_list(request: Request) -> Response:
    def read(s: Session) -> dict[str, object]:
        return {"revisions": postedit.awaiting_review(s)}

    return render(request, "translations/reviews.html", **await _read(request, read),
                  done=DONE.get(request.query_params.get("done")))


async def revision_show(request: Request) -> Response:
    return await _revision_page(request)


async def revision_accept(request: Request) -> Response:
    return await _review(request, accept=True)


async def revision_return(request: Request) -> Response:
    return await _review(request, accept=False)


async def _review(request: Request, accept: bool) -> Response:
    form = await verify_csrf(request)
    revision_id: int = request.path_params["revision_id"]

    item_ids: list[int] = []

    def write(s: Session) -> None:
        revision = _revision(s, revision_id)
        item_ids.append(revision.item_id)
        postedit.review(s, revision, _user(s, request), accept, form.get("note", ""))

    try:
        await _write(request, write)
    except IncompleteTranslation as exc:
        return await _revision_page(request, error=str(exc), status=exc.status)
    url = with_query(url_for(request, "review_list"), done="accepted" if accept else "returned")
    response = RedirectResponse(url, status_code=303)
    return reindexing(request, response, item_ids) if accept else response


async def _edit_page(request: Request, typed: dict[str, str] | None = None, error: str = "",
                     status: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    item_id, lang = _target(request)
    user_id = session_of(request).user_id

    def read(s: Session) -> dict[str, object]:
        item = _item(s, item_id)
        plan = postedit.layout(item, lang)
        last = postedit.latest(s, item_id, lang)
        return {"item": item, "plan": plan, "claim": postedit.live_claim(s, item_id, lang),
                "latest": last, "texts": _prefill(plan, last, typed)}

    context = await _read(request, read)
    claim, last = context["claim"], context["latest"]
    state = last.status if isinstance(last, TranslationRevision) else None
    return render(request, "translations/edit.html", status, **context, lang=lang,
                  languages=settings.languages, error=error, kept=typed is not None,
                  editable=revisions.allows(state, revisions.Event.SAVE),
                  mine=claim is not None and claim.user_id == user_id,
                  done=DONE.get(request.query_params.get("done")))


async def _revision_page(request: Request, error: str = "", status: int = 200) -> Response:
    revision_id: int = request.path_params["revision_id"]
    session = session_of(request)

    def read(s: Session) -> dict[str, object]:
        revision = _revision(s, revision_id)
        plan = postedit.layout(revision.item, revision.language)
        return {"revision": revision, "item": revision.item,
                "rows": compared(plan, revision)}

    context = await _read(request, read)
    revision = context["revision"]
    assert isinstance(revision, TranslationRevision)
    reviewable = (may(session.role, Privilege.REVIEW) and revision.author_id != session.user_id
                  and revisions.allows(revision.status, revisions.Event.ACCEPT))
    return render(request, "translations/revision.html", status, **context,
                  reviewable=reviewable, error=error)


def _prefill(plan: dict, last: TranslationRevision | None,
             typed: dict[str, str] | None) -> dict[str, list[str]]:
    """What each segment's box holds: what was just sent, else the latest revision's
    segments (if the source still cuts the same way), else the machine's output to edit."""
    if typed is not None:
        return _typed(typed, plan)
    saved = last.segments if last is not None else {}
    return {field: saved[field] if len(saved.get(field, ())) == len(segs)
            else [seg.machine for seg in segs]
            for field, segs in plan.items()}


def _typed(form: dict[str, str], plan: dict) -> dict[str, list[str]]:
    return {field: [form.get(f"seg-{field}-{i}", "") for i in range(len(segs))]
            for field, segs in plan.items()}


def _target(request: Request) -> tuple[int, str]:
    settings: Settings = request.app.state.settings
    lang = request.path_params["lang"]
    if lang not in settings.languages:
        raise HTTPException(404, _("{code} is not one of this site's languages.").format(
            code=repr(lang)))
    return request.path_params["item_id"], lang


def _item(s: Session, item_id: int) -> Item:
    item = s.get(Item, item_id)
    if item is None:
        raise HTTPException(404, _("There is no item {number}.").format(number=item_id))
    return item


def _revision(s: Session, revision_id: int) -> TranslationRevision:
    revision = s.get(TranslationRevision, revision_id)
    if revision is None:
        raise HTTPException(404, _("There is no translation revision {number}.").format(
            number=revision_id))
    # Load what the page shows before the session closes.
    revision.item.translations, revision.author, revision.reviewer  # noqa: B018
    return revision


def _user(s: Session, request: Request) -> User:
    user = s.get(User, session_of(request).user_id)
    if user is None:
        raise HTTPException(403, _("Your account no longer exists."))
    return user


def _back_to_edit(request: Request, item_id: int, lang: str, done: str) -> RedirectResponse:
    url = url_for(request, "translation_edit", item_id=item_id, lang=lang)
    return RedirectResponse(with_query(url, done=done), status_code=303)


async def _read(request: Request, read: Callable[[Session], T]) -> T:
    store: Store = request.app.state.store

    def run() -> T:
        with store.read() as s:
            return read(s)

    return await run_in_threadpool(run)


async def _write(request: Request, write: Callable[[Session], None]) -> None:
    store: Store = request.app.state.store

    def run() -> None:
        with store.transaction() as s:
            write(s)

    await run_in_threadpool(run)
