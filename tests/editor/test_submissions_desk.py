"""Correspondents' links in the editor (editor/submissions.py, editor/handlers/submissions.py):
a correspondent lands on their submissions, sees each state with its history, withdraws
one still waiting (its item leaves the queue), gets an API token and a private Atom feed
shown once, and a bookmarklet; the queue and the item page say who sent an item with the
note and offer a site's feeds as sources; the desk's decisions move the submission, a
failed fetch is retried, a link turned down, a correspondent suspended."""

from __future__ import annotations

from urllib.parse import unquote

import lxml.etree
import pytest
from sqlalchemy import select

from rabkor.core import submissions as lifecycle
from rabkor.core import tokens
from rabkor.core.store.kinds import LinkKind, SubmissionStatus, TokenKind
from rabkor.core.store.models import Decision, Item, ItemStatus, Submission, User
from tests.editor.helpers import PASSWORD, add_item, csrf_of

S = SubmissionStatus
ATOM = "{http://www.w3.org/2005/Atom}"


def sent(store, user_id: int | None, url: str, *, status: S = S.RECEIVED, item_id=None,
         note: str = "from the picket line", **fields) -> int:
    """A submission in `status`, moved there through the lifecycle's own rows."""
    with store.transaction() as s:
        sub = lifecycle.received(Submission(url=url, note=note, submitter_id=user_id,
                                            **fields))
        s.add(sub)
        s.flush()
        if status is not S.RECEIVED:
            sub.item_id = item_id
            event = {S.FETCHED: lifecycle.Event.FETCHED, S.FAILED: lifecycle.Event.FETCH_FAILED,
                     S.DUPLICATE: lifecycle.Event.ALREADY_STORED}[status]
            lifecycle.move(sub, event, "HTTP 500 Internal Server Error"
                           if status is S.FAILED else "")
            sub.error = "HTTP 500 Internal Server Error" if status is S.FAILED else None
        if item_id is not None and status is S.FETCHED:
            s.get(Item, item_id).submission_id = sub.id
        return sub.id


def state(store, sub_id: int) -> Submission:
    with store.read() as s:
        sub = s.get(Submission, sub_id)
        s.expunge(sub)
        return sub


@pytest.fixture
def correspondent(client, login_as) -> User:
    return login_as(client, "correspondent")


def test_a_correspondent_lands_on_their_submissions(client, store, login_as):
    with store.transaction() as s:
        from rabkor.core.accounts import create_user
        create_user(s, "rosa", PASSWORD, "correspondent")
    token = csrf_of(client.get("/login").text)
    landed = client.post("/login", data={"username": "rosa", "password": PASSWORD,
                                         "csrf_token": token}, follow_redirects=False)
    assert landed.headers["location"].endswith("/submissions")
    assert "Your submissions" in client.get(landed.headers["location"]).text


def test_states_with_their_links_and_history(client, store, correspondent):
    published = add_item(store, "Dockers strike", status=ItemStatus.PENDING)
    waiting = sent(store, correspondent.id, "https://a.example/1")
    failed = sent(store, correspondent.id, "https://a.example/2", status=S.FAILED)
    queued = sent(store, correspondent.id, "https://a.example/3", status=S.FETCHED,
                  item_id=published)
    sent(store, None, "https://a.example/other")  # someone else's: not shown
    page = client.get("/submissions").text
    assert page.count('class="submission ') == 3 and "a.example/other" not in page
    assert "waiting to be fetched" in page
    assert "HTTP 500 Internal Server Error" in page
    assert "in the editors’ queue" in page
    for sub_id in (waiting, failed, queued):  # each still waiting may be withdrawn
        assert f"/submissions/{sub_id}/withdraw" in page


