"""Routes that say who may use them: `route(path, handler, privilege)` guards the handler
with the privilege (editor/privileges.py) and records it on the route, `public(...)` says
a route needs none; the route walk in tests/editor/test_privileges.py finds any route
that says neither."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rabkor.core.web.sessions import session_of
from rabkor.editor.i18n import _, choose, word
from rabkor.editor.privileges import REFUSAL, Privilege, may
from rabkor.editor.urls import url_for

Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, handler: Handler, privilege: Privilege, *, name: str,
          methods: list[str] | None = None) -> Route:
    """A route of `handler` for the roles that have `privilege`: anonymous visitors go to
    the login page, other roles get a 403 page that says why and where they may go; the
    page is in the person's language (editor/i18n.py)."""

    async def guarded(request: Request) -> Response:
        session = session_of(request)
        if session.user_id is None:
            return RedirectResponse(url_for(request, "login_form"), status_code=303)
        await choose(request)
        if not may(session.role, privilege):
            who = _("You are logged in as {username}, a {role}.").format(
                username=session.username, role=word(session.role))
            raise HTTPException(403, f"{who} {_(REFUSAL[privilege])}")
        return await handler(request)

    found = Route(path, guarded, name=name, methods=methods)
    found.privilege = privilege
    return found


def public(path: str, handler: Handler, *, name: str, methods: list[str] | None = None) -> Route:
    """A route anyone may use (logging in), in the language the browser asks for."""

    async def chosen(request: Request) -> Response:
        await choose(request)
        return await handler(request)

    found = Route(path, chosen, name=name, methods=methods)
    found.privilege = None
    return found
