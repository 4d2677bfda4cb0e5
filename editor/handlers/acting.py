"""What every page of the desk's lists does with a form: run the change in one
transaction, off the event loop, as the signed-in person; then back to the list, or the
list again with the change's error beside the form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import User
from rabkor.core.web.sessions import session_of
from rabkor.editor.urls import url_for
from rabkor.editor.users import user_of

T = TypeVar("T")


async def as_signed_in(request: Request, change: Callable[[Session, User], T]) -> T:
    """`change(session, user)` in one transaction, in the thread pool; what it returns."""
    store: Store = request.app.state.store
    user_id = session_of(request).user_id

    def write() -> T:
        with store.transaction() as s:
            return change(s, user_of(s, user_id))

    return await run_in_threadpool(write)


async def act(request: Request, change: Callable[[Session, User], object], done: str,
              failed: Callable[[str, int], Awaitable[Response]]) -> Response:
    """Apply `change`; then a redirect to the route `done`, or `failed(error, status)`."""
    try:
        await as_signed_in(request, change)
    except RabkorError as exc:
        return await failed(str(exc), exc.status)
    return RedirectResponse(url_for(request, done), status_code=303)
