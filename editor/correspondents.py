"""Correspondents' accounts: invitations that anyone on the desk can give (the tree of
who invited whom is kept), or open registration that an editor approves (the
`registration` setting); the profile; consents given one by one, each recorded with
the words shown and its time; everything stored about a person as JSON; and deletion,
after which their submissions stay, credited to a former correspondent.

An invitation's token is shown once, to the person who made it; the store keeps only
its SHA-256.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from rabkor.core.accounts import create_user, token_digest
from rabkor.core.errors import InvalidInput, NotFound, RabkorError
from rabkor.core.languages import language_code
from rabkor.core.store.models import (
    AccountLink,
    Affiliation,
    AuditEvent,
    Consent,
    ConsentKind,
    Decision,
    Invitation,
    ItemNote,
    Notice,
    Role,
    Rule,
    SavedFilter,
    Source,
    Submission,
    Translation,
    TranslationRevision,
    User,
    WebSession,
    utcnow,
)
from rabkor.core.text.chars import printable
from rabkor.editor.audit import record
from rabkor.editor.i18n import N_, _
from rabkor.editor.notices import plain_address

INVITATION_DAYS = 14
OPEN_INVITATIONS = 20  # per person: an invitation tree grows by people, not by batches
BIO_CHARS = 1000
FIELD_CHARS = 300

# the words each consent is asked with (translated where shown; the words shown are kept)
CONSENT_WORDING = {
    ConsentKind.CREDIT: N_("Show my name on the published items I brought in."),
    ConsentKind.PUBLIC_PROFILE: N_("Show my profile (name, country, languages, "
                                   "affiliations and bio) on the site."),
    ConsentKind.CONTACT: N_("The editors may write to me about my submissions and tasks."),
}
# where each consent's current answer is kept on the user's row
CURRENT = {ConsentKind.CREDIT: "credit_consent", ConsentKind.PUBLIC_PROFILE: "public_profile",
            ConsentKind.CONTACT: "contact_consent"}


class InvitationUnusable(RabkorError):
    """The invitation is unknown, used, revoked or expired."""

    status = 410


def invite(session: Session, by: User) -> tuple[Invitation, str]:
    """A one-time link for one new correspondent, from `by` (who is then their inviter)."""
    now = utcnow()
    open_ones = session.scalars(select(Invitation).where(
        Invitation.created_by_id == by.id, Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now)).all()
    if len(open_ones) >= OPEN_INVITATIONS:
        raise InvalidInput(_("you have {count} unused invitations; revoke one or wait until "
                             "one is used").format(count=len(open_ones)))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(token_hash=token_digest(token), created_by_id=by.id,
                            created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(invitation)
    session.flush()
    record(session, by, "invitation made", after={"invitation": invitation.id})
    return invitation, token


def revoke(session: Session, by: User, invitation_id: int) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or (invitation.created_by_id != by.id and by.role != Role.ADMIN):
        raise NotFound(_("there is no invitation {number} of yours").format(
            number=invitation_id))
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        record(session, by, "invitation revoked", after={"invitation": invitation.id})


def invitations_of(session: Session, user: User) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.created_by_id == user.id)
                                .options(selectinload(Invitation.used_by))
                                .order_by(Invitation.created_at.desc())))


def invitation_of(session: Session, token: str) -> Invitation:
    invitation = session.scalar(select(Invitation).where(
        Invitation.token_hash == token_digest(token)))
    if (invitation is None or invitation.used_at or invitation.revoked_at
            or invitation.expires_at <= utcnow()):
        raise InvitationUnusable(_("this invitation cannot be used any more (used, revoked or "
                                   "expired); ask the person who sent it for a new one"))
    return invitation


def join(session: Session, token: str | None, username: str, password: str,
         display_name: str, consents: dict[ConsentKind, bool], wording: dict[ConsentKind, str]
         ) -> User:
    """A new correspondent: active at once through an invitation; without one (open
    registration) waiting until an editor approves them."""
    invitation = invitation_of(session, token) if token is not None else None
    user = create_user(session, username, password, Role.CORRESPONDENT,
                       _line(display_name, N_("display name")) or username.strip())
    if invitation is not None:
        invitation.used_at, invitation.used_by_id = utcnow(), user.id
        user.invited_by_id = invitation.created_by_id
    else:
        user.active, user.applied_at = False, utcnow()
    set_consents(session, user, consents, wording)
    record(session, user, "correspondent joined",
           after={"user": user.username, "invited by": invitation.created_by_id
                  if invitation else None})
    return user


def approve(session: Session, editor: User, user: User) -> None:
    """Let an applicant in (open registration)."""
    if user.applied_at is None or user.active:
        raise InvalidInput(_("{name} is not waiting for approval").format(name=user.username))
    user.active, user.applied_at = True, None
    record(session, editor, "correspondent approved", after={"user": user.username})


def applicants(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.applied_at.is_not(None))
                                .order_by(User.applied_at)))


def save_profile(session: Session, user: User, *, display_name: str, country: str,
                 reads: list[str], writes: list[str], affiliations: str, bio: str,
                 source_ids: list[int], email: str = "", notices: bool = True) -> None:
    """The profile as the form sends it; the address is only for the notices of decisions
    on their links (editor/notices.py), never shown to anyone."""
    email = email.strip()
    if email and not plain_address(email):
        raise InvalidInput(_("“{address}” is not an e-mail address like ana@example.org")
                           .format(address=printable(email)[:80]))
    user.email, user.notices = email, notices
    user.display_name = _line(display_name, N_("display name")) or user.username
    user.country = _line(country, N_("country"))
    user.reads, user.writes = _languages(reads), _languages(writes)
    user.affiliations = _text(affiliations, N_("affiliations"), FIELD_CHARS * 4)
    user.bio = _text(bio, N_("bio"), BIO_CHARS)
    wanted = set(session.scalars(select(Source.id).where(Source.id.in_(source_ids))))
    session.execute(delete(Affiliation).where(Affiliation.user_id == user.id))
    session.add_all(Affiliation(user_id=user.id, source_id=s) for s in sorted(wanted))


def set_consents(session: Session, user: User, consents: dict[ConsentKind, bool],
                 wording: dict[ConsentKind, str]) -> list[ConsentKind]:
    """Record each consent whose answer changed (or was never given), with the words the
    person read; the current answers are on the user's row. Returns what changed."""
    changed = []
    for kind in ConsentKind:
        given = bool(consents.get(kind, False))
        known = session.scalar(select(Consent).where(Consent.user_id == user.id,
                                                     Consent.kind == kind)
                               .order_by(Consent.at.desc(), Consent.id.desc()).limit(1))
        if known is not None and known.given == given:
            continue
        session.add(Consent(user_id=user.id, kind=kind, given=given, wording=wording[kind]))
        setattr(user, CURRENT[kind], given)
        changed.append(kind)
    return changed


