"""The correspondents' own pages: invitations to give, joining (by invitation, or by
applying when registration is open), the profile with its consents, the download of
everything stored about oneself, and deleting one's account; and, for editors, the
applications waiting for approval."""

from __future__ import annotations

import json

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.accounts import LoginFailed, authenticate
from rabkor.core.errors import InvalidInput, RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import Affiliation, ConsentKind, Source, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import correspondents as people
from rabkor.editor.handlers.acting import act, as_signed_in
from rabkor.editor.i18n import LANGUAGES, _
from rabkor.editor.privileges import Privilege, may
from rabkor.editor.templating import render
from rabkor.editor.urls import absolute, url_for
from rabkor.editor.users import user_of

MAX_AFFILIATIONS = 20


async def invitation_list(request: Request, link: str = "", error: str = "",
                          status: int = 200) -> Response:
    store: Store = request.app.state.store
    session = session_of(request)
    editor = may(session.role, Privilege.DECIDE)

    def read():
        with store.read() as s:
            me = user_of(s, session.user_id)
            return people.invitations_of(s, me), people.applicants(s) if editor else []

    invitations, applicants = await run_in_threadpool(read)
    return render(request, "correspondents/invitations.html", status, link=link, error=error,
                  invitations=invitations, applicants=applicants,
                  days=people.INVITATION_DAYS, now=people.utcnow())


async def invitation_create(request: Request) -> Response:
    await verify_csrf(request)
    try:
        _invitation, token = await as_signed_in(request, people.invite)
    except RabkorError as exc:
        return await invitation_list(request, error=str(exc), status=exc.status)
    return await invitation_list(request, link=absolute(
        request, url_for(request, "join_form", token=token).path))


async def invitation_revoke(request: Request) -> Response:
    await verify_csrf(request)
    number = request.path_params["invitation_id"]
    return await act(request, lambda s, me: people.revoke(s, me, number), "invitation_list",
                     lambda error, status: invitation_list(request, error=error,
                                                           status=status))


async def applicant_approve(request: Request) -> Response:
    await verify_csrf(request)
    number = request.path_params["user_id"]
    return await act(request, lambda s, me: people.approve(s, me, user_of(s, number)),
                     "invitation_list",
                     lambda error, status: invitation_list(request, error=error,
                                                           status=status))


def _consents(form) -> dict[ConsentKind, bool]:
    return {kind: form.get(f"consent-{kind.name.lower()}") == "yes" for kind in ConsentKind}


def _wording() -> dict[ConsentKind, str]:
    """The consents' words as this person reads them now: what their record keeps."""
    return {kind: _(words) for kind, words in people.CONSENT_WORDING.items()}


async def join_form(request: Request) -> Response:
    token = request.path_params.get("token")
    if token is None and request.app.state.settings.registration != "open":
        raise HTTPException(404, _("Joining is by invitation: ask a correspondent or an "
                                   "editor for a link."))
    error, status = "", 200
    if token is not None:
        def read() -> None:
            with request.app.state.store.read() as s:
                people.invitation_of(s, token)

        try:
            await run_in_threadpool(read)
        except people.InvitationUnusable as exc:
            error, status = str(exc), exc.status
    return _join_page(request, token, error, status, {})


def _join_page(request: Request, token: str | None, error: str, status: int, typed: dict
               ) -> Response:
    return render(request, "correspondents/join.html", status, invitation_token=token,
                  error=error, typed=typed, wording=_wording(), consent_kinds=list(ConsentKind))


