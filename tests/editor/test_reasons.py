"""The vocabulary of rejection reasons kept from the web: added, relabelled, retired (no
longer offered, still named by old decisions), restored; bad codes explained."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rabkor.core.store.models import AuditEvent, ReasonCode
from tests.editor.helpers import add_item, csrf_of


@pytest.fixture
def admin(client, login_as):
    return login_as(client, "admin")


def post(client, path, **data):
    token = csrf_of(client.get("/admin/reasons").text)
    return client.post(path, data={"csrf_token": token, **data})


def test_a_reason_is_added_offered_retired_and_restored(client, store, admin):
    item_id = add_item(store, "Feria del libro")
    post(client, "/admin/reasons", code="not-local", label="not about the region")
    assert '<option value="not-local">not about the region</option>' in client.get("/").text
    post(client, "/admin/reasons/not-local", do="relabel", label="outside our region")
    token = csrf_of(client.get("/").text)
    client.post(f"/items/{item_id}/reject", data={"csrf_token": token,
                                                  "reason_code": "not-local"})
    post(client, "/admin/reasons/not-local", do="retire")
    assert 'value="not-local"' not in client.get("/").text  # no longer offered
    assert "not-local" in client.get("/decisions").text  # still named by the decision
    post(client, "/admin/reasons/not-local", do="restore")
    with store.read() as s:
        found = s.get(ReasonCode, "not-local")
        assert (found.label, found.active) == ("outside our region", True)
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["reason added", "reason changed", "reason changed", "reason changed"]


@pytest.mark.parametrize(("code", "label", "message"), [
    ("Not Local!", "x", "is 1 to 40 letters, digits and hyphens"),
    ("spam", "spam again", "exists already"),
    ("fine", "", "needs a label"),
])
def test_bad_codes_are_explained(client, store, admin, code, label, message):
    page = post(client, "/admin/reasons", code=code, label=label)
    assert page.status_code in (400, 409) and message in page.text
    with store.read() as s:
        assert s.get(ReasonCode, "fine") is None and s.get(ReasonCode, "not local!") is None


def test_the_last_reason_in_use_cannot_be_retired(client, store, admin):
    with store.read() as s:
        codes = [c.code for c in s.scalars(select(ReasonCode))]
    for code in codes[:-1]:
        post(client, f"/admin/reasons/{code}", do="retire")
    last = post(client, f"/admin/reasons/{codes[-1]}", do="retire")
    assert last.status_code == 400 and "cannot be retired" in last.text
