"""Logging in and out. Sessions live in the store, so logging out really ends them.

Failed logins are counted per account and per visitor (rabkor.editor.throttle) and
logged with the username and the visitor's hash, never the password or the address.
"""

from __future__ import annotations

import logging
import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.accounts import LoginFailed, authenticate
from rabkor.core.store.db import Store
from rabkor.core.store.models import User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor.i18n import _, ngettext
from rabkor.editor.privileges import landing
from rabkor.editor.templating import render
from rabkor.editor.throttle import MAX_NAME, LoginThrottle
from rabkor.editor.urls import url_for

logger = logging.getLogger(__name__)


async def login_form(request: Request) -> Response:
    query = request.query_params
    notice = _("Your password is set: log in with it.") if query.get("done") == "password" else ""
    return render(request, "auth/login.html", error="", notice=notice,
                  username=query.get("username", "")[:MAX_NAME] if notice else "")


async def login_submit(request: Request) -> Response:
    form = await verify_csrf(request)
    username = form.get("username", "")
    store: Store = request.app.state.store
    throttle: LoginThrottle = request.app.state.login_throttle
    visitor = throttle.visitor(request.client.host if request.client else "")
    wait = throttle.retry_after(username, visitor)
    if wait is not None:
        logger.warning("login refused, too many failures username=%r visitor=%s "
                       "retry_after=%d", username[:MAX_NAME], visitor, wait)
        minutes = math.ceil(wait / 60)
        response = render(request, "auth/login.html", 429, username=username, notice="",
                          error=ngettext(
                              "Too many failed logins for this account or from this address. "
                              "Try again in {count} minute.",
                              "Too many failed logins for this account or from this address. "
                              "Try again in {count} minutes.", minutes))
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        user = await run_in_threadpool(_authenticate, store, username, form.get("password", ""))
    except LoginFailed as exc:
        throttle.failed(username, visitor)
        logger.warning("login failed username=%r visitor=%s", username[:MAX_NAME], visitor)
        return render(request, "auth/login.html", exc.status,
                      error=_("Wrong username or password."), username=username, notice="")
    throttle.succeeded(username, visitor)
    await run_in_threadpool(session_of(request).login, user)
    return RedirectResponse(url_for(request, landing(user.role)), status_code=303)


async def logout(request: Request) -> Response:
    await verify_csrf(request)
    await run_in_threadpool(session_of(request).logout)
    return RedirectResponse(url_for(request, "login_form"), status_code=303)


def _authenticate(store: Store, username: str, password: str) -> User:
    # A transaction, not a read: authenticate may upgrade an outdated password hash.
    with store.transaction() as session:
        return authenticate(session, username, password)
