"""A correspondent's submissions page (where they land after logging in): their links with
each state and its history, withdrawing one still waiting, the token for the submissions
API and the private Atom feed of their states (each shown once, renewable, revocable),
and the bookmarklet. And the desk's actions on links: retry a failed fetch, refuse a
link, suspend a correspondent."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core import submissions as lifecycle
from rabkor.core import tokens
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import ItemStatus, TokenKind, utcnow
from rabkor.core.store.models import Submission
from rabkor.core.web.atom import Entry, atom_document
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import notices, submissions
from rabkor.editor.handlers.acting import as_signed_in
from rabkor.editor.i18n import _, word
from rabkor.editor.submissions import SITE_ITEM, site_language
from rabkor.editor.templating import render
from rabkor.editor.urls import absolute, url_for, with_query
from rabkor.editor.users import user_of

FEED_ENTRIES = 50
SITE_SUBMIT = "/{lang}/submit"  # the site's form (the site is mounted at /)


def bookmarklet(request: Request, lang: str) -> str:
    """The bookmarklet's address: dragged to the bookmarks bar and clicked on any page, it
    opens the site's submission form with that page's address filled in. Built here, as
    no template may hold a javascript: URL; it runs on the page being read, never here
    (the desk's CSP forbids inline script)."""
    form = absolute(request, SITE_SUBMIT.format(lang=lang)) + "?url="
    return ("javascript:void(window.open('" + form.replace("'", "%27")
            + "'+encodeURIComponent(location.href)))")


async def my_submissions(request: Request) -> Response:
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    user_id = session_of(request).user_id

    def read():
        with store.read() as s:
            user = user_of(s, user_id)
            return (list(submissions.mine(s, user_id)), site_language(settings, user),
                    tokens.live(s, user_id, TokenKind.API),
                    tokens.live(s, user_id, TokenKind.FEED), user.suspended_at,
                    notices.told(s, user_id))

    mine, lang, api, feed, suspended, told = await run_in_threadpool(read)
    return render(request, "submissions/mine.html", submissions=mine, lang=lang, told=told,
                  api_token=api, feed_token=feed, suspended=suspended,
                  submit_url=SITE_SUBMIT.format(lang=lang),
                  bookmarklet=bookmarklet(request, lang), site_item=SITE_ITEM,
                  withdrawable=lambda sub: lifecycle.allows(sub.status,
                                                            lifecycle.Event.WITHDRAWN),
                  published=ItemStatus.APPROVED,
                  withdrawn=request.query_params.get("withdrawn", ""))


async def submission_withdraw(request: Request) -> Response:
    await verify_csrf(request)
    store: Store = request.app.state.store
    user_id = session_of(request).user_id
    submission_id: int = request.path_params["submission_id"]

    def write() -> None:
        with store.transaction() as s:
            submissions.withdraw(s, user_id, submission_id)

    await run_in_threadpool(write)  # a RabkorError is the error page's (editor/app.py)
    return RedirectResponse(with_query(url_for(request, "my_submissions"),
                                       withdrawn=str(submission_id)), status_code=303)


async def token_new(request: Request) -> Response:
    """A new API token or feed address, shown once (the old one stops working)."""
    form = await verify_csrf(request)
    kind = TokenKind.FEED if form.get("kind") == "feed" else TokenKind.API
    secret = await as_signed_in(request, lambda s, me: tokens.issue(s, me.id, kind))
    shown = absolute(request, url_for(request, "my_submissions_feed", token=secret).path) \
        if kind == TokenKind.FEED else secret
    return render(request, "submissions/token.html", kind=kind.value, secret=shown,
                  api_url=absolute(request, "/api/v1/submissions"))


async def token_revoke(request: Request) -> Response:
    form = await verify_csrf(request)
    kind = TokenKind.FEED if form.get("kind") == "feed" else TokenKind.API
    await as_signed_in(request, lambda s, me: tokens.revoke(s, me.id, kind))
    return RedirectResponse(url_for(request, "my_submissions"), status_code=303)


async def my_submissions_feed(request: Request) -> Response:
    """The states a person's submissions went through, newest first, as Atom: the token
    in the address is the key."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings

    def read() -> bytes | None:
        with store.transaction() as s:
            user = tokens.holder(s, request.path_params["token"], TokenKind.FEED)
            if user is None:
                return None
            lang = site_language(settings, user)
            page = absolute(request, url_for(request, "my_submissions").path)
            events = sorted(((e, sub) for sub in submissions.mine(s, user.id)
                             for e in sub.events), key=lambda pair: pair[0].id,
                            reverse=True)[:FEED_ENTRIES]
            entries = [Entry(
                title=f"{word(e.status)}: {sub.url}",
                url=_entry_url(request, sub, e.id, lang, page),
                published=e.at, updated=e.at, related=sub.url,
                author=user.display_name or user.username,
                summary=_state_text(sub, e.status.value, e.detail)) for e, sub in events]
            return atom_document(
                entries, title=_("{site}: the links {name} sent").format(
                    site=settings.site_title, name=user.display_name or user.username),
                feed_url=absolute(request, request.url.path), home_url=page,
                updated=max((e.at for e, _sub in events), default=utcnow()))

    body = await run_in_threadpool(read)
    if body is None:
        raise HTTPException(404, _("This feed address is not valid any more."))
    return Response(body, media_type="application/atom+xml",
                    headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})


def _entry_url(request: Request, sub: Submission, event_id: int, lang: str,
               page: str) -> str:
    """A published item's page on the site; else the submissions page, one address per
    state entered (an entry's id)."""
    if sub.item is not None and sub.item.status == ItemStatus.APPROVED:
        return absolute(request, SITE_ITEM.format(lang=lang, id=sub.item_id)) + \
            f"#state-{event_id}"
    return f"{page}#state-{event_id}"


def _state_text(sub: Submission, status: str, detail: str) -> str:
    if status == "failed":
        return _("The page could not be fetched or read: {reason}").format(reason=detail)
    if status == "duplicate":
        return _("The link is on the site already, as item {number}.").format(
            number=sub.item_id)
    if status == "rejected" and sub.reason:
        return _("Reason: {code}").format(code=sub.reason)
    return sub.note


async def submission_retry(request: Request) -> Response:
    await verify_csrf(request)
    await _desk(request, lambda s, sub_id: submissions.retry(s, sub_id))
    return RedirectResponse(with_query(url_for(request, "queue_list")) + "#submissions",
                            status_code=303)


async def submission_refuse(request: Request) -> Response:
    form = await verify_csrf(request)
    code = form.get("code", "")[:100] or "other"
    await _desk(request, lambda s, sub_id: submissions.refuse(s, sub_id, code))
    return RedirectResponse(with_query(url_for(request, "queue_list")) + "#submissions",
                            status_code=303)


async def _desk(request: Request, change) -> None:
    store: Store = request.app.state.store
    submission_id: int = request.path_params["submission_id"]

    def write() -> None:
        with store.transaction() as s:
            change(s, submission_id)

    await run_in_threadpool(write)


async def correspondent_suspend(request: Request) -> Response:
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    editor_id = session_of(request).user_id
    user_id: int = request.path_params["user_id"]
    item = form.get("item", "")  # the item page the editor came from, else the queue
    lift = form.get("lift") == "1"

    def write() -> None:
        with store.transaction() as s:
            if lift:
                submissions.unsuspend(s, user_id)
            else:
                submissions.suspend(s, user_of(s, editor_id), user_id)

    await run_in_threadpool(write)
    target = url_for(request, "item_show", item_id=int(item)) if item.isdigit() \
        else url_for(request, "queue_list")
    return RedirectResponse(str(target), status_code=303)
