"""The administrators' page of rejection reasons."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import RabkorError
from rabkor.core.store.db import Store
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import reasons
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for
from rabkor.editor.users import user_of


async def reason_list(request: Request) -> Response:
    return await _page(request)


async def reason_add(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _act(request, lambda s, admin: reasons.add(
        s, admin, form.get("code", ""), form.get("label", "")), form)


async def reason_change(request: Request) -> Response:
    form = await verify_csrf(request)
    active = {"retire": False, "restore": True}.get(form.get("do", ""))
    label = form.get("label") if form.get("do") == "relabel" else None
    return await _act(request, lambda s, admin: reasons.change(
        s, admin, request.path_params["code"], label=label, active=active))


async def _act(request: Request, change, typed: dict | None = None) -> Response:
    store: Store = request.app.state.store
    admin_id = session_of(request).user_id

    def write() -> None:
        with store.transaction() as s:
            change(s, user_of(s, admin_id))

    try:
        await run_in_threadpool(write)
    except RabkorError as exc:
        return await _page(request, str(exc), exc.status, typed or {})
    return RedirectResponse(url_for(request, "reason_list"), status_code=303)


async def _page(request: Request, error: str = "", status: int = 200,
                typed: dict | None = None) -> Response:
    store: Store = request.app.state.store

    def read():
        with store.read() as s:
            return reasons.every(s)

    return render(request, "reasons/list.html", status, codes=await run_in_threadpool(read),
                  error=error, typed=typed or {})
