"""An item's page on the desk: the review lock that keeps two editors off one item, its
takeover and expiry, internal notes in the item's history, and a story decided once with
its copies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from rabkor.core.store.models import AuditEvent, Item, ItemStatus, ReviewLock, utcnow
from rabkor.editor.app import create_app
from tests.editor.helpers import add_item, csrf_of
from tests.editor.test_queue import article


@pytest.fixture
def two(settings, store, login_as):
    """Two editors' browsers: maria's and jose's."""
    with TestClient(create_app(settings, store)) as maria, \
            TestClient(create_app(settings, store)) as jose:
        login_as(maria, "editor")
        login_as(jose, "editor")
        yield maria, jose


def approve(client, item_id):
    token = csrf_of(client.get("/account").text)
    return client.post(f"/items/{item_id}/approve", data={"csrf_token": token})


def test_the_second_editor_sees_the_lock_and_cannot_decide(two, store):
    maria, jose = two
    item_id = add_item(store, "Huelga general")
    mine = maria.get(f"/items/{item_id}")
    assert mine.status_code == 200 and "You are reviewing this item" in mine.text
    name = maria.get("/account").text.split("<h1>")[1].split("</h1>")[0]
    theirs = jose.get(f"/items/{item_id}")
    assert f"Being reviewed by <strong>{name}</strong> since 0 min" in theirs.text
    assert f'action="/items/{item_id}/approve"' not in theirs.text
    assert f"being reviewed by {name} since 0 min" in article(jose.get("/").text, item_id)
    refused = approve(jose, item_id)
    assert refused.status_code == 409
    assert f"Item {item_id} is being reviewed by {name} since less than a minute" in refused.text
    assert approve(maria, item_id).status_code == 200  # the holder decides; the lock goes
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED
        assert s.get(ReviewLock, item_id) is None


def test_a_takeover_is_recorded_and_turns_the_lock_round(two, store):
    maria, jose = two
    item_id = add_item(store, "Huelga general")
    maria.get(f"/items/{item_id}")
    token = csrf_of(jose.get(f"/items/{item_id}").text)
    taken = jose.post(f"/items/{item_id}/take-over", data={"csrf_token": token})
    assert "You are reviewing this item" in taken.text
    assert "took over the review from" in taken.text  # in the item's history
    assert approve(maria, item_id).status_code == 409
    with store.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.item_id == item_id))
        assert event.action == "lock taken over" and event.before["stale"] is False


