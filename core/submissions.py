"""A correspondent's submission as a table, applied by one function: the site takes it in,
the crawler fetches it, the desk decides on its item, its correspondent may take it back.

    received ──fetched──► fetched        (its page is an item in the editors' queue)
    received ──already stored──► duplicate  (linked to the item the store has)
    received ──fetch failed──► failed     (the reason kept; the editors may retry)
    failed ──retry──► received            (the next crawl cycle fetches it again)
    received, failed ──refused──► rejected   (an editor turns the link down unread)
    fetched ──refused──► rejected         (a feed offered as a source, turned down)
    fetched ──approved──► published       (its item is on the site)
    fetched ──rejected──► rejected        (its item was turned down, with the reason code)
    published ──rejected──► rejected      (an approved item taken back)
    rejected ──approved──► published      (a decision changed)
    published, rejected ──reopened──► fetched   (its item back in the queue)
    received, fetched, failed ──withdrawn──► withdrawn   (its correspondent took it back)
    received, fetched, failed ──suspended──► rejected    (its correspondent was suspended)

Every move is also a row of `submission_events` with its time and detail, which "my
submissions" and its Atom feed show. Entering a state the correspondent is told of
(TOLD) queues an e-mail notice in the same transaction when they gave an address for it;
the pipeline's cycle sends it (editor/notices.py), so no decision waits on a mail server.
Shared by the stages that meet a submission (the site takes it in, the crawler fetches
it, the editor decides), so it lives in core.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.kinds import RuleKind, SubmissionStatus, utcnow
from rabkor.core.store.models import Notice, Rule, Submission, SubmissionEvent
from rabkor.core.text.urls import host_and_parents

S = SubmissionStatus
RECEIVED = S.RECEIVED  # the state every submission starts in
# still waiting for the desk: what the correspondent may withdraw, what a suspension removes
OPEN = frozenset({S.RECEIVED, S.FETCHED, S.FAILED})
# the states that are the desk's (or the fetch's) answer, told by e-mail when asked for
TOLD = frozenset({S.PUBLISHED, S.REJECTED, S.DUPLICATE, S.FAILED})


class Event(enum.StrEnum):
    FETCHED = "fetched"  # the page was fetched and stored as an item
    ALREADY_STORED = "already stored"  # the link, or a near copy, is an item already
    FETCH_FAILED = "fetch failed"  # the page could not be fetched or read
    RETRY = "retry"  # an editor asks for the failed fetch again
    REFUSED = "refused"  # an editor turned the link down without its item
    APPROVED = "approved"  # its item was approved
    REJECTED = "rejected"  # its item was rejected
    REOPENED = "reopened"  # its item was put back in the queue
    WITHDRAWN = "withdrawn"  # its correspondent took it back
    SUSPENDED = "suspended"  # its correspondent's account was suspended


TRANSITIONS: dict[tuple[SubmissionStatus, Event], SubmissionStatus] = {
    (S.RECEIVED, Event.FETCHED): S.FETCHED,
    (S.RECEIVED, Event.ALREADY_STORED): S.DUPLICATE,
    (S.RECEIVED, Event.FETCH_FAILED): S.FAILED,
    (S.FAILED, Event.RETRY): S.RECEIVED,
    (S.RECEIVED, Event.REFUSED): S.REJECTED,
    (S.FAILED, Event.REFUSED): S.REJECTED,
    (S.FETCHED, Event.REFUSED): S.REJECTED,
    (S.FETCHED, Event.APPROVED): S.PUBLISHED,
    (S.FETCHED, Event.REJECTED): S.REJECTED,
    (S.PUBLISHED, Event.REJECTED): S.REJECTED,
    (S.REJECTED, Event.APPROVED): S.PUBLISHED,
    (S.PUBLISHED, Event.REOPENED): S.FETCHED,
    (S.REJECTED, Event.REOPENED): S.FETCHED,
    **{(state, Event.WITHDRAWN): S.WITHDRAWN for state in OPEN},
    **{(state, Event.SUSPENDED): S.REJECTED for state in OPEN},
}


def allows(status: SubmissionStatus, event: Event) -> bool:
    return (status, event) in TRANSITIONS


def move(submission: Submission, event: Event, detail: str = "") -> SubmissionStatus:
    """Apply `event` to `submission` and record the state it enters; InvalidTransition,
    unchanged, if it does not apply."""
    target = TRANSITIONS.get((submission.status, event))
    if target is None:
        raise InvalidTransition(f"submission {submission.id} is {submission.status}; "
                                f"{event} does not apply to it")
    submission.status = target
    submission.updated_at = utcnow()
    entered = SubmissionEvent(status=target, at=submission.updated_at, detail=detail)
    submission.events.append(entered)
    if target in TOLD and event is not Event.SUSPENDED:  # a suspension is no answer to a link
        _tell(submission, entered)
    return target


def _tell(submission: Submission, entered: SubmissionEvent) -> None:
    """Queue the notice of the state entered for a correspondent who asked for notices."""
    person = submission.submitter
    session = object_session(submission)
    if person is not None and person.email and person.notices and session is not None:
        session.add(Notice(user_id=person.id, event=entered, created_at=entered.at,
                           next_attempt_at=entered.at))


def received(submission: Submission) -> Submission:
    """A new submission with its first row of history."""
    submission.status = RECEIVED
    submission.updated_at = utcnow()
    submission.events.append(SubmissionEvent(status=RECEIVED, at=submission.updated_at))
    return submission


def blocking_rule(session: Session, url: str) -> Rule | None:
    """The desk's active blocked-domain rule that the link's host, or a domain above it,
    meets: such a link is turned away when it is sent, as its item would be rejected."""
    hosts = host_and_parents(url)
    if not hosts:
        return None
    return session.scalar(select(Rule).where(
        Rule.kind == RuleKind.BLOCKED, Rule.active.is_(True), Rule.pattern.in_(hosts))
        .order_by(Rule.id).limit(1))
