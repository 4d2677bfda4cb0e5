"""Logging in and out, CSRF on every form, and who may see the queue."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Decision, Item, ItemStatus, WebSession
from rabkor.core.web.sessions import COOKIE
from tests.editor.helpers import PASSWORD, add_item, csrf_of


def login(client, username: str, password: str, token: str | None = None):
    token = csrf_of(client.get("/login").text) if token is None else token
    return client.post("/login", follow_redirects=False,
                       data={"username": username, "password": password, "csrf_token": token})


def test_a_good_login_starts_a_fresh_session_and_opens_the_queue(client, store):
    with store.transaction() as s:
        create_user(s, "edith", PASSWORD, "editor")
    client.get("/login")
    anonymous = client.cookies[COOKIE]
    response = login(client, "edith", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.cookies[COOKIE] != anonymous  # no session fixation
    queue = client.get("/")
    assert queue.status_code == 200 and "edith (editor)" in queue.text


def test_a_bad_login_does_not_say_which_half_was_wrong(client, store):
    with store.transaction() as s:
        create_user(s, "edith", PASSWORD, "editor")
    unknown_user = login(client, "nobody", PASSWORD)
    wrong_password = login(client, "edith", "not the password")
    for response in (unknown_user, wrong_password):
        assert response.status_code == 400
        assert "Wrong username or password." in response.text
    assert unknown_user.text.replace("nobody", "edith") == wrong_password.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_login_without_a_valid_csrf_token_is_refused(client, store):
    with store.transaction() as s:
        create_user(s, "edith", PASSWORD, "editor")
    for token in ("", "forged"):
        response = login(client, "edith", PASSWORD, token=token)
        assert response.status_code == 403
        assert "did not come from this site" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_really_ends_the_session(client, store, login_as):
    login_as(client, "editor")
    old_cookie = client.cookies[COOKIE]
    response = client.post("/logout", follow_redirects=False,
                           data={"csrf_token": csrf_of(client.get("/").text)})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
    client.cookies.set(COOKIE, old_cookie)  # an attacker replaying the stolen cookie
    replayed = client.get("/", follow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["location"] == "/login"


@pytest.mark.parametrize("token", [None, "forged"])
def test_logout_without_a_valid_csrf_token_is_refused(client, login_as, token):
    login_as(client, "editor")
    data = {} if token is None else {"csrf_token": token}
    assert client.post("/logout", data=data).status_code == 403
    assert client.get("/").status_code == 200  # still logged in


def test_anonymous_visitors_are_sent_to_the_login_page(client, store):
    item_id = add_item(store)
    for response in (client.get("/", follow_redirects=False),
                     client.get("/decisions", follow_redirects=False),
                     client.post(f"/items/{item_id}/approve", follow_redirects=False)):
        assert response.status_code == 303 and response.headers["location"] == "/login"
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING


@pytest.mark.parametrize("role", ["translator", "correspondent"])
def test_other_roles_may_not_see_the_queue_or_decide(client, store, login_as, role):
    item_id = add_item(store)
    login_as(client, role)
    page = client.get("/")
    assert page.status_code == 403
    assert "open to editors and administrators only" in page.text
    token = csrf_of(page.text)  # the logout form on the error page carries one
    response = client.post(f"/items/{item_id}/approve", data={"csrf_token": token})
    assert response.status_code == 403
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING
        assert s.scalar(select(func.count()).select_from(Decision)) == 0


def test_admins_may_use_the_queue(client, login_as):
    login_as(client, "admin")
    assert client.get("/").status_code == 200
