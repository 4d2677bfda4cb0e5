"""Every signed-in person's own page: who they are here, what their role lets them do,
the language they read the desk in, and the links they have submitted with what became
of each."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.store.db import Store
from rabkor.core.store.models import Submission, User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor.i18n import LANGUAGES, _
from rabkor.editor.privileges import ABLE, GRANTS, Privilege
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for, with_query

SUBMISSIONS_SHOWN = 100


async def account_page(request: Request) -> Response:
    store: Store = request.app.state.store
    session = session_of(request)

    def read() -> tuple[list[Submission], str | None]:
        with store.read() as s:
            return list(s.scalars(
                select(Submission).where(Submission.submitter_id == session.user_id)
                .order_by(Submission.created_at.desc(), Submission.id.desc())
                .limit(SUBMISSIONS_SHOWN))), s.get(User, session.user_id).ui_language

    submissions, chosen = await run_in_threadpool(read)
    able = [_(ABLE[p]) for p in Privilege
            if p in GRANTS[session.role] and p != Privilege.ACCOUNT]
    return render(request, "account/show.html", submissions=submissions, able=able,
                  languages=LANGUAGES, chosen=chosen or "",
                  saved=request.query_params.get("saved") == "1")


async def account_language(request: Request) -> Response:
    """Keep the language the person reads the desk in ("": the browser's)."""
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    user_id = session_of(request).user_id
    wanted = form.get("language", "")

    def write() -> None:
        with store.transaction() as s:
            s.get(User, user_id).ui_language = wanted if wanted in LANGUAGES else None

    await run_in_threadpool(write)
    return RedirectResponse(with_query(url_for(request, "account"), saved="1"),
                            status_code=303)
