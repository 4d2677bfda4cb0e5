"""Who may see the editor: the queue needs an admin or an editor; translation pages admit
translators too (their review stays with editors, see rabkor.editor.postedit)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.store.models import Role
from rabkor.core.web.sessions import session_of
from rabkor.editor.urls import url_for
from rabkor.editor.workflow import may_decide

Handler = Callable[[Request], Awaitable[Response]]


def _role_required(allowed: Callable[[Role | None], bool], pages: str) -> Callable[[Handler],
                                                                                  Handler]:
    """A guard: anonymous visitors go to the login page, other roles get a readable 403."""

    def guard(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request) -> Response:
            session = session_of(request)
            if session.user_id is None:
                return RedirectResponse(url_for(request, "login_form"), status_code=303)
            if not allowed(session.role):
                raise HTTPException(403, f"You are logged in as {session.username}, a "
                                         f"{session.role}. {pages}")
            return await handler(request)

        return guarded

    return guard


TRANSLATING_ROLES = frozenset({Role.ADMIN, Role.EDITOR, Role.TRANSLATOR})


def may_translate(role: Role | None) -> bool:
    return role in TRANSLATING_ROLES


editor_required = _role_required(
    may_decide, "The editorial queue is open to editors and administrators only; ask an "
                "administrator if you need access.")
translator_required = _role_required(
    may_translate, "Translation pages are open to translators, editors and administrators; "
                   "ask an administrator if you want to translate.")
