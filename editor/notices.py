"""E-mail notices of the desk's answers to correspondents' links — published (with its
link), rejected (with the reason code), a duplicate of an item, a failed fetch (with its
reason) — in the person's desk language, sent by the pipeline's cycle through the
`smtp_*` settings with the standard library's smtplib, never in a web request.

A notice about one's own link is a service message the person asks for on their profile
(an address and the switch beside it), not the editors writing to them: the contact
consent (correspondents.CONSENT_WORDING) neither allows nor stops it.

A notice's life is its row (models.Notice), queued with the decision (core/submissions.py):
pending → sent; or failed with the reason and tried again after a wait that doubles, at
most ATTEMPTS times (a refusal of the address or the message itself is final); or dropped
unsent when the link was decided again since (the later notice tells it), the person
switched notices off, or no mail server is configured. A try is claimed with one
conditional UPDATE first, so two pipelines never send the same notice.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rabkor.core import i18n
from rabkor.core.settings import Settings, sender_address
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import ItemStatus, NoticeState, SubmissionStatus, utcnow
from rabkor.core.store.models import Notice, SubmissionEvent, User
from rabkor.core.text.chars import printable
from rabkor.core.web.origins import public_base
from rabkor.editor.i18n import LANGUAGES, N_, _, use
from rabkor.editor.submissions import SITE_ITEM, site_language

logger = logging.getLogger(__name__)

S = SubmissionStatus
ATTEMPTS = 5
FIRST_WAIT = timedelta(minutes=1)  # before the second try; doubles after each failure
BATCH = 100  # notices per cycle; the next cycle sends the rest
TIMEOUT = 30.0  # seconds for the mail server to answer
WAITING = (NoticeState.PENDING, NoticeState.FAILED)
MY_SUBMISSIONS = "/editor/submissions"  # the combined app mounts the desk at /editor
PROFILE = "/editor/profile"
# errors about one message, after which the connection still serves the next
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                  smtplib.SMTPDataError)
ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                     r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
SUBJECTS = {
    S.PUBLISHED: N_("{site}: your link is published"),
    S.REJECTED: N_("{site}: your link was turned down"),
    S.DUPLICATE: N_("{site}: your link is on the site already"),
    S.FAILED: N_("{site}: your link could not be fetched"),
}


@dataclass
class NoticeReport:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def send_notices(settings: Settings, store: Store, limit: int = BATCH) -> NoticeReport:
    """Send the notices that are due, oldest first, over one connection. An error of the
    connection (the server down, gone, refusing us) fails the notice it was sending and
    ends this cycle's sending; the others wait for the next cycle."""
    report = NoticeReport()
    if not settings.smtp_host:
        report.dropped = _drop_all(store, "no mail server is configured (smtp_host)")
        return report
    with store.read() as s:
        due = list(s.scalars(select(Notice.id).where(
            Notice.state.in_(WAITING), Notice.next_attempt_at <= utcnow(),
            Notice.attempts < ATTEMPTS)
            .order_by(Notice.next_attempt_at, Notice.id).limit(limit)))
    smtp: smtplib.SMTP | None = None
    try:
        for notice_id in due:
            claimed = _claim(settings, store, notice_id, report)
            if claimed is None:
                continue
            recipient, message = claimed
            try:
                smtp = smtp or _connect(settings)
                smtp.send_message(message, from_addr=sender_address(settings.smtp_from),
                                  to_addrs=[recipient])
            except (smtplib.SMTPException, OSError) as exc:
                _record(store, notice_id, exc)
                report.failed += 1
                if not isinstance(exc, MESSAGE_ERRORS):
                    break
            else:
                _record(store, notice_id, None, message["Message-ID"])
                report.sent += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
    if due:
        logger.info("notices sent=%d failed=%d dropped=%d", report.sent, report.failed,
                    report.dropped)
    return report


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _claim(settings: Settings, store: Store, notice_id: int, report: NoticeReport
           ) -> tuple[str, EmailMessage] | None:
    """The notice's recipient and message, its try counted (and the wait before the next
    set) by a conditional UPDATE that only one sender wins; None if another sender has
    it, or it is dropped as no longer wanted."""
    now = utcnow()
    with store.transaction() as s:
        notice = s.get(Notice, notice_id)
        if (notice is None or notice.state not in WAITING or notice.next_attempt_at is None
                or notice.next_attempt_at > now or notice.attempts >= ATTEMPTS):
            return None
        person = s.get(User, notice.user_id)
        why = _unwanted(s, notice, person)
        if why:
            notice.state, notice.reason, notice.next_attempt_at = NoticeState.DROPPED, why, None
            report.dropped += 1
            return None
        message = compose(settings, notice.event, person)
        won = s.execute(update(Notice).where(
            Notice.id == notice_id, Notice.attempts == notice.attempts)
            .values(attempts=notice.attempts + 1,
                    next_attempt_at=now + FIRST_WAIT * 2 ** notice.attempts)
            .execution_options(synchronize_session=False)).rowcount
        return (person.email, message) if won == 1 else None


def plain_address(text: str) -> bool:
    """An address as a profile takes it: name@domain.tld in ASCII, nothing around it (no
    display name, comment, quotes or line break), at most 254 characters."""
    return len(text) <= 254 and ADDRESS.fullmatch(text) is not None


