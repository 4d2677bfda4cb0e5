"""People managed from the web: invitations and password resets by one-time link, roles,
disabling that ends open sessions at once, the last administrator protected, and every
change in the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from rabkor.core.store.models import AccountLink, AuditEvent, Role, User
from rabkor.editor.app import create_app
from tests.editor.helpers import PASSWORD, csrf_of


@pytest.fixture
def admin(client, login_as):
    return login_as(client, "admin")


def post(client, path, **data):
    token = csrf_of(client.get("/admin/users").text)
    return client.post(path, data={"csrf_token": token, **data})


def invite(client, username="maria", role="editor") -> str:
    page = post(client, "/admin/users", username=username, role=role)
    assert page.status_code == 200
    return re.search(r'<code class="link">([^<]+)</code>', page.text).group(1)


def set_password(client, link: str, password=PASSWORD, again=None):
    path = link.split("testserver", 1)[1]
    token = csrf_of(client.get(path).text)
    return client.post(path, data={"csrf_token": token, "password": password,
                                   "again": password if again is None else again})


def log_in(client, username, password=PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


def test_an_invitation_opens_the_account_once(client, store, admin, settings):
    link = invite(client)
    with TestClient(create_app(settings, store)) as maria:
        assert log_in(maria, "maria").status_code == 400  # no password yet
        short = set_password(maria, link, "short", "short")
        assert short.status_code == 400 and "at least 8 characters" in short.text
        differ = set_password(maria, link, PASSWORD, "another one")
        assert "The two passwords differ" in differ.text
        done = set_password(maria, link)
        assert "Your password is set" in done.text and 'value="maria"' in done.text
        assert log_in(maria, "maria").headers["location"] == "/"  # an editor: the queue
        again = maria.get(link.split("testserver", 1)[1])
        assert again.status_code == 410 and "not valid any more" in again.text
    with store.read() as s:
        assert s.scalar(select(AccountLink)).token_hash not in link  # only the hash kept
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["user invited", "password set"]


def test_disabling_ends_the_open_session_at_once(client, store, admin, settings, login_as):
    with TestClient(create_app(settings, store)) as other:
        person = login_as(other, "editor")
        assert other.get("/").status_code == 200
        post(client, f"/admin/users/{person.id}/disable")
        assert other.get("/", follow_redirects=False).headers["location"] == "/login"
        assert log_in(other, person.username).status_code == 400
        post(client, f"/admin/users/{person.id}/enable")
        assert log_in(other, person.username).status_code == 303


def test_a_role_change_takes_effect_on_the_next_request(client, store, admin, settings,
                                                       login_as):
    with TestClient(create_app(settings, store)) as other:
        person = login_as(other, "translator")
        assert other.get("/").status_code == 403
        post(client, f"/admin/users/{person.id}/role", role="editor")
        assert other.get("/").status_code == 200
    with store.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "user role"))
        assert event.before["role"] == "translator" and event.after["role"] == "editor"


def test_the_last_admin_cannot_be_demoted_or_disabled(client, store, admin, login_as,
                                                      settings):
    for path, data in ((f"/admin/users/{admin.id}/role", {"role": "editor"}),
                       (f"/admin/users/{admin.id}/disable", {})):
        page = post(client, path, **data)
        assert page.status_code == 409 and "last active administrator" in page.text
    with store.read() as s:
        me = s.get(User, admin.id)
        assert me.role is Role.ADMIN and me.active
    with TestClient(create_app(settings, store)) as second:
        login_as(second, "admin")
    token = csrf_of(client.get("/admin/users").text)
    demoted = client.post(f"/admin/users/{admin.id}/role", follow_redirects=False,
                          data={"csrf_token": token, "role": "editor"})
    assert demoted.status_code == 303
    assert client.get("/admin/users").status_code == 403  # an editor now


def test_a_reset_link_replaces_the_password_and_older_links(client, store, admin, settings,
                                                            login_as):
    with TestClient(create_app(settings, store)) as other:
        person = login_as(other, "editor")
        first = re.search(r'<code class="link">([^<]+)</code>',
                          post(client, f"/admin/users/{person.id}/reset").text).group(1)
        second = re.search(r'<code class="link">([^<]+)</code>',
                           post(client, f"/admin/users/{person.id}/reset").text).group(1)
        assert other.get(first.split("testserver", 1)[1]).status_code == 410
        set_password(other, second, "a brand new password")
        assert log_in(other, person.username).status_code == 400
        assert log_in(other, person.username, "a brand new password").status_code == 303


def test_bad_input_is_explained_and_changes_nothing(client, store, admin):
    taken = post(client, "/admin/users", username=admin.username, role="editor")
    assert taken.status_code == 409 and "exists already" in taken.text
    unknown = post(client, "/admin/users", username="jose", role="king")
    assert unknown.status_code == 400 and "Unknown role &#39;king&#39;" in unknown.text
    with store.read() as s:
        assert [u.username for u in s.scalars(select(User))] == [admin.username]
