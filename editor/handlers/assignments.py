"""The assignment lists: every signed-in person sees them, claims tasks, marks them
done or gives them back; editors make and close lists."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import AssignmentKind, TaskState
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import assignments
from rabkor.editor.handlers.acting import act, as_signed_in
from rabkor.editor.i18n import LANGUAGES
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for
from rabkor.editor.users import user_of


async def assignment_list(request: Request, error: str = "", status: int = 200,
                          typed: dict | None = None) -> Response:
    store: Store = request.app.state.store
    user_id = session_of(request).user_id

    def read():
        with store.read() as s:
            return assignments.lists(s), assignments.tasks_of(s, user_of(s, user_id))

    found, mine = await run_in_threadpool(read)
    return render(request, "assignments/list.html", status, lists=found, mine=mine,
                  kinds=list(AssignmentKind), kind_names=assignments.KIND_NAMES,
                  languages=LANGUAGES, error=error, typed=typed or {},
                  max_days=assignments.MAX_DAYS)


async def assignment_create(request: Request) -> Response:
    form = await verify_csrf(request)
    days = form.get("claim_days", "7")

    def change(s, editor):
        return assignments.create(
            s, editor, title=form.get("title", ""), kind=form.get("kind", ""),
            description=form.get("description", ""), lines=form.get("tasks", ""),
            claim_days=int(days) if days.isdigit() and len(days) < 4 else 0,
            language=form.get("language", "")).id

    try:
        list_id = await as_signed_in(request, change)
    except RabkorError as exc:
        return await assignment_list(request, str(exc), exc.status, dict(form))
    return RedirectResponse(url_for(request, "assignment_show", list_id=list_id),
                            status_code=303)


async def assignment_show(request: Request, error: str = "", status: int = 200) -> Response:
    store: Store = request.app.state.store
    list_id = request.path_params["list_id"]
    me = session_of(request).user_id

    def read():
        with store.read() as s:
            listed = assignments.list_of(s, list_id)
            now = assignments.utcnow()
            rows = [(t, assignments.state_now(t, now)) for t in listed.tasks]
            return listed, rows, assignments.per_person(listed, now)

    listed, rows, people = await run_in_threadpool(read)
    counts = {state: sum(1 for _t, st in rows if st == state) for state in TaskState}
    return render(request, "assignments/show.html", status, listed=listed, rows=rows,
                  people=people, counts=counts, me=me, error=error,
                  kind_names=assignments.KIND_NAMES)


def _task_action(action):
    async def handler(request: Request) -> Response:
        form = await verify_csrf(request)
        task_id = request.path_params["task_id"]
        list_id = int(form.get("list", "0") or 0) if form.get("list", "").isdigit() else 0
        try:
            await as_signed_in(request, lambda s, me: action(s, me, task_id, form))
        except RabkorError as exc:
            if list_id:
                request.scope["path_params"] = {"list_id": list_id}
                return await assignment_show(request, str(exc), exc.status)
            return await assignment_list(request, str(exc), exc.status)
        target = (url_for(request, "assignment_show", list_id=list_id) if list_id
                  else url_for(request, "assignment_list"))
        return RedirectResponse(target, status_code=303)

    return handler


task_claim = _task_action(lambda s, me, task_id, form: assignments.claim(s, me, task_id))
task_give_back = _task_action(
    lambda s, me, task_id, form: assignments.give_back(s, me, task_id))
task_done = _task_action(
    lambda s, me, task_id, form: assignments.done(s, me, task_id, form.get("result", "")))


async def assignment_close(request: Request) -> Response:
    await verify_csrf(request)
    list_id = request.path_params["list_id"]
    return await act(request, lambda s, me: assignments.close(s, me, list_id),
                     "assignment_list",
                     lambda error, status: assignment_list(request, error, status))
