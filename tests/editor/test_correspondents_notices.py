"""E-mail notices of the desk's decisions on a correspondent's links (editor/notices.py),
against a real SMTP server on loopback (aiosmtpd): queued with the decision and sent by
the pipeline's step in the person's language, with its link, recipient, Message-ID and
Date; a server that is down or refuses leaves the notice failed with the reason, tried
again a bounded number of times, the decision unaffected; no header can be injected."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from rabkor.core.accounts import create_user
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import NoticeState, SubmissionStatus, utcnow
from rabkor.core.store.models import Item, ItemStatus, Notice, Submission, User
from rabkor.editor import submissions as desk
from rabkor.editor.notices import ATTEMPTS, send_notices
from tests.editor.helpers import PASSWORD, add_item, csrf_of
from tests.editor.test_submissions_desk import sent
from tests.mailserver import mail_server
from tests.net import free_port

S = SubmissionStatus
SITE = "https://noticias.example.org"


@pytest.fixture
def inbox():
    with mail_server() as inbox:
        yield inbox


@pytest.fixture
def mailing(settings, inbox):
    """The settings with the loopback server as the mail server."""
    return settings.with_(smtp_host=inbox.host, smtp_port=inbox.port, smtp_starttls=False,
                          smtp_from="Rabkor desk <desk@rabkor.example>", public_url=SITE)


def person(store, name: str = "rosa", **fields) -> int:
    with store.transaction() as s:
        user = create_user(s, name, PASSWORD, "correspondent")
        user.display_name, user.email = "Rosa L.", f"{name}@example.org"
        for key, value in fields.items():
            setattr(user, key, value)
        return user.id


def notices(store) -> list[Notice]:
    with store.read() as s:
        found = list(s.scalars(select(Notice).order_by(Notice.id)))
        s.expunge_all()
        return found


def my_submissions(settings, store, username: str = "rosa") -> str:
    """The person's own submissions page, as they see it signed in."""
    from starlette.testclient import TestClient

    from rabkor.editor.app import create_app

    with TestClient(create_app(settings, store)) as own:
        own.post("/login", data={"username": username, "password": PASSWORD,
                                 "csrf_token": csrf_of(own.get("/login").text)})
        return own.get("/submissions").text


def decide(client, item_id: int, action: str, **form) -> None:
    token = csrf_of(client.get("/").text)
    assert client.post(f"/items/{item_id}/{action}",
                       data={"csrf_token": token, **form}).status_code == 200


def test_an_approval_is_told_in_the_persons_language_with_its_link(
        settings, client, store, login_as, mailing, inbox):
    rosa = person(store, ui_language="es")
    item_id = add_item(store, "Huelga en el puerto de Santos")
    sent(store, rosa, "https://a.example/huelga", status=S.FETCHED, item_id=item_id)
    login_as(client, "editor")
    decide(client, item_id, "approve")
    [queued] = notices(store)
    assert queued.state == NoticeState.PENDING and inbox.received == []  # not in the request
    assert "correo en camino" in my_submissions(settings, store)  # rosa reads Spanish

    assert send_notices(mailing, store).sent == 1
    [mail] = inbox.received
    assert mail.recipients == ["rosa@example.org"] and mail.sender == "desk@rabkor.example"
    message = mail.message
    assert message["Subject"] == ("Rabkor: tu enlace está publicado — "
                                  "Huelga en el puerto de Santos")
    assert message["To"] == "\"Rosa L.\" <rosa@example.org>"
    assert message["From"] == "Rabkor desk <desk@rabkor.example>"
    assert message["Content-Language"] == "es"
    body = message.get_content()
    assert body.startswith("Hola, Rosa L.:")
    assert f"Los editores lo publicaron: {SITE}/es/items/{item_id}" in body
    assert f"{SITE}/editor/profile" in body and "https://a.example/huelga" in body
    assert abs((parsedate_to_datetime(message["Date"]) - utcnow()).total_seconds()) < 60
    [told] = notices(store)
    assert told.state == NoticeState.SENT and told.attempts == 1
    assert told.message_id == message["Message-ID"] and "@rabkor.example>" in told.message_id
    assert send_notices(mailing, store).sent == 0 and len(inbox.received) == 1  # once
    assert "te lo avisamos por correo" in my_submissions(settings, store)


