"""The public moderation log: off unless the setting turns it on; then the submitted links
the desk rejected, with the decision's reason code and the link's host, never the name of
who sent them; an item reopened or approved since is not listed, nor a crawled one."""

from __future__ import annotations

from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus, Submission
from rabkor.editor.workflow import decide
from rabkor.site.app import create_app


def _submitted(store, add_item, title, url, *, name="Maria Obrera"):
    with store.transaction() as s:
        submission = Submission(url=url, submitter_name=name, note="from the union's list")
        s.add(submission)
        s.flush()
        submission_id = submission.id
    return add_item(title, url=url, status=ItemStatus.PENDING, submission_id=submission_id)


def _decide(store, item_id, action, code=""):
    with store.transaction() as s:
        editor = create_user(s, f"ed{item_id}{action}", "a long password", "editor")
        decide(s, s.get(Item, item_id), editor, action, code=code)


def test_the_log_is_off_by_default(client):
    assert client.get("/en/moderation").status_code == 404
    assert "Moderation log" not in client.get("/en/").text


def test_rejected_submissions_with_their_reason_and_without_names(settings, store, add_item):
    spam = _submitted(store, add_item, "Cheap watches, best price",
                      "https://shop.example.net/watches?ref=abc")
    off = _submitted(store, add_item, "Celebrity wedding photos",
                     "https://gossip.example.com/wedding")
    reopened = _submitted(store, add_item, "A strike, later reopened",
                          "https://news.example.org/strike")
    published = _submitted(store, add_item, "Port workers win", "https://union.example/win")
    crawled = add_item("Rejected from a feed", status=ItemStatus.PENDING)
    _decide(store, spam, "reject", "spam")
    _decide(store, off, "reject", "off-line")
    _decide(store, reopened, "reject", "not-news")
    _decide(store, reopened, "reopen")
    _decide(store, published, "approve")
    _decide(store, crawled, "reject", "broken")
    with TestClient(create_app(settings.with_(public_moderation_log=True), store)) as client:
        assert "Moderation log" in client.get("/en/").text  # the footer links it
        page = client.get("/es/moderation")
    assert page.status_code == 200
    text = page.text
    assert text.index("Celebrity wedding photos") < text.index("Cheap watches")  # newest first
    assert "spam or advertising" in text and "off the editorial line" in text
    assert '(<bdi class="host">shop.example.net</bdi>)' in text and "watches?ref" not in text
    for absent in ("Maria Obrera", "A strike, later reopened", "Port workers win",
                   "Rejected from a feed", "from the union"):
        assert absent not in text
