"""The privilege table held to the routes: every route of the editor declares who may
use it, and every role is let in exactly where the table says, refused with a readable
page everywhere else, and lands after logging in on a page it may see."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route

from rabkor.core.store.models import Role
from rabkor.editor.privileges import GRANTS, LANDING, Privilege, may
from tests.editor.helpers import PASSWORD, add_item, csrf_of

PARAMS = {"item_id": "{item}", "lang": "en", "revision_id": "1", "user_id": "{me}",
          "token": "x", "code": "spam", "saved_id": "1", "rule_id": "1", "source_id": "1",
          "topic_id": "1", "invitation_id": "1",
          "list_id": "1", "task_id": "1", "submission_id": "1"}


def routes(app) -> list[Route]:
    return [r for r in app.routes if isinstance(r, Route)]


def test_every_route_declares_its_privilege(client):
    undeclared = [r.path for r in routes(client.app) if not hasattr(r, "privilege")]
    assert undeclared == []
    assert all(isinstance(r, Route | Mount) for r in client.app.routes)
    mounts = [r.path for r in client.app.routes if isinstance(r, Mount)]
    assert mounts == ["/static"]  # the stylesheet, public by nature


def test_every_role_has_a_landing_page_it_may_see(client):
    by_name = {r.name: r for r in routes(client.app)}
    for role in Role:
        assert may(role, by_name[LANDING[role]].privilege), role
    assert set(GRANTS) == set(Role) and all(Privilege.ACCOUNT in g for g in GRANTS.values())


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_let_in_exactly_where_the_table_says(client, store, login_as, role):
    user = login_as(client, role)
    token = csrf_of(client.get("/account").text)
    item_id = add_item(store, "Dockers strike")
    for r in routes(client.app):
        if r.privilege is None:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], r.path)
        path = path.replace("{item}", str(item_id)).replace("{me}", str(user.id))
        for method in sorted(r.methods - {"HEAD"}):
            response = client.request(method, path, data={"csrf_token": token},
                                      follow_redirects=False)
            allowed = may(user.role, r.privilege)
            if allowed:  # the handler ran: a page, a redirect, a form's 400, a missing
                # 404, a conflict 409, or the rule that nobody reviews their own work
                assert response.status_code in (200, 303, 400, 404, 409) or (
                    response.status_code == 403 and "their own translation" in response.text
                ), (role, method, path, response.status_code)
            else:
                assert response.status_code == 403, (role, method, path)
                assert f"a {role}." in response.text  # says who they are and why
                landing = LANDING[Role(role)]
                assert f'href="{client.app.url_path_for(landing)}"' in response.text


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_page_after_logging_in(client, store, role):
    from rabkor.core.accounts import create_user

    with store.transaction() as s:
        create_user(s, "someone", PASSWORD, role)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "someone", "password": PASSWORD,
                                           "csrf_token": token}, follow_redirects=False)
    landing = client.app.url_path_for(LANDING[Role(role)])
    assert response.headers["location"] == landing
    page = client.get(landing)
    assert page.status_code == 200 and "someone" in page.text