def test_each_answer_is_told_with_what_it_needs(client, store, login_as, mailing, inbox):
    """A rejection with its reason code, a duplicate with the published item's link, a
    failed fetch with its reason; a suspension, a withdrawal and a link moved on since
    are not told, nor is anyone without an address or with notices off."""
    rosa = person(store)
    rejected = add_item(store, "Off the line")
    sent(store, rosa, "https://a.example/1", status=S.FETCHED, item_id=rejected)
    login_as(client, "editor")
    decide(client, rejected, "reject", reason="not ours", reason_code="off-line")
    known = add_item(store, "Already here", status=ItemStatus.APPROVED)
    sent(store, rosa, "https://a.example/2", status=S.DUPLICATE, item_id=known)
    sent(store, rosa, "https://a.example/3", status=S.FAILED)
    reopened = add_item(store, "Changed mind")
    sent(store, rosa, "https://a.example/4", status=S.FETCHED, item_id=reopened)
    decide(client, reopened, "approve")
    decide(client, reopened, "reopen")  # back in the queue before the notice went
    sent(store, rosa, "https://a.example/5")  # withdrawn: the correspondent knows
    with store.transaction() as s:
        desk.withdraw(s, rosa, s.scalar(select(Submission.id).where(
            Submission.url == "https://a.example/5")))
    sent(store, person(store, "quiet", notices=False), "https://a.example/6",
         status=S.FAILED)
    sent(store, person(store, "nomail", email=""), "https://a.example/7", status=S.FAILED)
    suspended = person(store, "gone")
    sent(store, suspended, "https://a.example/8")
    with store.transaction() as s:
        desk.suspend(s, s.get(User, rosa), suspended)

    report = send_notices(mailing, store)
    assert (report.sent, report.dropped) == (3, 1)
    bodies = {m.message["Subject"]: m.message.get_content() for m in inbox.received}
    assert {m.recipients[0] for m in inbox.received} == {"rosa@example.org"}
    assert "The editors turned it down. Reason: off-line" in bodies[
        "Rabkor: your link was turned down — Off the line"]
    assert f"It is on the site already: {SITE}/en/items/{known}" in bodies[
        "Rabkor: your link is on the site already — Already here"]
    assert ("The page could not be fetched or read: HTTP 500 Internal Server Error"
            in bodies["Rabkor: your link could not be fetched"])
    [dropped] = [n for n in notices(store) if n.state == NoticeState.DROPPED]
    assert "moved on" in dropped.reason


def test_a_server_that_is_down_fails_the_notice_and_is_tried_a_bounded_number_of_times(
        settings, client, store, login_as, mailing, inbox):
    rosa = person(store)
    item_id = add_item(store, "Strike")
    sent(store, rosa, "https://a.example/strike", status=S.FETCHED, item_id=item_id)
    login_as(client, "editor")
    decide(client, item_id, "approve")  # the decision does not wait for any server
    down = mailing.with_(smtp_port=free_port())  # nothing listens there
    report = send_notices(down, store)
    assert (report.sent, report.failed) == (0, 1)
    [notice] = notices(store)
    assert notice.state == NoticeState.FAILED and notice.attempts == 1
    assert "could not be reached" in notice.reason
    assert notice.next_attempt_at > utcnow()
    assert send_notices(down, store).failed == 0  # waits before the next try
    for _ in range(ATTEMPTS - 1):
        _due_now(store)
        assert send_notices(down, store).failed == 1
    [notice] = notices(store)
    assert notice.attempts == ATTEMPTS and notice.next_attempt_at is None
    assert "the e-mail could not be sent" in my_submissions(settings, store)
    assert send_notices(mailing, store).sent == 0 and inbox.received == []  # given up
    with store.read() as s:
        assert s.get(Item, item_id).status == ItemStatus.APPROVED
        assert s.scalar(select(Submission.status)) == S.PUBLISHED


