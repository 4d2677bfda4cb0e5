"""The desk's side of correspondents' links, and the correspondent's own: what waits for
the editors (links not fetched yet, failed fetches to retry, feeds offered as sources),
a submission following its item's decisions, withdrawing one, and suspending an account.

The moves are core/submissions.py's table; the editor never fetches (it may not import
the crawler): a retry puts the link back as received, and the next crawl cycle fetches
it. Withdrawing a link whose item waits in the queue, or suspending its correspondent,
takes the item out of the queue as a rejection recorded with who did it and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from rabkor.core import submissions
from rabkor.core.errors import InvalidTransition, NotFound
from rabkor.core.settings import Settings
from rabkor.core.store.kinds import ItemStatus, Role, SubmissionStatus, utcnow
from rabkor.core.store.models import Decision, Item, Submission, User
from rabkor.editor.i18n import _, word

S, Event = SubmissionStatus, submissions.Event
FOLLOWS = {ItemStatus.APPROVED: Event.APPROVED, ItemStatus.REJECTED: Event.REJECTED,
           ItemStatus.PENDING: Event.REOPENED}
SHOWN = 200
SITE_ITEM = "/{lang}/items/{id}"  # an item's page on the site (mounted at /)


def site_language(settings: Settings, user: User | None) -> str:
    """The site language a person's links go to: the desk's language when the site has
    it, else the site's first."""
    wanted = user.ui_language if user else None
    return wanted if wanted in settings.languages else settings.languages[0]


def follow(item: Item, code: str | None = None) -> None:
    """Move the item's submission with the decision just made on the item (the reason
    code of a rejection kept); a withdrawn or duplicate submission stays as it is."""
    if item.submission_id is None:
        return
    sub = item.submission
    event = FOLLOWS[item.status]
    if sub is not None and submissions.allows(sub.status, event):
        sub.reason = code if item.status == ItemStatus.REJECTED else None
        submissions.move(sub, event, code or "")


def for_the_desk(session: Session, limit: int = SHOWN) -> Sequence[Submission]:
    """Links the editors may act on, newest first: not fetched yet, failed (retry or
    refuse), or fetched as a feed or a site's page with no item (add as a source)."""
    return session.scalars(
        select(Submission).where(or_(
            Submission.status.in_((S.RECEIVED, S.FAILED)),
            (Submission.status == S.FETCHED) & Submission.item_id.is_(None)))
        .options(joinedload(Submission.submitter))
        .order_by(Submission.created_at.desc(), Submission.id.desc()).limit(limit)).all()


def mine(session: Session, user_id: int, limit: int = SHOWN) -> Sequence[Submission]:
    """A person's submissions, newest first, with their history and items."""
    return session.scalars(
        select(Submission).where(Submission.submitter_id == user_id)
        .options(joinedload(Submission.item), joinedload(Submission.events))
        .order_by(Submission.created_at.desc(), Submission.id.desc()).limit(limit)
    ).unique().all()


def withdraw(session: Session, user_id: int, submission_id: int) -> Submission:
    """The person takes back their own submission still waiting for the desk."""
    sub = session.get(Submission, submission_id, with_for_update=True)
    if sub is None or sub.submitter_id != user_id:
        raise NotFound(_("You have no submission {number}.").format(number=submission_id))
    if not submissions.allows(sub.status, Event.WITHDRAWN):
        raise InvalidTransition(_("This link is {status} already: it can no longer be "
                                  "withdrawn.").format(status=word(sub.status)))
    submissions.move(sub, Event.WITHDRAWN)
    _out_of_the_queue(session, sub, session.get(User, user_id),
                      "withdrawn by its correspondent")
    return sub


def retry(session: Session, submission_id: int) -> Submission:
    """A failed link back to received: the next cycle fetches it again."""
    sub = _desk_submission(session, submission_id)
    submissions.move(sub, Event.RETRY, "retried by the desk")
    return sub


def refuse(session: Session, submission_id: int, code: str) -> Submission:
    """A link without an item turned down (spam unfetched, a feed not wanted)."""
    sub = _desk_submission(session, submission_id)
    if sub.item_id is not None and sub.status == S.FETCHED:
        raise InvalidTransition(_("Decide on its item in the queue instead."))
    submissions.move(sub, Event.REFUSED, code)
    sub.reason = code
    return sub


def suspend(session: Session, editor: User, user_id: int) -> int:
    """Suspend a correspondent: they send no more links, and each of theirs that waits
    leaves the queue (its item rejected by `editor`, saying why); returns how many."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(_("there is no user {number}").format(number=user_id))
    if user.role != Role.CORRESPONDENT:
        raise InvalidTransition(_("Only correspondents' accounts are suspended here; an "
                                  "administrator disables the others."))
    user.suspended_at = user.suspended_at or utcnow()
    waiting = session.scalars(select(Submission).where(
        Submission.submitter_id == user_id,
        Submission.status.in_(tuple(submissions.OPEN)))).all()
    for sub in waiting:
        submissions.move(sub, Event.SUSPENDED, f"account suspended by {editor.username}")
        sub.reason = "suspended"
        _out_of_the_queue(session, sub, editor, "its correspondent's account was suspended")
    return len(waiting)


def unsuspend(session: Session, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("there is no user {number}").format(number=user_id))
    user.suspended_at = None


def _desk_submission(session: Session, submission_id: int) -> Submission:
    sub = session.get(Submission, submission_id, with_for_update=True)
    if sub is None:
        raise NotFound(_("There is no submission {number}.").format(number=submission_id))
    return sub


def _out_of_the_queue(session: Session, sub: Submission, actor: User, why: str) -> None:
    """Reject the submission's item while it still waits in the queue, recorded as
    `actor`'s decision with `why`."""
    item = session.get(Item, sub.item_id) if sub.item_id else None
    if item is None or item.submission_id != sub.id or item.status != ItemStatus.PENDING:
        return
    item.status = ItemStatus.REJECTED
    session.add(Decision(item=item, editor_id=actor.id, action="reject",
                         from_status=ItemStatus.PENDING, to_status=ItemStatus.REJECTED,
                         reason=why, created_at=utcnow()))
