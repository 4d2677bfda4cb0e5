"""Correspondents' submissions: CSRF, validation that keeps what was typed, storage."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from rabkor.core.store.models import Submission, SubmissionStatus


def csrf_token(client) -> str:
    page = client.get("/en/submit")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def submissions(store) -> list[Submission]:
    with store.read() as s:
        return list(s.scalars(select(Submission)))


def test_a_valid_submission_is_stored_and_awaits_review(client, store):
    token = csrf_token(client)
    response = client.post("/en/submit", data={
        "csrf_token": token, "url": "https://news.example/strike", "note": "Big one",
        "language": "es", "topic": "labour", "name": "Ana"})
    assert response.status_code == 200
    assert "then the editors review it" in response.text
    [saved] = submissions(store)
    assert (saved.url, saved.note, saved.language, saved.topic, saved.submitter_name) == (
        "https://news.example/strike", "Big one", "es", "labour", "Ana")
    assert saved.status is SubmissionStatus.RECEIVED and saved.submitter_id is None


@pytest.mark.parametrize(("url", "message"), [
    ("javascript:alert(1)", "Only web addresses"),
    ("ftp://files.example/x", "Only web addresses"),
    ("", "Paste the address"),
    ("https://", "no site name"),
])
def test_bad_urls_are_refused_with_a_message_and_the_note_is_kept(client, store, url, message):
    response = client.post("/en/submit", data={
        "csrf_token": csrf_token(client), "url": url, "note": "Please <keep> this"})
    assert response.status_code == 400
    assert message in response.text
    assert "Please &lt;keep&gt; this</textarea>" in response.text
    assert submissions(store) == []


def test_overlong_fields_and_unknown_languages_are_refused(client, store):
    response = client.post("/en/submit", data={
        "csrf_token": csrf_token(client), "url": "https://ok.example/",
        "topic": "t" * 201, "language": "xx"})
    assert response.status_code == 400
    assert "under 200 characters" in response.text and "Choose a language" in response.text
    assert submissions(store) == []


def test_posting_without_a_valid_token_is_forbidden(client, store):
    csrf_token(client)  # a session exists, but the form below does not carry its token
    assert client.post("/en/submit", data={"url": "https://a.example/"}).status_code == 403
    assert client.post("/en/submit", data={"url": "https://a.example/",
                                           "csrf_token": "forged"}).status_code == 403
    assert submissions(store) == []


def test_controls_and_overrides_never_reach_the_store_and_errors_echo_little(client, store):
    nul = client.post("/en/submit", data={
        "csrf_token": csrf_token(client), "url": "https://news.example/a",
        "note": "line one\x00 two"})
    assert nul.status_code == 400 and "NUL character" in nul.text
    assert submissions(store) == []
    response = client.post("/en/submit", data={
        "csrf_token": csrf_token(client), "url": "https://news.example/\u202egpj.exe",
        "note": "line one\x1b\r\nline\u202e two", "name": "An\u2066a\u2069"})
    assert response.status_code == 200
    [saved] = submissions(store)
    assert (saved.note, saved.submitter_name) == ("line one\nline two", "Ana")
    assert "\u202e" not in saved.url
    huge = client.post("/en/submit", data={
        "csrf_token": csrf_token(client), "url": "https://ok.example/", "note": "n" * 999_000})
    assert huge.status_code == 400 and "under 2000 characters" in huge.text
    assert len(huge.text) < 20_000  # the note is refilled only to its limit
    assert "n" * 2001 not in huge.text


def test_a_link_to_a_domain_the_desk_blocks_is_turned_away_at_once(client, store):
    """A blocked-domain rule of the desk (editor/rules.py) turns away links to the domain
    and every host under it when they are sent; a switched-off rule does not."""
    from rabkor.core.accounts import create_user
    from rabkor.editor import rules

    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin")
        rule = rules.add_rule(s, admin, kind=rules.BLOCKED, action=rules.REJECT,
                              label="content farm", pattern="https://www.spam.example/",
                              reason_code="spam")
        rule_id = rule.id
    token = csrf_token(client)
    for url in ("https://spam.example/great-deal", "http://news.spam.example/a"):
        refused = client.post("/en/submit", data={"csrf_token": token, "url": url,
                                                  "note": "look"})
        assert refused.status_code == 400
        assert "Links to spam.example are not accepted here." in refused.text
        assert "content farm" not in refused.text  # the desk's own label stays inside
    assert submissions(store) == []
    assert client.post("/en/submit", data={"csrf_token": token, "url":
                       "https://notspam.example/x"}).status_code == 200
    with store.transaction() as s:
        rules.set_active(s, s.get(type(admin), admin.id), rule_id, False)
    assert client.post("/en/submit", data={"csrf_token": token, "url":
                       "https://spam.example/great-deal"}).status_code == 200
    assert len(submissions(store)) == 2
