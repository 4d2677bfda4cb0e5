"""Assignment lists through the real editor app and under real concurrency: an editor
divides work into tasks, a correspondent claims one, marks it done with its result or
gives it back; a claim expires; a translation task holds the post-editing claim too;
progress per list and per person; and two people claiming one task at the same moment
on SQLite and on PostgreSQL: exactly one wins, the other is told who holds it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.errors import InvalidInput
from rabkor.core.store.models import (
    AssignmentList,
    Source,
    Task,
    TaskState,
    TranslationClaim,
    User,
    utcnow,
)
from rabkor.editor import assignments
from rabkor.editor.app import create_app
from tests.editor.helpers import PASSWORD, add_item, csrf_of, race


def _make(client, **fields) -> int:
    page = client.get("/assignments")
    made = client.post("/assignments", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "claim_days": "3", **fields})
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])


def test_an_editor_divides_the_work_and_correspondents_take_it(settings, store, client,
                                                               login_as):
    login_as(client, "editor")
    with store.transaction() as s:
        sources = [Source(feed_url=f"https://s{n}.example/feed", title=f"Union {n}")
                   for n in range(3)]
        s.add_all(sources)
        s.flush()
        ids = [x.id for x in sources]
    list_id = _make(client, title="Watch the dockers' unions", kind="watch",
                    description="Bring in every strike call.",
                    tasks=f"{ids[0]}\nhttps://news.example/en/sources/{ids[1]}\n"
                          f"/editor/sources/{ids[2]}\n")
    with TestClient(create_app(settings, store)) as ana_client:
        ana = login_as(ana_client, "correspondent")
        page = ana_client.get(f"/assignments/{list_id}")
        assert page.status_code == 200 and "Union 0" in page.text and "Union 2" in page.text
        assert "Make a list" not in ana_client.get("/assignments").text  # editors only
        with store.read() as s:
            first = s.scalar(select(Task.id).where(Task.assignment_id == list_id)
                             .order_by(Task.id))
        token = csrf_of(page.text)
        ana_client.post(f"/tasks/{first}/claim", data={"csrf_token": token,
                                                       "list": str(list_id)})
        shown = ana_client.get(f"/assignments/{list_id}").text
        assert re.search(r"claimed by correspondent\d+ until", shown)
        assert "Union 0" in ana_client.get("/assignments").text  # under "your tasks"
        ana_client.post(f"/tasks/{first}/done", data={
            "csrf_token": token, "list": str(list_id),
            "result": "Three strike calls submitted."})
    with TestClient(create_app(settings, store)) as bruno_client:
        login_as(bruno_client, "correspondent")
        page = bruno_client.get(f"/assignments/{list_id}")
        refused = bruno_client.post(f"/tasks/{first}/done", data={
            "csrf_token": csrf_of(page.text), "list": str(list_id), "result": "mine"})
        assert refused.status_code == 400  # not theirs
    with store.read() as s:
        task = s.get(Task, first)
        assert (task.state, task.holder_id, task.result) == (
            TaskState.DONE, ana.id, "Three strike calls submitted.")
        [(_listed, progress)] = assignments.lists(s)
        assert (progress.open, progress.claimed, progress.done) == (2, 0, 1)
        assert assignments.per_person(assignments.list_of(s, list_id)) == [
            (ana.display_name, 0, 1)]


def test_a_list_refuses_what_it_cannot_divide(store, login_as, client):
    editor = login_as(client, "editor")
    with store.transaction() as s:
        me = s.get(User, editor.id)
        for fields, words in (
                ({"kind": "watch", "lines": "999999"}, "names no source"),
                ({"kind": "check", "lines": "javascript:alert(1)"}, "not a web address"),
                ({"kind": "translate", "lines": "1"}, "the language to translate into"),
                ({"kind": "cover", "lines": ""}, "1 to 500 tasks"),
                ({"kind": "poetry", "lines": "x"}, "what the list divides")):
            with pytest.raises(InvalidInput, match=words):
                assignments.create(s, me, title="A list", description="",
                                   claim_days=3, **fields)
        with pytest.raises(InvalidInput, match="1 to 60 days"):
            assignments.create(s, me, title="A list", kind="cover", description="",
                               lines="Santos", claim_days=0)


def test_an_expired_claim_lets_someone_else_take_the_task(store):
    with store.transaction() as s:
        editor = create_user(s, "edith", PASSWORD, "editor")
        ana = create_user(s, "ana", PASSWORD, "correspondent")
        bruno = create_user(s, "bruno", PASSWORD, "correspondent")
        listed = assignments.create(s, editor, title="Cover Santos", kind="cover",
                                    description="", lines="Santos\nRio", claim_days=2)
        task_id = listed.tasks[0].id
        assignments.claim(s, ana, task_id)
    with (store.transaction() as s,
          pytest.raises(assignments.TaskTaken, match="ana holds this task until")):
        assignments.claim(s, s.get(User, bruno.id), task_id)
    later = utcnow() + timedelta(days=3)
    with store.transaction() as s:
        assert assignments.state_now(s.get(Task, task_id), later) == TaskState.OPEN
        assignments.claim(s, s.get(User, bruno.id), task_id, now=later)
        assert s.get(Task, task_id).holder_id == bruno.id
        assignments.give_back(s, s.get(User, bruno.id), task_id)
        assert s.get(Task, task_id).state == TaskState.OPEN


def test_a_translation_task_holds_the_post_editing_claim(store):
    item_id = add_item(store, "Huelga en el puerto", language="es")
    with store.transaction() as s:
        editor = create_user(s, "edith", PASSWORD, "editor")
        translator = create_user(s, "tomas", PASSWORD, "translator")
        listed = assignments.create(s, editor, title="Into English", kind="translate",
                                    description="", lines=f"/editor/items/{item_id}",
                                    claim_days=2, language="en")
        task_id = listed.tasks[0].id
        assignments.claim(s, translator, task_id)
    with store.read() as s:
        claim = s.scalar(select(TranslationClaim))
        assert (claim.item_id, claim.language, claim.user_id) == (item_id, "en",
                                                                  translator.id)
    with store.transaction() as s:
        assignments.give_back(s, s.get(User, translator.id), task_id)
    with store.read() as s:
        assert s.scalar(select(TranslationClaim)) is None


def test_two_people_claiming_one_task_at_once_leave_exactly_one_holder(any_store):
    with any_store.transaction() as s:
        editor = create_user(s, "edith", PASSWORD, "editor")
        listed = assignments.create(s, editor, title="Check links", kind="check",
                                    description="", lines="https://port.example/a",
                                    claim_days=2)
        task_id = listed.tasks[0].id
        racers = [create_user(s, f"racer{n}", PASSWORD, "correspondent").id for n in (1, 2)]
    outcomes = race(any_store, lambda s, uid: assignments.claim(s, s.get(User, uid), task_id),
                    racers, assignments.TaskTaken)
    with any_store.read() as s:
        holder = s.get(Task, task_id).holder_id
        assert s.scalar(select(AssignmentList.id)) is not None
    loser = next(uid for uid in racers if uid != holder)
    assert outcomes[holder] == "won"
    assert f"racer{racers.index(holder) + 1} holds this task" in outcomes[loser]