def test_withdrawing_takes_the_item_out_of_the_queue(client, store, correspondent, login_as):
    item_id = add_item(store, "Dockers strike")
    sub_id = sent(store, correspondent.id, "https://a.example/1", status=S.FETCHED,
                  item_id=item_id)
    page = client.get("/submissions")
    answer = client.post(f"/submissions/{sub_id}/withdraw",
                         data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert "Withdrawn" in client.get(answer.headers["location"]).text
    assert state(store, sub_id).status is S.WITHDRAWN
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.REJECTED
        [decision] = s.scalars(select(Decision).where(Decision.item_id == item_id)).all()
        assert (decision.editor_id, decision.reason) == (
            correspondent.id, "withdrawn by its correspondent")
    again = client.post(f"/submissions/{sub_id}/withdraw",
                        data={"csrf_token": csrf_of(page.text)})
    assert again.status_code == 409 and "can no longer be withdrawn" in again.text


def test_nobody_withdraws_another_persons_link(client, store, correspondent):
    other = sent(store, None, "https://a.example/x")
    page = client.get("/submissions")
    answer = client.post(f"/submissions/{other}/withdraw",
                         data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 404 and state(store, other).status is S.RECEIVED


def test_the_api_token_is_shown_once_and_can_be_renewed_and_revoked(client, store,
                                                                   correspondent):
    page = client.get("/submissions")
    shown = client.post("/submissions/token", data={"csrf_token": csrf_of(page.text),
                                                    "kind": "api"})
    secret = shown.text.split('<code class="link">')[1].split("</code>")[0]
    assert secret.startswith("rbk_") and "/api/v1/submissions" in shown.text
    with store.transaction() as s:
        assert tokens.holder(s, secret, TokenKind.API).id == correspondent.id
    assert secret not in client.get("/submissions").text  # never shown again
    client.post("/submissions/token", data={"csrf_token": csrf_of(page.text), "kind": "api"})
    with store.transaction() as s:
        assert tokens.holder(s, secret, TokenKind.API) is None  # renewed: the old one stops
    client.post("/submissions/token/revoke", data={"csrf_token": csrf_of(page.text),
                                                   "kind": "api"})
    with store.read() as s:
        assert tokens.live(s, correspondent.id, TokenKind.API) is None


def test_the_private_feed_of_states(client, store, correspondent):
    item_id = add_item(store, "Dockers strike")
    sub_id = sent(store, correspondent.id, "https://a.example/1", status=S.FETCHED,
                  item_id=item_id)
    sent(store, correspondent.id, "https://a.example/2", status=S.FAILED)
    page = client.get("/submissions")
    shown = client.post("/submissions/token", data={"csrf_token": csrf_of(page.text),
                                                    "kind": "feed"})
    address = shown.text.split('<code class="link">')[1].split("</code>")[0]
    path = "/" + address.split("/", 3)[3]
    client.cookies.clear()  # a feed reader has no session
    feed = client.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml")
    root = lxml.etree.fromstring(feed.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles[0] == "failed: https://a.example/2" and len(titles) == 4
    assert "fetched: https://a.example/1" in titles
    summaries = [e.findtext(f"{ATOM}summary") for e in root.iter(f"{ATOM}entry")]
    assert any("could not be fetched or read: HTTP 500" in (t or "") for t in summaries)
    with store.transaction() as s:  # the item approved: the entry links to the site
        from rabkor.editor import submissions
        item = s.get(Item, item_id)
        item.status = ItemStatus.APPROVED
        submissions.follow(item)
    feed = client.get(path)
    assert f"/en/items/{item_id}#state-" in feed.text
    assert state(store, sub_id).status is S.PUBLISHED
    assert client.get(path.replace(".atom", "x.atom")).status_code == 404


def test_the_bookmarklet_opens_the_site_form_with_the_page(client, store, correspondent):
    page = lxml.html_page = client.get("/submissions").text
    href = page.split('class="bookmarklet" href="')[1].split('"')[0]
    href = href.replace("&#39;", "'").replace("&amp;", "&")
    assert href.startswith("javascript:void(window.open('http://testserver/en/submit?url='")
    assert href.endswith("+encodeURIComponent(location.href)))")
    assert unquote(href).count("'") == 2  # nothing the page's address could break out of


def test_decisions_move_the_submission(client, store, login_as):
    editor = login_as(client, "editor")
    item_id = add_item(store, "Dockers strike")
    sub_id = sent(store, None, "https://a.example/1", status=S.FETCHED, item_id=item_id,
                  submitter_name="Ana")
    queue = client.get("/")
    assert "Submitted by Ana" in queue.text and "from the picket line" in queue.text
    token = csrf_of(queue.text)
    client.post(f"/items/{item_id}/reject", data={"csrf_token": token,
                                                  "reason_code": "not-news"})
    sub = state(store, sub_id)
    assert (sub.status, sub.reason) == (S.REJECTED, "not-news")
    client.post(f"/items/{item_id}/reopen", data={"csrf_token": token})
    assert state(store, sub_id).status is S.FETCHED
    client.post(f"/items/{item_id}/approve", data={"csrf_token": token})
    assert state(store, sub_id).status is S.PUBLISHED
    with store.read() as s:
        assert [e.status for e in s.get(Submission, sub_id).events] == [
            S.RECEIVED, S.FETCHED, S.REJECTED, S.FETCHED, S.PUBLISHED]
    assert editor.role.value == "editor"


def test_the_desk_retries_a_failed_fetch_and_turns_a_link_down(client, store, login_as):
    login_as(client, "editor")
    failed = sent(store, None, "https://a.example/broken", status=S.FAILED)
    spam = sent(store, None, "https://spam.example/")
    queue = client.get("/").text
    assert "HTTP 500 Internal Server Error" in queue and "Fetch again" in queue
    client.post(f"/submissions/{failed}/retry", data={"csrf_token": csrf_of(queue)})
    assert state(store, failed).status is S.RECEIVED  # the next cycle fetches it
    client.post(f"/submissions/{spam}/refuse", data={"csrf_token": csrf_of(queue),
                                                     "code": "spam"})
    assert (state(store, spam).status, state(store, spam).reason) == (S.REJECTED, "spam")


def test_a_feed_submission_is_offered_as_a_source(client, store, login_as):
    login_as(client, "admin")  # who may add sources: the form comes filled in
    with store.transaction() as s:
        sub = lifecycle.received(Submission(url="https://blog.example/",
                                            kind=LinkKind.SITE,
                                            feeds=["https://blog.example/feed.xml"]))
        s.add(sub)
        s.flush()
        lifecycle.move(sub, lifecycle.Event.FETCHED)
    queue = client.get("/").text
    offer = "/sources?add=https%3A//blog.example/feed.xml#add"
    assert offer in queue.replace("&amp;", "&") and "site with feeds" in queue
    assert 'value="https://blog.example/feed.xml"' in client.get(offer.split("#")[0]).text


def test_suspending_a_correspondent_empties_the_queue_of_their_links(client, store,
                                                                     login_as):
    with store.transaction() as s:
        from rabkor.core.accounts import create_user
        rosa = create_user(s, "rosa", PASSWORD, "correspondent")
        rosa_id = rosa.id
    editor = login_as(client, "editor")
    item_id = add_item(store, "Dockers strike")
    queued = sent(store, rosa_id, "https://a.example/1", status=S.FETCHED, item_id=item_id)
    waiting = sent(store, rosa_id, "https://a.example/2")
    kept = add_item(store, "Published", status=ItemStatus.APPROVED)
    done = sent(store, rosa_id, "https://a.example/3", status=S.DUPLICATE, item_id=kept)
    page = client.get(f"/items/{item_id}").text
    assert "Suspend this correspondent" in page
    answer = client.post(f"/correspondents/{rosa_id}/suspend",
                         data={"csrf_token": csrf_of(page), "item": str(item_id)},
                         follow_redirects=False)
    assert answer.headers["location"] == f"/items/{item_id}"
    with store.read() as s:
        assert s.get(User, rosa_id).suspended_at is not None
        assert s.get(Item, item_id).status is ItemStatus.REJECTED
        [decision] = s.scalars(select(Decision).where(Decision.item_id == item_id)).all()
        assert decision.editor_id == editor.id
    assert [state(store, i).status for i in (queued, waiting, done)] == [
        S.REJECTED, S.REJECTED, S.DUPLICATE]
    assert "Dockers strike" not in client.get("/").text.split('<section class="submissions"')[0]
    client.post(f"/correspondents/{rosa_id}/suspend",
                data={"csrf_token": csrf_of(page), "lift": "1"})
    with store.read() as s:
        assert s.get(User, rosa_id).suspended_at is None
    refused = client.post(f"/correspondents/{editor.id}/suspend",
                          data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409
