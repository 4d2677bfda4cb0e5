"""Taking a link in: the checks the site's form and the submissions API share, after the
fields' own (site/forms.py), each refusal in words a correspondent can act on.

In order: a suspended account sends nothing; visitors who are not signed in only while
`anonymous_submissions` is on; so many links an hour and a day per account and per
visitor (`submission_limits_account`, `submission_limits_visitor`, counted by the
`limits` library like the editor's logins: moving windows in memory, the visitor an HMAC
of the address under a key drawn when the process starts, never the address); none to a
domain the desk blocks; not the same link (by its canonical form) within 30 days, the
first one named; and during an account's first `new_account_days` none to a site the
store has never seen, as Lobsters limits new users (visitors who are not signed in are
held by their own limits, and by `anonymous_submissions`).
Only links taken in count against the limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rabkor.core import submissions
from rabkor.core.settings import Settings
from rabkor.core.store.kinds import ItemStatus, SubmissionStatus, utcnow
from rabkor.core.store.models import Item, Source, Submission, User
from rabkor.core.text.canonical import canonical_url
from rabkor.core.text.urls import parse_url
from rabkor.core.web.throttle import Throttle
from rabkor.site.i18n import _

REPEAT_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Refusal:
    """Why a link is not taken: the HTTP status, the message, the field it is about, and
    for a limit the seconds to wait; `first`: the earlier submission of the same link."""

    status: int
    message: str
    field: str = "url"
    retry_after: int | None = None
    first: Submission | None = None


class SubmissionThrottle(Throttle):
    """The submission counts of one web process, per account and per visitor."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "submission_limits_account", "submission_limits_visitor")

    def retry_after(self, user_id: int | None, visitor: str) -> int | None:
        return self.wait(None if user_id is None else str(user_id), visitor)

    def taken(self, user_id: int | None, visitor: str) -> None:
        self.hit(None if user_id is None else str(user_id), visitor)


def refusal(session: Session, settings: Settings, throttle: SubmissionThrottle, url: str,
            user: User | None, visitor: str) -> Refusal | None:
    """Why `url` cannot be taken from `user` (None: a visitor not signed in), or None."""
    if user is not None and (user.suspended_at is not None or not user.active):
        return Refusal(403, _("Your account is suspended: it cannot send links."))
    if user is None and not settings.anonymous_submissions:
        return Refusal(403, _("Only correspondents can send links here: sign in first."))
    wait = throttle.retry_after(user.id if user else None, visitor)
    if wait is not None:
        return Refusal(429, _("You have sent many links in a short time. Try again in "
                              "{minutes} minutes.").format(minutes=math.ceil(wait / 60)),
                       retry_after=wait)
    blocked = submissions.blocking_rule(session, url)
    if blocked is not None:
        return Refusal(400, _("Links to {domain} are not accepted here.").format(
            domain=blocked.pattern))
    first = earlier(session, url)
    if first is not None:
        return Refusal(409, _("This link was already sent on {date}.").format(
            date=first.created_at.date().isoformat()), first=first)
    if _new(user, settings) and not known_site(session, url):
        return Refusal(403, _("During your first {days} days here, links can go only to "
                              "sites we already know, and {host} is new to us. Send it to "
                              "an editor, or try again later.").format(
            days=settings.new_account_days, host=parse_url(url).host))
    return None


def take(session: Session, throttle: SubmissionThrottle, *, url: str, note: str,
         language: str | None, topic: str | None, name: str | None, user: User | None,
         visitor: str) -> Submission:
    """The submission stored as received, counted against the limits."""
    sub = submissions.received(Submission(
        url=url, url_key=canonical_url(url), note=note, language=language or None,
        topic=topic or None, submitter_name=name or None,
        submitter_id=user.id if user else None))
    session.add(sub)
    session.flush()
    throttle.taken(user.id if user else None, visitor)
    return sub


def earlier(session: Session, url: str) -> Submission | None:
    """The first submission of the same link in the last 30 days (a withdrawn one aside)."""
    return session.scalar(select(Submission).where(
        Submission.url_key == canonical_url(url),
        Submission.created_at >= utcnow() - REPEAT_WINDOW,
        Submission.status != SubmissionStatus.WITHDRAWN).order_by(Submission.id).limit(1))


def published_item(first: Submission) -> int | None:
    """The item of an earlier submission when readers can see it."""
    item = first.item
    return item.id if item is not None and item.status == ItemStatus.APPROVED else None


def _new(user: User | None, settings: Settings) -> bool:
    if settings.new_account_days <= 0 or user is None:
        return False
    joined: datetime = user.created_at
    return utcnow() - joined < timedelta(days=settings.new_account_days)


def known_site(session: Session, url: str) -> bool:
    """Whether the store holds a source or an item on the link's host (with or without
    www., its port kept). Ranges over the URLs' indexes, not a scan: each URL that
    starts with scheme://host/ sorts between that prefix and the one with "/" stepped
    to "0"."""
    parsed = parse_url(url)
    host = parsed.host.removeprefix("www.")
    port = f":{parsed.port}" if parsed.port is not None else ""
    prefixes = [f"{scheme}://{name}{port}/" for scheme in ("https", "http")
                for name in (host, f"www.{host}")]
    for column, key in ((Item.url, Item.id), (Source.feed_url, Source.id)):
        ranges = [(column >= start) & (column < start[:-1] + "0") for start in prefixes]
        if session.scalar(select(key).where(or_(*ranges)).limit(1)) is not None:
            return True
    return False
