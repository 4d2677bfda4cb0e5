"""A real SMTP server on loopback (aiosmtpd) that keeps what it is sent, or refuses it the
way a real server does, for the e-mail notices' tests."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.net import free_port, wait_for


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool  # sent after STARTTLS
    login: str  # the user it logged in as, or ""


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps each message; `refuse_rcpt` / `refuse_data` (SMTP
    replies such as "550 no such user") are answered instead while set, the latter once
    each from its list."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: str = ""
    refuse_data: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data.pop(0)
        message = email.message_from_bytes(envelope.original_content,
                                           policy=email.policy.default)
        login = session.auth_data.login.decode() if session.authenticated else ""
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      session.ssl is not None, login))
        return "250 Message accepted for delivery"

    def wait(self, count: int = 1, seconds: float = 5.0) -> bool:
        return wait_for(lambda: len(self.received) >= count, seconds)


@contextmanager
def mail_server(tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None
                ) -> Iterator[Inbox]:
    """A server on loopback; with `tls`, STARTTLS required before anything is sent, and
    with `login` (user, password), a login (over TLS only) too."""
    inbox = Inbox(port=free_port())

    def authenticate(server, session, envelope, mechanism, data):
        given = (data.login.decode(), data.password.decode())
        return AuthResult(success=given == login, handled=False, auth_data=data)  # or a 535

    secure = {} if tls is None else {"tls_context": tls, "require_starttls": True}
    if login is not None:
        secure |= {"auth_required": True, "auth_require_tls": True,
                   "authenticator": authenticate}
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **secure)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
