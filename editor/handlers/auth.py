"""Logging in and out. Sessions live in the store, so logging out really ends them."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.accounts import LoginFailed, authenticate
from rabkor.core.store.db import Store
from rabkor.core.store.models import User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for

BAD_LOGIN = "Wrong username or password."


async def login_form(request: Request) -> Response:
    return render(request, "auth/login.html", error="", username="")


async def login_submit(request: Request) -> Response:
    form = await verify_csrf(request)
    username = form.get("username", "")
    store: Store = request.app.state.store
    try:
        user = await run_in_threadpool(_authenticate, store, username, form.get("password", ""))
    except LoginFailed as exc:
        return render(request, "auth/login.html", exc.status, error=BAD_LOGIN,
                      username=username)
    await run_in_threadpool(session_of(request).login, user)
    return RedirectResponse(url_for(request, "queue_list"), status_code=303)


async def logout(request: Request) -> Response:
    await verify_csrf(request)
    await run_in_threadpool(session_of(request).logout)
    return RedirectResponse(url_for(request, "login_form"), status_code=303)


def _authenticate(store: Store, username: str, password: str) -> User:
    # A transaction, not a read: authenticate may upgrade an outdated password hash.
    with store.transaction() as session:
        return authenticate(session, username, password)