def test_an_expired_lock_no_longer_holds(two, store):
    maria, jose = two
    item_id = add_item(store, "Huelga general")
    maria.get(f"/items/{item_id}")
    with store.transaction() as s:
        s.execute(update(ReviewLock).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert "being reviewed" not in article(jose.get("/").text, item_id)
    assert approve(jose, item_id).status_code == 200
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED


def test_opening_again_renews_and_letting_go_frees(two, store):
    maria, jose = two
    item_id = add_item(store, "Huelga general")
    maria.get(f"/items/{item_id}")
    with store.read() as s:
        first = s.get(ReviewLock, item_id).expires_at
    page = maria.get(f"/items/{item_id}")
    with store.read() as s:
        assert s.get(ReviewLock, item_id).expires_at >= first
    maria.post(f"/items/{item_id}/release", data={"csrf_token": csrf_of(page.text)})
    assert "You are reviewing this item" in jose.get(f"/items/{item_id}").text


def test_notes_are_kept_in_the_items_history(client, store, login_as):
    login_as(client, "editor")
    item_id = add_item(store, "Huelga general")
    page = client.get(f"/items/{item_id}")
    token = csrf_of(page.text)
    client.post(f"/items/{item_id}/notes", data={"csrf_token": token,
                                                 "text": "Check the date: <b>2024</b>?"})
    client.post(f"/items/{item_id}/reject", data={"csrf_token": token, "reason": "old news",
                                                  "reason_code": "not-news"})
    history = client.get(f"/items/{item_id}").text.split("<ol class=\"timeline\">")[1]
    assert history.index("reject: pending → rejected (not-news: old news)") < history.index(
        "note: ")  # newest first
    assert "Check the date: &lt;b&gt;2024&lt;/b&gt;?" in history
    empty = client.post(f"/items/{item_id}/notes", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 400 and "A note needs some text" in empty.text


def test_deciding_a_story_decides_its_copies(client, store, login_as):
    login_as(client, "editor")
    root = add_item(store, "Huelga general en Chile")
    copies = [add_item(store, f"Huelga general en Chile ({n})", duplicate_of_id=root)
              for n in range(2)]
    page = client.get(f"/items/{root}")
    assert "The same story from other sources <span class=\"count\">2</span>" in page.text
    assert "Approve with its 2 copies" in page.text
    assert approve(client, root).status_code == 200
    with store.read() as s:
        assert [s.get(Item, i).status for i in [root, *copies]] == [ItemStatus.APPROVED] * 3
    token = csrf_of(client.get("/account").text)
    client.post(f"/items/{root}/reopen", data={"csrf_token": token})
    with store.read() as s:
        assert [s.get(Item, i).status for i in [root, *copies]] == [ItemStatus.PENDING] * 3


def test_bulk_skips_and_names_items_someone_else_is_reviewing(two, store):
    maria, jose = two
    free, held = add_item(store, "Libre"), add_item(store, "Ocupado")
    maria.get(f"/items/{held}")
    token = csrf_of(jose.get("/").text)
    done = jose.post("/items/bulk", data={"csrf_token": token, "action": "approve",
                                          "ids": [str(free), str(held)]})
    assert "Approved 1 item." in done.text and "“Ocupado”: being reviewed by" in done.text
    with store.read() as s:
        assert s.get(Item, held).status is ItemStatus.PENDING


def test_the_log_lists_decisions_notes_and_events_with_filters(two, store):
    maria, jose = two
    item_id = add_item(store, "Huelga general")
    maria.get(f"/items/{item_id}")
    token = csrf_of(jose.get(f"/items/{item_id}").text)
    jose.post(f"/items/{item_id}/take-over", data={"csrf_token": token})
    jose.post(f"/items/{item_id}/notes", data={"csrf_token": token, "text": "Dated 2019?"})
    jose.post(f"/items/{item_id}/reject", data={"csrf_token": token, "reason": "old news",
                                                "reason_code": "not-news"})
    name = jose.get("/account").text.split("<h1>")[1].split("</h1>")[0]
    log = maria.get("/log").text
    rows = re.findall(r"<tr>\s*<td><time>[^<]*</time></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>",
                      log)
    assert rows == [(name, "decision"), (name, "note"), (name, "lock taken over")]
    assert "reject: pending → rejected (not-news: old news)" in log and "Dated 2019?" in log
    assert f"/items/{item_id}" in log
    only = maria.get("/log", params={"what": "note"}).text
    assert "Dated 2019?" in only and "old news" not in only
    assert "Nothing in the log" in maria.get("/log", params={"who": "nobody"}).text
    assert maria.get("/log", params={"before": "yesterday"}).status_code == 400


def test_an_editor_corrects_the_title_and_summary(client, store, login_as, settings):
    """Recorded with the text before and after, in the item's history; the search index
    has the new title at once; an empty title is refused and changes nothing."""
    from rabkor.core.store.models import AuditEvent
    from rabkor.search.service import search

    login_as(client, "editor")
    item_id = add_item(store, "Huelga genral", summary="<p>Los estibadores paran.</p>",
                       status=ItemStatus.APPROVED)
    token = csrf_of(client.get(f"/items/{item_id}").text)
    done = client.post(f"/items/{item_id}/edit", data={
        "csrf_token": token, "title": "  Huelga general ",
        "summary": "Los estibadores paran.\nY <b>los</b> camioneros también."})
    assert done.status_code == 200 and "Huelga general" in done.text
    assert "title: “Huelga genral” → “Huelga general”" in done.text
    with store.read() as s:
        item = s.get(Item, item_id)
        assert item.title == "Huelga general"
        assert item.summary == ("<p>Los estibadores paran.</p>"
                                "<p>Y &lt;b&gt;los&lt;/b&gt; camioneros también.</p>")
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "item edited"))
        assert event.before["title"] == "Huelga genral"
    assert [h.item_id for h in search(settings, "camioneros", lang="es").hits] == [item_id]
    empty = client.post(f"/items/{item_id}/edit", data={"csrf_token": token, "title": " ",
                                                        "summary": "x"})
    assert empty.status_code == 400 and "A title needs 1 to 1,000 characters" in empty.text
    with store.read() as s:
        assert s.get(Item, item_id).title == "Huelga general"