async def join_submit(request: Request) -> Response:
    form = await verify_csrf(request)
    token = request.path_params.get("token")
    if token is None and request.app.state.settings.registration != "open":
        raise HTTPException(404, _("Joining is by invitation: ask a correspondent or an "
                                   "editor for a link."))
    store: Store = request.app.state.store
    password = form.get("password", "")

    def write() -> User:
        if password != form.get("again", ""):
            raise InvalidInput(_("the two passwords differ"))
        with store.transaction() as s:
            return people.join(s, token, form.get("username", ""), password,
                               form.get("display_name", ""), _consents(form), _wording())

    try:
        user = await run_in_threadpool(write)
    except RabkorError as exc:
        typed = {k: form.get(k, "") for k in ("username", "display_name")}
        return _join_page(request, token, str(exc), exc.status, typed)
    if not user.active:  # applied: an editor lets them in
        return render(request, "correspondents/applied.html", applicant=user.username)
    await run_in_threadpool(session_of(request).login, user)
    return RedirectResponse(url_for(request, "profile"), status_code=303)


async def profile_page(request: Request, error: str = "", status: int = 200) -> Response:
    store: Store = request.app.state.store
    user_id = session_of(request).user_id

    def read():
        with store.read() as s:
            user = user_of(s, user_id)
            sources = list(s.execute(select(Source.id, Source.title).join(
                Affiliation, Affiliation.source_id == Source.id)
                .where(Affiliation.user_id == user_id).order_by(Source.title)))
            return user, sources

    user, sources = await run_in_threadpool(read)
    return render(request, "correspondents/profile.html", status, me=user, error=error,
                  sources=sources, languages=LANGUAGES, wording=_wording(),
                  consent_kinds=list(ConsentKind),
                  current={kind: getattr(user, column)
                           for kind, column in people.CURRENT.items()},
                  saved=request.query_params.get("saved") == "1",
                  mail=bool(request.app.state.settings.smtp_host) or bool(user.email))


def _source_ids(text: str) -> list[int]:
    """The directory's sources named in `text`, one per line: by their number, or by the
    address of their page on the site or in the editor (…/sources/12)."""
    found = []
    for line in text.splitlines()[:MAX_AFFILIATIONS]:
        tail = line.strip().rstrip("/").rsplit("/", 1)[-1]
        if tail.isdigit() and len(tail) < 12:
            found.append(int(tail))
    return found


async def profile_save(request: Request) -> Response:
    form = await request.form()
    await verify_csrf(request)

    def change(s, me: User) -> None:
        people.save_profile(
            s, me, display_name=form.get("display_name", ""), country=form.get("country", ""),
            reads=form.getlist("reads"), writes=form.getlist("writes"),
            affiliations=form.get("affiliations", ""), bio=form.get("bio", ""),
            source_ids=_source_ids(form.get("sources", "")), email=form.get("email", ""),
            notices=form.get("notices") == "yes")
        people.set_consents(s, me, _consents(form), _wording())

    try:
        await as_signed_in(request, change)
    except RabkorError as exc:
        return await profile_page(request, error=str(exc), status=exc.status)
    return RedirectResponse(url_for(request, "profile").include_query_params(saved="1"),
                            status_code=303)


async def account_export(request: Request) -> Response:
    """Everything stored about the signed-in person, as a JSON file."""
    store: Store = request.app.state.store
    user_id = session_of(request).user_id

    def read() -> dict:
        with store.read() as s:
            return people.export(s, user_of(s, user_id))

    data = await run_in_threadpool(read)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="rabkor-{data["account"]["username"]}'
                               '.json"'.encode("ascii", "replace").decode(),
        "Cache-Control": "private, no-store"})


async def account_delete(request: Request) -> Response:
    """Delete one's own account, after giving the password again."""
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    session = session_of(request)

    def write() -> None:
        with store.transaction() as s:
            me = user_of(s, session.user_id)
            try:
                authenticate(s, me.username, form.get("password", ""))
            except LoginFailed:
                raise InvalidInput(_("that is not your password; the account is kept")) \
                    from None
            people.delete_account(s, me)

    try:
        await run_in_threadpool(write)
    except RabkorError as exc:
        return await profile_page(request, error=str(exc), status=exc.status)
    return render(request, "correspondents/deleted.html")