def test_a_refusal_for_now_is_tried_again_a_refused_address_is_not(store, mailing, inbox):
    rosa, ana = person(store), person(store, "ana")
    sent(store, rosa, "https://a.example/1", status=S.FAILED)
    inbox.refuse_data = ["451 4.3.0 Try again later"]
    assert send_notices(mailing, store).failed == 1
    [notice] = notices(store)
    assert notice.state == NoticeState.FAILED and "451" in notice.reason
    _due_now(store)
    assert send_notices(mailing, store).sent == 1
    [notice] = notices(store)
    assert notice.state == NoticeState.SENT and notice.attempts == 2

    sent(store, ana, "https://a.example/2", status=S.FAILED)
    inbox.refuse_rcpt = "550 5.1.1 No such user"
    assert send_notices(mailing, store).failed == 1
    refused = notices(store)[-1]
    assert refused.state == NoticeState.FAILED and refused.next_attempt_at is None
    assert "refused the address: 550 5.1.1 No such user" in refused.reason


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_over_starttls_with_a_login_and_never_to_an_unknown_certificate(
        store, mailing, tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    sent(store, person(store), "https://a.example/1", status=S.FAILED)
    with mail_server(tls=server_side, login=("desk", "s3cret")) as inbox:
        secure = mailing.with_(smtp_host=inbox.host, smtp_port=inbox.port,
                               smtp_starttls=True, smtp_user="desk", smtp_password="wrong")
        assert send_notices(secure, store).failed == 1  # a certificate nobody vouches for
        assert notices(store)[0].reason == ("TLS with the mail server failed: self-signed "
                                            "certificate")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now this machine trusts it
        _due_now(store)
        assert send_notices(secure, store).failed == 1
        assert "answered 535" in notices(store)[0].reason
        _due_now(store)
        assert send_notices(secure.with_(smtp_password="s3cret"), store).sent == 1
    [mail] = inbox.received
    assert mail.tls and mail.login == "desk" and mail.recipients == ["rosa@example.org"]


def test_two_pipelines_at_once_send_a_notice_once(any_store, mailing, inbox):
    """Each through its own connection at the same moment, on SQLite and PostgreSQL: the
    conditional UPDATE gives the try to one of them."""
    for n in range(3):
        sent(any_store, person(any_store, f"rosa{n}"), f"https://a.example/{n}",
             status=S.FAILED)
    start = threading.Barrier(2)
    reports = []

    def pipeline() -> None:
        own = Store(any_store.settings)
        try:
            start.wait()
            reports.append(send_notices(mailing, own))
        finally:
            own.close()

    threads = [threading.Thread(target=pipeline) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.sent for r in reports) == 3 and len(inbox.received) == 3
    assert sorted(m.recipients[0] for m in inbox.received) == [
        f"rosa{n}@example.org" for n in range(3)]
    assert [(n.state, n.attempts) for n in notices(any_store)] == [(NoticeState.SENT, 1)] * 3


def test_no_header_or_recipient_can_be_injected(store, mailing, inbox):
    """A name and a title with CR/LF (as a row written by another way than the profile
    could hold) stay inside their own header."""
    rosa = person(store, display_name="Rosa\r\nBcc: eve@evil.example")
    item_id = add_item(store, "Strike", status=ItemStatus.APPROVED)
    with store.transaction() as s:
        s.get(Item, item_id).title = "Strike\r\nX-Injected: yes\r\n\r\nforged body"
    sent(store, rosa, "https://a.example/1", status=S.DUPLICATE, item_id=item_id)
    assert send_notices(mailing, store).sent == 1
    [mail] = inbox.received
    assert mail.recipients == ["rosa@example.org"]
    assert "Bcc" not in mail.message and "X-Injected" not in mail.message
    assert mail.message["To"] == '"Rosa Bcc: eve@evil.example" <rosa@example.org>'
    assert mail.message["Subject"].endswith("— Strike X-Injected: yes forged body")


def test_the_run_cycle_sends_them(store, mailing, inbox):
    from rabkor.app.pipeline import run_cycle

    sent(store, person(store), "https://a.example/1", status=S.FAILED)
    assert run_cycle(mailing.with_(engines=()), store).notices_sent == 1
    assert [m.recipients for m in inbox.received] == [["rosa@example.org"]]


def test_without_a_mail_server_nothing_is_sent_and_nothing_waits(settings, store):
    sent(store, person(store), "https://a.example/1", status=S.FAILED)
    assert send_notices(settings, store).dropped == 1
    [notice] = notices(store)
    assert notice.state == NoticeState.DROPPED and "smtp_host" in notice.reason


def test_the_profile_takes_an_address_and_the_switch(settings, store, login_as, mailing):
    from starlette.testclient import TestClient

    from rabkor.editor.app import create_app

    plain_http = mailing.with_(trusted_hosts=("testserver",), public_url="")
    with TestClient(create_app(plain_http, store)) as c:
        me = login_as(c, "correspondent")
        page = c.get("/profile").text
        assert 'name="email"' in page

        def save(**form):
            return c.post("/profile", data={"csrf_token": csrf_of(page), **form})

        refused = save(email="rosa@example.org\r\nBcc: eve@evil.example", notices="yes")
        assert refused.status_code == 400 and "is not an e-mail address" in refused.text
        assert save(email=" rosa@example.org ").status_code == 200  # the switch off
        with store.read() as s:
            user = s.get(User, me.id)
            assert (user.email, user.notices) == ("rosa@example.org", False)
        exported = c.get("/account/export").json()
        assert exported["account"]["e-mail address"] == "rosa@example.org"
    with TestClient(create_app(settings, store)) as plain:  # no server: no such field
        login_as(plain, "correspondent")
        assert 'name="email"' not in plain.get("/profile").text


def _due_now(store) -> None:
    """Let the wait before the next try pass."""
    with store.transaction() as s:
        s.execute(update(Notice).where(Notice.next_attempt_at.is_not(None))
                  .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