def export(session: Session, user: User) -> dict:
    """Everything stored about `user`, and nothing about anyone else: others appear by
    number at most (the inviter, the invitations' users are not named)."""

    def when(moment):
        return moment.isoformat() if moment else None

    return {
        "account": {"id": user.id, "username": user.username, "role": str(user.role),
                    "display name": user.display_name, "active": user.active,
                    "created": when(user.created_at), "invited by (number)": user.invited_by_id,
                    "waiting for approval since": when(user.applied_at),
                    "desk language": user.ui_language, "review language": user.review_language,
                    "e-mail address": user.email, "e-mail notices": user.notices,
                    "password": "stored as an argon2 hash, not exported"},
        "profile": {"country": user.country, "reads": user.reads, "writes": user.writes,
                    "affiliations": user.affiliations, "bio": user.bio,
                    "organisations in the directory": [
                        {"source": source_id, "title": title} for source_id, title in
                        session.execute(select(Source.id, Source.title).join(
                            Affiliation, Affiliation.source_id == Source.id)
                            .where(Affiliation.user_id == user.id))]},
        "consents": [{"kind": str(c.kind), "given": c.given, "wording": c.wording,
                      "at": when(c.at)} for c in session.scalars(
                          select(Consent).where(Consent.user_id == user.id)
                          .order_by(Consent.at, Consent.id))],
        "submissions": [{"id": s.id, "url": s.url, "note": s.note, "language": s.language,
                         "topic": s.topic, "status": str(s.status),
                         "sent": when(s.created_at)} for s in session.scalars(
                             select(Submission).where(Submission.submitter_id == user.id)
                             .order_by(Submission.id))],
        "translations": [{"item": t.item_id, "field": t.field, "language": t.language,
                          "text": t.text, "created": when(t.created_at)}
                         for t in session.scalars(select(Translation).where(
                             Translation.author_id == user.id).order_by(Translation.id))],
        "translation revisions": [{"id": r.id, "item": r.item_id, "language": r.language,
                                   "status": str(r.status), "created": when(r.created_at)}
                                  for r in session.scalars(select(TranslationRevision).where(
                                      TranslationRevision.author_id == user.id)
                                      .order_by(TranslationRevision.id))],
        "e-mail notices": [{"link": n.event.submission_id, "state told": str(n.event.status),
                            "notice": str(n.state), "attempts": n.attempts,
                            "reason": n.reason, "sent": when(n.sent_at)}
                           for n in session.scalars(select(Notice).where(
                               Notice.user_id == user.id).order_by(Notice.id))],
        "invitations made": [{"id": i.id, "created": when(i.created_at),
                              "expires": when(i.expires_at), "used": i.used_at is not None,
                              "revoked": i.revoked_at is not None}
                             for i in invitations_of(session, user)],
        "desk log (their own actions)": [
            {"at": when(e.created_at), "action": e.action, "item": e.item_id}
            for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id)
                                     .order_by(AuditEvent.id))],
    }


