"""The administrators' page of the desk's rules: add (checked, and warned before a rule
that would reject most of the queue), switch on and off, re-run on the queue."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Rule
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import rules
from rabkor.editor.handlers.acting import as_signed_in
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for
from rabkor.editor.users import user_of
from rabkor.editor.workflow import reason_codes


async def rule_list(request: Request) -> Response:
    return await _page(request)


async def rule_add(request: Request) -> Response:
    form = await verify_csrf(request)
    store: Store = request.app.state.store
    admin_id = session_of(request).user_id
    fields = {k: form.get(k, "") for k in ("kind", "pattern", "action", "label", "language",
                                           "reason_code")}

    def write() -> tuple[int, int] | None:
        with store.transaction() as s:
            rule = rules.add_rule(s, user_of(s, admin_id), **fields)
            if rule.action == rules.REJECT and not form.get("confirm"):
                touched, total = rules.would_touch(s, rule)
                if total and touched > total * rules.MANY:
                    s.rollback()
                    return touched, total
        return None

    try:
        warned = await run_in_threadpool(write)
    except RabkorError as exc:
        return await _page(request, str(exc), exc.status, fields)
    if warned:
        touched, total = warned
        return await _page(request, "", 409, fields, warning=(touched, total))
    return RedirectResponse(url_for(request, "rule_list"), status_code=303)


async def rule_switch(request: Request) -> Response:
    form = await verify_csrf(request)
    await as_signed_in(request, lambda s, admin: rules.set_active(
        s, admin, request.path_params["rule_id"], form.get("active") == "1"))
    return RedirectResponse(url_for(request, "rule_list"), status_code=303)


async def rules_rerun(request: Request) -> Response:
    await verify_csrf(request)
    store: Store = request.app.state.store
    admin_id = session_of(request).user_id

    def work() -> rules.RulesReport:
        with store.read() as s:
            admin = user_of(s, admin_id)
        rules.rerun(store, admin)
        return rules.apply_rules(store)

    report = await run_in_threadpool(work)
    return await _page(request, report=report)


async def _page(request: Request, error: str = "", status: int = 200,
                typed: dict | None = None, warning: tuple[int, int] | None = None,
                report: rules.RulesReport | None = None) -> Response:
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store

    def read() -> dict:
        with store.read() as s:
            return {"rules": list(s.scalars(select(Rule).order_by(Rule.id))),
                    "codes": reason_codes(s)}

    return render(request, "rules/list.html", status, **await run_in_threadpool(read),
                  kinds=rules.ACTIONS, languages=settings.languages, error=error,
                  typed=typed or {}, warning=warning, report=report)
