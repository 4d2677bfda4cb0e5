"""A correspondent's submission as a table, applied by one function: the site takes it in,
the crawler fetches it, an editor can turn it down before that.

    pending ──fetch succeeded──► fetched     (its page is an item in the editors' queue)
    pending ──fetch failed──► rejected       (the page could not be fetched or read)
    pending ──refused──► rejected            (an editor turns the link down unread: spam…)

Both ends are final. Once fetched, what becomes of the link is its item's decision in the
queue (`rabkor.editor.workflow`), which the correspondent sees there; a rejected link can
simply be sent again, as a new submission. The site writes submissions (pending); nothing
applies the later events yet: the crawler's submission fetch and the editor's refusal
will, through `move`, so the table is where the rules wait for them. Shared by the stages
that will meet a submission, so it lives in core.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.kinds import RuleKind, SubmissionStatus
from rabkor.core.store.models import Rule, Submission
from rabkor.core.text.urls import host_and_parents

PENDING, FETCHED, REJECTED = (SubmissionStatus.PENDING, SubmissionStatus.FETCHED,
                              SubmissionStatus.REJECTED)
RECEIVED = PENDING  # the state every submission starts in


class Event(enum.StrEnum):
    FETCH_SUCCEEDED = "fetch succeeded"  # the page was fetched and stored as an item
    FETCH_FAILED = "fetch failed"  # the page could not be fetched, or is not an article
    REFUSED = "refused"  # an editor turned the link down without fetching it


TRANSITIONS: dict[tuple[SubmissionStatus, Event], SubmissionStatus] = {
    (PENDING, Event.FETCH_SUCCEEDED): FETCHED,
    (PENDING, Event.FETCH_FAILED): REJECTED,
    (PENDING, Event.REFUSED): REJECTED,
}


def allows(status: SubmissionStatus, event: Event) -> bool:
    return (status, event) in TRANSITIONS


def move(submission: Submission, event: Event) -> SubmissionStatus:
    """Apply `event` to `submission`; InvalidTransition, unchanged, if it does not apply."""
    target = TRANSITIONS.get((submission.status, event))
    if target is None:
        raise InvalidTransition(f"submission {submission.id} is {submission.status}; only a "
                                f"pending one can be fetched or refused ({event})")
    submission.status = target
    return target


def blocking_rule(session: Session, url: str) -> Rule | None:
    """The desk's active blocked-domain rule that the link's host, or a domain above it,
    meets: such a link is turned away when it is sent, as its item would be rejected."""
    hosts = host_and_parents(url)
    if not hosts:
        return None
    return session.scalar(select(Rule).where(
        Rule.kind == RuleKind.BLOCKED, Rule.active.is_(True), Rule.pattern.in_(hosts))
        .order_by(Rule.id).limit(1))