def delete_account(session: Session, user: User) -> None:
    """The account and its profile go; what they contributed stays without their name:
    submissions credited to a former correspondent, translations and the desk's records
    without an author."""
    if user.role == Role.ADMIN:
        raise InvalidInput(_("an administrator's account is not deleted here; another "
                             "administrator can disable it"))
    uid = user.id
    session.execute(update(Submission).where(Submission.submitter_id == uid).values(
        submitter_id=None, submitter_name=None, submitter_gone=True))
    for model, column in ((Translation, "author_id"), (Translation, "reviewed_by_id"),
                          (TranslationRevision, "author_id"),
                          (TranslationRevision, "reviewer_id"), (Decision, "editor_id"),
                          (AuditEvent, "actor_id"), (Rule, "created_by_id"),
                          (AccountLink, "created_by_id"), (User, "invited_by_id")):
        session.execute(update(model).where(getattr(model, column) == uid)
                        .values({column: None}))
    for model in (WebSession, SavedFilter, ItemNote):
        column = model.author_id if model is ItemNote else model.user_id
        session.execute(delete(model).where(column == uid))
    record(session, None, "account deleted", after={"user number": uid})
    session.delete(user)


def _line(value: str, field: str) -> str:
    text = printable(value or "").strip()
    if "\x00" in (value or "") or len(text) > FIELD_CHARS:
        raise InvalidInput(_("the {field} is too long or holds characters it cannot have")
                           .format(field=_(field)))
    return text


def _text(value: str, field: str, limit: int) -> str:
    text = printable(value or "", lines=True).strip()
    if "\x00" in (value or "") or len(text) > limit:
        raise InvalidInput(_("the {field} may have at most {count} characters").format(
            field=_(field), count=limit))
    return text


def _languages(codes: list[str]) -> list[str]:
    found = []
    for raw in codes:
        if raw.strip():
            try:
                code = language_code(raw)
            except ValueError:
                raise InvalidInput(_("“{code}” is not a language code like en, es or pt-BR")
                                   .format(code=printable(raw)[:20])) from None
            if code not in found:
                found.append(code)
    return found[:20]

