"""Every signed-in person's own page: who they are here, what their role lets them do,
and the links they have submitted with what became of each."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store.db import Store
from rabkor.core.store.models import Submission
from rabkor.core.web.sessions import session_of
from rabkor.editor.privileges import ABLE, GRANTS, Privilege
from rabkor.editor.templating import render

SUBMISSIONS_SHOWN = 100


async def account_page(request: Request) -> Response:
    store: Store = request.app.state.store
    session = session_of(request)

    def read() -> list[Submission]:
        with store.read() as s:
            return list(s.scalars(
                select(Submission).where(Submission.submitter_id == session.user_id)
                .order_by(Submission.created_at.desc(), Submission.id.desc())
                .limit(SUBMISSIONS_SHOWN)))

    able = [ABLE[p] for p in Privilege if p in GRANTS[session.role] and p != Privilege.ACCOUNT]
    return render(request, "account/show.html", submissions=await run_in_threadpool(read),
                  able=able)
