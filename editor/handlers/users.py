"""The administrators' page of people (invite, change role, disable, reset a password)
and the public page where a one-time link sets a password."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import InvalidInput, RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import Role, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import users
from rabkor.editor.handlers.acting import as_signed_in
from rabkor.editor.i18n import _
from rabkor.editor.templating import render
from rabkor.editor.urls import absolute, url_for


async def user_list(request: Request) -> Response:
    return await _list(request)


async def user_invite(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _act(request, lambda s, admin: users.invite(
        s, admin, form.get("username", ""), form.get("role", ""))[1], form)


async def user_role(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _act(request, lambda s, admin: users.change_role(
        s, admin, users.user_of(s, request.path_params["user_id"]), form.get("role", "")))


async def user_disable(request: Request) -> Response:
    await verify_csrf(request)
    return await _act(request, lambda s, admin: users.set_active(
        s, admin, users.user_of(s, request.path_params["user_id"]), False))


async def user_enable(request: Request) -> Response:
    await verify_csrf(request)
    return await _act(request, lambda s, admin: users.set_active(
        s, admin, users.user_of(s, request.path_params["user_id"]), True))


async def user_reset(request: Request) -> Response:
    await verify_csrf(request)
    return await _act(request, lambda s, admin: users.reset(
        s, admin, users.user_of(s, request.path_params["user_id"])))


async def welcome_form(request: Request) -> Response:
    store: Store = request.app.state.store
    token = request.path_params["token"]

    def read() -> User:
        with store.read() as s:
            return users.link_of(s, token).user

    try:
        user = await run_in_threadpool(read)
    except users.LinkUnusable as exc:
        return render(request, "users/welcome.html", exc.status, user=None, error=str(exc))
    return render(request, "users/welcome.html", user=user, error="")


async def welcome_submit(request: Request) -> Response:
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    token = request.path_params["token"]
    password = form.get("password", "")

    def write() -> User:
        if password != form.get("again", ""):
            raise InvalidInput(_("the two passwords differ"))
        with store.transaction() as s:
            return users.use_link(s, token, password)

    try:
        user = await run_in_threadpool(write)
    except RabkorError as exc:
        with store.read() as s:
            try:
                found = users.link_of(s, token).user
            except users.LinkUnusable:
                found = None
        return render(request, "users/welcome.html", exc.status, user=found, error=str(exc))
    await run_in_threadpool(session_of(request).logout)
    return RedirectResponse(url_for(request, "login_form").include_query_params(
        done="password", username=user.username), status_code=303)


async def _act(request: Request, change, form: dict | None = None) -> Response:
    try:
        token = await as_signed_in(request, change)
    except RabkorError as exc:
        return await _list(request, error=str(exc), status=exc.status, typed=form or {})
    if isinstance(token, str):  # a one-time link, shown once on this page
        return await _list(request, link=absolute(request, url_for(
            request, "welcome_form", token=token).path))
    return RedirectResponse(url_for(request, "user_list"), status_code=303)


async def _list(request: Request, error: str = "", status: int = 200, link: str = "",
                typed: dict | None = None) -> Response:
    store: Store = request.app.state.store

    def read() -> list[User]:
        with store.read() as s:
            return list(s.scalars(select(User).order_by(User.username)))

    return render(request, "users/list.html", status, people=await run_in_threadpool(read),
                  roles=list(Role), error=error, link=link, typed=typed or {},
                  link_days=users.LINK_DAYS)
