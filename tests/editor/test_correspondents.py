"""Correspondents' accounts through the real editor app on a real store: an invitation
from a correspondent makes one account (the tree of who invited whom kept) and then
stops working; open registration waits for an editor; the profile and each consent,
recorded with the words shown; the export holds everything about the person and nothing
about anyone else; deleting the account keeps their submissions, credited to a former
correspondent, and ends their session."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.store.models import (
    Affiliation,
    Consent,
    ConsentKind,
    Invitation,
    Source,
    Submission,
    User,
)
from rabkor.crawler.sources.desk import SourceDesk
from rabkor.editor.app import create_app
from tests.editor.helpers import PASSWORD, csrf_of


def _invite(client) -> str:
    page = client.get("/invitations")
    made = client.post("/invitations", data={"csrf_token": csrf_of(page.text)})
    assert made.status_code == 200
    link = re.search(r'value="(http[^"]+/join/[^"]+)"', made.text)[1]
    return link.split("://", 1)[1].split("/", 1)[1]  # the path


def _join(client, path: str, username: str, **consents: str):
    token = csrf_of(client.get("/login").text)  # the form is not shown for a spent link
    return client.post(path, follow_redirects=False, data={
        "csrf_token": token, "username": username, "display_name": "Ana Souza",
        "password": PASSWORD, "again": PASSWORD, **consents})


def test_an_invitation_makes_one_account_and_keeps_who_invited_whom(settings, store,
                                                                    client, login_as):
    maria = login_as(client, "correspondent")
    path = "/" + _invite(client)
    assert "/join/" in path
    with TestClient(create_app(settings, store)) as newcomer:
        form = newcomer.get(path).text
        assert f'action="{path}"' in form  # the form posts back to the same link
        joined = _join(newcomer, path, "ana", **{"consent-credit": "yes"})
        assert joined.status_code == 303 and joined.headers["location"].endswith("/profile")
        assert newcomer.get("/profile").status_code == 200  # logged in at once
    with TestClient(create_app(settings, store)) as second:
        again = _join(second, path, "bruno")
        assert again.status_code == 410 and "cannot be used any more" in again.text
    with store.read() as s:
        ana = s.scalar(select(User).where(User.username == "ana"))
        assert ana.invited_by_id == maria.id and ana.role == "correspondent" and ana.active
        assert ana.display_name == "Ana Souza"
        assert (ana.credit_consent, ana.public_profile, ana.contact_consent) == (
            True, False, False)
        recorded = {c.kind: (c.given, c.wording) for c in
                    s.scalars(select(Consent).where(Consent.user_id == ana.id))}
        assert recorded[ConsentKind.CREDIT] == (
            True, "Show my name on the published items I brought in.")
        assert recorded[ConsentKind.CONTACT][0] is False  # a "no" is recorded too
        assert s.scalar(select(func.count()).select_from(User).where(
            User.username == "bruno")) == 0
    listing = client.get("/invitations").text
    assert "used by ana" in listing


def test_a_revoked_or_expired_invitation_opens_nothing(settings, store, client, login_as):
    login_as(client, "editor")
    path = "/" + _invite(client)
    with store.read() as s:
        invitation_id = s.scalar(select(Invitation.id))
    page = client.get("/invitations")
    client.post(f"/invitations/{invitation_id}/revoke",
                data={"csrf_token": csrf_of(page.text)})
    with TestClient(create_app(settings, store)) as newcomer:
        assert newcomer.get(path).status_code == 410
        assert _join(newcomer, path, "carla").status_code == 410
        assert newcomer.get("/join/not-a-token").status_code == 410


def test_open_registration_waits_for_an_editor(settings, store, client, login_as):
    with TestClient(create_app(settings, store)) as closed:
        assert closed.get("/apply").status_code == 404  # invitation only by default
    open_settings = settings.with_(registration="open")
    with TestClient(create_app(open_settings, store)) as applicant:
        applied = _join(applicant, "/apply", "dario", **{"consent-public_profile": "yes"})
        assert applied.status_code == 200 and "An editor will look" in applied.text
        token = csrf_of(applicant.get("/login").text)
        refused = applicant.post("/login", data={"username": "dario", "password": PASSWORD,
                                                 "csrf_token": token})
        assert refused.status_code == 400  # not in yet
    with TestClient(create_app(open_settings, store)) as desk:
        login_as(desk, "editor")
        page = desk.get("/invitations")
        assert "dario" in page.text
        with store.read() as s:
            dario = s.scalar(select(User).where(User.username == "dario"))
        desk.post(f"/applicants/{dario.id}/approve", data={"csrf_token": csrf_of(page.text)})
    with store.read() as s:
        dario = s.get(User, dario.id)
        assert dario.active and dario.applied_at is None and dario.public_profile


def test_the_profile_and_its_consents_are_kept_with_their_history(store, client, login_as):
    me = login_as(client, "correspondent")
    with store.transaction() as s:
        union = Source(feed_url="https://union.example/feed", title="Dockers' Union")
        s.add(union)
        s.flush()
        union_id = union.id
    page = client.get("/profile")
    saved = client.post("/profile", follow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "display_name": "M. \u202eSilva\u202c",
        "country": "Brasil", "reads": ["pt", "es"], "writes": ["pt"],
        "affiliations": "Sindicato dos Estivadores", "bio": "Docker in Santos.\r\nWrites.",
        "sources": f"https://news.example/pt/sources/{union_id}\n/editor/sources/999999",
        "consent-public_profile": "yes", "consent-credit": "yes"})
    assert saved.status_code == 303
    with store.read() as s:
        user = s.get(User, me.id)
        assert user.display_name == "M. Silva"  # the override removed
        assert (user.country, user.reads, user.writes) == ("Brasil", ["pt", "es"], ["pt"])
        assert user.bio == "Docker in Santos.\nWrites."
        assert list(s.scalars(select(Affiliation.source_id).where(
            Affiliation.user_id == me.id))) == [union_id]  # the unknown one left out
    page = client.get("/profile")
    assert "Dockers&#39; Union" in page.text
    client.post("/profile", data={"csrf_token": csrf_of(page.text), "display_name": "M.",
                                  "consent-credit": "yes"})  # public profile withdrawn
    with store.read() as s:
        history = [(c.kind, c.given) for c in s.scalars(
            select(Consent).where(Consent.user_id == me.id).order_by(Consent.id))]
    assert history == [(ConsentKind.CREDIT, True), (ConsentKind.PUBLIC_PROFILE, True),
                       (ConsentKind.CONTACT, False), (ConsentKind.PUBLIC_PROFILE, False)]
    bad = client.post("/profile", data={"csrf_token": csrf_of(page.text),
                                        "bio": "x" * 5000, "reads": ["xx-not"]})
    assert bad.status_code == 400 and "x" * 200 not in bad.text


def test_the_export_holds_everything_about_the_person_and_nothing_about_others(
        store, client, login_as):
    me = login_as(client, "correspondent")
    with store.transaction() as s:
        other = create_user(s, "someone-else", PASSWORD, "correspondent")
        s.add_all([Submission(url="https://a.example/mine", note="my own note",
                              submitter_id=me.id, submitter_name=me.username),
                   Submission(url="https://b.example/theirs", note="their secret note",
                              submitter_id=other.id, submitter_name="someone-else")])
    _invite(client)
    exported = client.get("/account/export")
    assert exported.headers["content-disposition"].startswith("attachment;")
    data = json.loads(exported.content)
    text = exported.text
    assert data["account"]["username"] == me.username
    assert [x["note"] for x in data["submissions"]] == ["my own note"]
    assert len(data["invitations made"]) == 1
    assert "someone-else" not in text and "their secret note" not in text
    assert "argon2id$" not in text  # not even their own password hash


def test_deleting_the_account_keeps_the_submissions_without_the_name(settings, store,
                                                                    client, login_as):
    me = login_as(client, "correspondent")
    with store.transaction() as s:
        s.add(Submission(url="https://a.example/story", note="read this",
                         submitter_id=me.id, submitter_name=me.username))
    page = client.get("/profile")
    kept = client.post("/account/delete", data={"csrf_token": csrf_of(page.text),
                                                "password": "not my password"})
    assert kept.status_code == 400 and "the account is kept" in kept.text
    gone = client.post("/account/delete", data={"csrf_token": csrf_of(page.text),
                                                "password": PASSWORD})
    assert gone.status_code == 200 and "Account deleted" in gone.text
    assert client.get("/profile", follow_redirects=False).status_code in (302, 303, 401)
    with store.read() as s:
        assert s.get(User, me.id) is None
        submission = s.scalar(select(Submission))
        assert (submission.submitter_id, submission.submitter_name) == (None, None)
        assert submission.submitter_gone and submission.note == "read this"


def test_an_administrator_cannot_delete_their_account_here(store, client, login_as):
    login_as(client, "admin")
    page = client.get("/profile")
    refused = client.post("/account/delete", data={"csrf_token": csrf_of(page.text),
                                                   "password": PASSWORD})
    assert refused.status_code == 400


def test_the_pages_need_a_signed_in_person(settings, store):
    with TestClient(create_app(settings, store, sources=SourceDesk(settings, store))) as c:
        for path in ("/invitations", "/profile", "/account/export"):
            assert c.get(path, follow_redirects=False).status_code in (302, 303, 401), path
