"""What the form and the submissions API share (site/intake.py), on a real store: the
token API (Bearer, revoked and renewed tokens, the fields' checks, JSON errors), the
limits per account and per visitor (429 with Retry-After), the new-account rule, the
same link within 30 days (the first one named), suspended accounts, anonymous
submissions switched off, and the form's honeypot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from rabkor.core import tokens
from rabkor.core.accounts import create_user
from rabkor.core.store.kinds import ItemStatus, SubmissionStatus, TokenKind, utcnow
from rabkor.core.store.models import ApiToken, Item, Source, Submission, User
from rabkor.site.app import create_app

API = "/api/v1/submissions"


@pytest.fixture
def correspondent(store):
    """A correspondent of a month ago and their API token."""
    with store.transaction() as s:
        user = create_user(s, "rosa", "a long password", "correspondent")
        user.display_name = "Rosa L."
        user.created_at = utcnow() - timedelta(days=30)
        s.flush()
        return user.id, tokens.issue(s, user.id, TokenKind.API)


def post(client, token, **body):
    return client.post(API, json=body, headers={"Authorization": f"Bearer {token}"})


def stored(store) -> list[Submission]:
    with store.read() as s:
        return list(s.scalars(select(Submission).order_by(Submission.id)))


def test_a_correspondent_submits_with_their_token(client, store, correspondent):
    user_id, token = correspondent
    answer = post(client, token, url="https://news.example/strike", note="Big one",
                  language="es", topic="labour", name="someone else")
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "received"
    [sub] = stored(store)
    assert (sub.submitter_id, sub.submitter_name, sub.note, sub.language, sub.topic) == (
        user_id, "Rosa L.", "Big one", "es", "labour")
    assert sub.url_key == "https://news.example/strike"
    with store.read() as s:
        assert [e.status for e in s.get(Submission, sub.id).events] == [
            SubmissionStatus.RECEIVED]


@pytest.mark.parametrize(("headers", "body", "status", "message"), [
    ({}, {"url": "https://a.example/"}, 401, "Authorization: Bearer"),
    ({"Authorization": "Bearer nope"}, {"url": "https://a.example/"}, 401, "not valid"),
    ({"Authorization": "Basic cm9zYTp4"}, {"url": "https://a.example/"}, 401, "Bearer"),
])
def test_no_token_or_a_wrong_one_is_refused(client, store, correspondent, headers, body,
                                            status, message):
    answer = client.post(API, json=body, headers=headers)
    assert answer.status_code == status and message in answer.json()["error"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored(store) == []


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"url": "javascript:alert(1)"}, "url", "Only web addresses"),
    ({"url": "ftp://files.example/x"}, "url", "Only web addresses"),
    ({"url": "https://"}, "url", "no site name"),
    ({"url": "http://[::1"}, "url", "does not look like a web address"),
    ({"note": "no link"}, "url", "Paste the address"),
    ({"url": "https://ok.example/", "note": "n" * 1_000_000}, "note", "under 2000"),
    ({"url": "https://ok.example/", "note": "a\x00b"}, "note", "NUL character"),
    ({"url": "https://ok.example/", "language": "xx"}, "language", "Choose a language"),
])
def test_the_fields_are_checked_as_the_form_checks_them(client, store, correspondent, body,
                                                        field, message):
    answer = post(client, correspondent[1], **body)
    if len(str(body.get("note", ""))) > 60_000:
        assert answer.status_code == 413  # refused before it is read, never echoed
        assert len(answer.text) < 300
    else:
        assert answer.status_code == 400
        assert message in answer.json()["fields"][field]
        assert "ValueError" not in answer.text and "Traceback" not in answer.text
    assert stored(store) == []


def test_a_body_that_is_not_a_json_object(client, correspondent):
    for body in (b"not json", b"[1, 2]", b"\xff\xfe"):
        answer = client.post(API, content=body,
                             headers={"Authorization": f"Bearer {correspondent[1]}"})
        assert answer.status_code == 400 and "JSON object" in answer.json()["error"]


def test_members_that_are_not_text_and_an_unknown_lang_are_refused(client, store,
                                                                     correspondent):
    token = correspondent[1]
    for body in ({"url": 42}, {"url": "https://a.example/", "note": ["a"]},
                 {"url": "https://a.example/", "topic": 1, "language": {}}):
        answer = post(client, token, **body)
        wrong = ", ".join(k for k, v in body.items() if not isinstance(v, str))
        assert answer.status_code == 400, body
        assert answer.json() == {"error": f"{wrong}: send text (a JSON string) or null"}
    answer = client.post(API + "?lang=xx", json={"url": "https://a.example/"},
                         headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()) == (400, {"error": "lang: one of en, es, de"})
    assert post(client, token, url="https://a.example/", note=None).status_code == 201
    assert [sub.note for sub in stored(store)] == [""]  # null: the same as left out


def test_a_renewed_or_revoked_token_stops_working(client, store, correspondent):
    user_id, old = correspondent
    with store.transaction() as s:
        new = tokens.issue(s, user_id, TokenKind.API)
    assert post(client, old, url="https://a.example/1").status_code == 401
    assert post(client, new, url="https://a.example/2").status_code == 201
    with store.transaction() as s:
        tokens.revoke(s, user_id, TokenKind.API)
        assert tokens.live(s, user_id, TokenKind.API) is None
    assert post(client, new, url="https://a.example/3").status_code == 401
    with store.read() as s:  # only digests are kept
        kept = s.scalars(select(ApiToken.token_hash)).all()
    assert len(kept) == 2 and not {old, new} & set(kept)


def test_the_same_link_within_30_days_is_refused_with_the_first(client, store, correspondent,
                                                                add_item):
    token = correspondent[1]
    assert post(client, token, url="https://news.example/a?utm_source=x").status_code == 201
    again = post(client, token, url="https://www.news.example/a/")
    assert again.status_code == 409 and "already sent on" in again.json()["error"]
    assert "first" not in again.json()  # not published: nothing to link to yet
    item_id = add_item("The strike", url="https://news.example/a")
    with store.transaction() as s:
        first = s.scalars(select(Submission)).one()
        first.item_id = item_id
        first.status = SubmissionStatus.PUBLISHED
    again = post(client, token, url="https://news.example/a")
    assert again.json()["first"].endswith(f"/en/items/{item_id}")
    with store.transaction() as s:  # 31 days on, it may be sent again
        s.scalars(select(Submission)).one().created_at = utcnow() - timedelta(days=31)
    assert post(client, token, url="https://news.example/a").status_code == 201


def test_limits_per_account_and_per_visitor(settings, store, correspondent):
    app = create_app(settings.with_(submission_limits_account="2/hour",
                                    submission_limits_visitor="3/hour"), store)
    with TestClient(app) as client:
        token = correspondent[1]
        for n in range(2):
            assert post(client, token, url=f"https://a.example/{n}").status_code == 201
        limited = post(client, token, url="https://a.example/9")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "many links in a short time" in limited.json()["error"]
        # the same visitor, not signed in, has one link left of its own three
        page = client.get("/en/submit")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        sent = [client.post("/en/submit", data={"csrf_token": csrf,
                                                "url": f"https://b.example/{n}"},
                            follow_redirects=False).status_code for n in range(2)]
        assert sent == [303, 429]
    assert len(stored(store)) == 3


def test_a_new_account_sends_links_to_known_sites_only(client, store, correspondent,
                                                       add_item):
    user_id, token = correspondent
    with store.transaction() as s:
        s.get(User, user_id).created_at = utcnow() - timedelta(days=2)
        s.add(Source(feed_url="https://known-feed.example:8443/rss"))
    add_item("Known", url="https://www.known.example/old-story")
    refused = post(client, token, url="https://unknown.example/x")
    assert refused.status_code == 403
    assert "first 7 days" in refused.json()["error"] and "unknown.example" in \
        refused.json()["error"]
    for url in ("https://known.example/new", "http://www.known.example/new2",
                "https://known-feed.example:8443/article"):
        assert post(client, token, url=url).status_code == 201, url
    assert post(client, token, url="https://known-feed.example/other-port").status_code \
        == 403
    with store.transaction() as s:  # past the first days, any site
        s.get(User, user_id).created_at = utcnow() - timedelta(days=8)
    assert post(client, token, url="https://unknown.example/x").status_code == 201


def test_a_suspended_account_sends_nothing(client, store, correspondent):
    user_id, token = correspondent
    with store.transaction() as s:
        s.get(User, user_id).suspended_at = utcnow()
    refused = post(client, token, url="https://a.example/")
    assert refused.status_code == 403 and "suspended" in refused.json()["error"]


def test_anonymous_submissions_switched_off(settings, store):
    with TestClient(create_app(settings.with_(anonymous_submissions=False), store)) as c:
        page = c.get("/en/submit")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        refused = c.post("/en/submit", data={"csrf_token": csrf, "url": "https://a.example/",
                                             "note": "kept"})
        assert refused.status_code == 403 and "sign in first" in refused.text
        assert "kept</textarea>" in refused.text
    assert stored(store) == []


def test_a_filled_honeypot_is_thanked_and_dropped(client, store):
    page = client.get("/en/submit")
    assert 'name="website"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/en/submit", data={"csrf_token": csrf, "url": "https://a.example/",
                                             "website": "http://spam.example"},
                         follow_redirects=False)
    assert answer.status_code == 303 and stored(store) == []


def test_the_bookmarklet_fills_the_address_in(client):
    page = client.get("/en/submit", params={"url": "https://news.example/a?b=1&c=\u202e"})
    assert 'value="https://news.example/a?b=1&amp;c="' in page.text


def test_the_public_item_credits_a_consenting_correspondent(client, store, correspondent,
                                                            add_item):
    user_id, _token = correspondent
    item_id = add_item("The strike")
    with store.transaction() as s:
        sub = Submission(url="http://example.org/1", submitter_id=user_id,
                         status=SubmissionStatus.PUBLISHED)
        s.add(sub)
        s.flush()
        s.get(Item, item_id).submission_id = sub.id
    assert "Submitted by" not in client.get(f"/en/items/{item_id}").text  # no consent
    with store.transaction() as s:
        s.get(User, user_id).credit_consent = True
    page = client.get(f"/en/items/{item_id}").text
    assert "Submitted by" in page and "Rosa L." in page
    assert f"/en/correspondents/{user_id}" not in page  # no public profile
    with store.transaction() as s:
        s.get(User, user_id).public_profile = True
    assert f'href="/en/correspondents/{user_id}"' in client.get(f"/en/items/{item_id}").text
    with store.transaction() as s:
        s.get(Item, item_id).status = ItemStatus.REJECTED
    assert client.get(f"/en/items/{item_id}").status_code == 404