def told(s: Session, user_id: int) -> dict[int, Notice]:
    """A person's notices by the state (event) each tells: "my submissions" says which
    answers went by e-mail."""
    return {n.event_id: n for n in s.scalars(select(Notice).where(Notice.user_id == user_id))}


def _unwanted(s: Session, notice: Notice, person: User | None) -> str:
    """Why the notice is no longer to be sent, or ""."""
    if person is None or not plain_address(person.email) or not person.notices:
        return "the person switched notices off or took their address back"
    latest = s.scalar(select(func.max(SubmissionEvent.id)).where(
        SubmissionEvent.submission_id == notice.event.submission_id))
    if latest != notice.event_id:
        return "the link has moved on since (a later state is told instead, if any)"
    return ""


def _record(store: Store, notice_id: int, error: Exception | None,
            message_id: str | None = None) -> None:
    with store.transaction() as s:
        notice = s.get(Notice, notice_id)
        if notice is None:
            return  # the account was deleted meanwhile
        if error is None:
            notice.state, notice.sent_at, notice.message_id = (NoticeState.SENT, utcnow(),
                                                               message_id)
            notice.reason, notice.next_attempt_at = None, None
            return
        notice.state, notice.reason = NoticeState.FAILED, _reason(error)
        if _final(error) or notice.attempts >= ATTEMPTS:
            notice.next_attempt_at = None
        logger.warning("notice failed notice_id=%d attempts=%d reason=%s", notice_id,
                       notice.attempts, notice.reason)


def _final(error: Exception) -> bool:
    """The server refused the address or the message itself (a 5xx): trying again would
    get the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _reason(error: Exception) -> str:
    """What went wrong, in words an administrator reads in the desk's records."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{code} {_said(text)}" for code, text in error.recipients.values())
        text = f"the mail server refused the address: {answers}"
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        text = f"the mail server closed the connection ({error})"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"the mail server answered {error.smtp_code} {_said(error.smtp_error)}"
    elif isinstance(error, ssl.SSLError):
        why = getattr(error, "verify_message", "") or error.reason or error
        text = f"TLS with the mail server failed: {why}"
    elif isinstance(error, OSError):
        text = f"the mail server could not be reached: {error.strerror or error}"
    else:
        text = f"sending failed: {error}"
    return printable(text)[:500]


def _said(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def compose(settings: Settings, event: SubmissionEvent, person: User) -> EmailMessage:
    """The notice of `event` to `person`, in their desk language. Every header value is
    built from one line of printable text, so nothing a person or a page wrote (a name,
    a title with CR/LF) can add a header or a recipient."""
    lang = person.ui_language if person.ui_language in LANGUAGES else (
        settings.languages[0] if settings.languages[0] in LANGUAGES else "en")
    before = i18n.current()
    use(lang)
    try:
        return _written(settings, event, person, lang)
    finally:
        use(before)


def _written(settings: Settings, event: SubmissionEvent, person: User, lang: str
             ) -> EmailMessage:
    sub = event.submission
    base = public_base(settings)
    message = EmailMessage()
    subject = _(SUBJECTS[event.status]).format(site=settings.site_title)
    title = sub.item.title if sub.item is not None else ""
    message["Subject"] = _header(f"{subject} — {title}" if title else subject)
    sender_name, sender = parseaddr(settings.smtp_from)
    message["From"] = Address(display_name=_header(sender_name or settings.site_title),
                              addr_spec=sender)
    message["To"] = Address(display_name=_header(person.display_name or person.username),
                            addr_spec=person.email)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid("notice", domain=sender.rsplit("@", 1)[1])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    lines = [_("Hello {name},").format(name=person.display_name or person.username), "",
             _("You sent this link: {url}").format(url=sub.url)]
    item_page = base + SITE_ITEM.format(lang=site_language(settings, person), id=sub.item_id)
    if event.status == S.PUBLISHED:
        lines.append(_("The editors published it: {link}").format(link=item_page))
    elif event.status == S.REJECTED:
        lines.append(_("The editors turned it down. Reason: {code}").format(
            code=event.detail or sub.reason or _("none given")))
    elif event.status == S.DUPLICATE:
        published = sub.item is not None and sub.item.status == ItemStatus.APPROVED
        lines.append(_("It is on the site already: {link}").format(link=item_page)
                     if published else
                     _("The link is on the site already, as item {number}.").format(
                         number=sub.item_id))
    else:
        lines += [_("The page could not be fetched or read: {reason}").format(
            reason=event.detail), _("The editors may try it again.")]
    lines += ["", _("All your links and their states: {link}").format(
        link=base + MY_SUBMISSIONS), "",
        _("You receive this because you asked for these notices on your profile, where you "
          "can switch them off: {link}").format(link=base + PROFILE)]
    message.set_content("\n".join(lines) + "\n")
    message["Content-Language"] = lang  # after the content, which sets the Content-* anew
    return message


def _header(text: str) -> str:
    """One line of printable text: line breaks and other control characters become
    spaces."""
    return " ".join(printable(text.replace("\r", " ").replace("\n", " ")).split())[:200]


def _drop_all(store: Store, why: str) -> int:
    with store.transaction() as s:
        return s.execute(update(Notice).where(Notice.state.in_(WAITING))
                         .values(state=NoticeState.DROPPED, reason=why, next_attempt_at=None)
                         ).rowcount
