"""Volunteer post-editing: claims, drafts, submissions and the editor's review.

A volunteer claims an item in one language; the claim is a row under a unique key
(item, language), so of two people claiming at once exactly one insert succeeds. Claims
expire after `CLAIM_LIFETIME` and can be released. Every save is a new revision row with
its author and time, so the history is complete. Only accepted work reaches readers: it
replaces the machine's Translation rows (is_human, with author and reviewer), makes the
item due for re-indexing and feeds the translation memory. Which moves the work can make
(save, submit, accept, return) is the table in `rabkor.editor.revisions`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from rabkor.core.i18n import moment_text
from rabkor.core.store.models import (
    Item,
    ItemStatus,
    RevisionStatus,
    Translation,
    TranslationClaim,
    TranslationRevision,
    User,
    utcnow,
)
from rabkor.editor import revisions
from rabkor.editor.alignment import Segment, join, segments, source_text
from rabkor.editor.errors import (
    AlreadyClaimed,
    IncompleteTranslation,
    NotPermitted,
    PostEditConflict,
)
from rabkor.editor.i18n import _, language_name, ngettext, word
from rabkor.editor.privileges import Privilege, may
from rabkor.editor.revisions import Event
from rabkor.translate.memory import HUMAN, remember_many

logger = logging.getLogger(__name__)

CLAIM_LIFETIME = timedelta(hours=2)
FIELDS = ("title", "summary", "content")
HUMAN_ENGINE = "human"
LIST_SIZE = 100


@dataclass(frozen=True)
class WorkItem:
    """A line of the per-language list: the item, its machine title and who holds it."""

    item: Item
    machine_title: Translation | None
    claim: TranslationClaim | None
    awaiting_review: bool


def fields_of(item: Item) -> tuple[str, ...]:
    """The fields a volunteer translates: title and summary, content when there is one."""
    return tuple(f for f in FIELDS if f == "title" or getattr(item, f).strip())


def layout(item: Item, language: str) -> dict[str, list[Segment]]:
    """Each field's aligned segments: source beside the current machine translation."""
    result = {}
    for field in fields_of(item):
        machine = item.translation(field, language)
        shown = machine.text if machine is not None and not machine.is_human else ""
        result[field] = segments(source_text(field, getattr(item, field)), shown)
    return result


def live_claim(session: Session, item_id: int, language: str,
               now: datetime | None = None) -> TranslationClaim | None:
    return session.scalar(
        select(TranslationClaim).options(joinedload(TranslationClaim.user))
        .where(TranslationClaim.item_id == item_id, TranslationClaim.language == language,
               TranslationClaim.expires_at > (now or utcnow())))


def claim(session: Session, item: Item, language: str, user: User,
          now: datetime | None = None) -> TranslationClaim:
    """Take (or renew) the item in `language` for `user`; AlreadyClaimed if someone has it."""
    now = now or utcnow()
    _check_translatable(item, language)
    if not revisions.allows(state_of(session, item.id, language), Event.SAVE):
        raise PostEditConflict(_("a translation of “{title}” into {language} is awaiting "
                                 "review; it can be claimed again if an editor returns it")
                               .format(title=item.title, language=language_name(language)))
    session.execute(delete(TranslationClaim).where(
        TranslationClaim.item_id == item.id, TranslationClaim.language == language,
        TranslationClaim.expires_at <= now))
    held = live_claim(session, item.id, language, now)
    if held is not None and held.user_id != user.id:
        raise _already(held, item)
    if held is not None:
        held.expires_at = now + CLAIM_LIFETIME
        return held
    row = TranslationClaim(item_id=item.id, language=language, user_id=user.id,
                           claimed_at=now, expires_at=now + CLAIM_LIFETIME)
    try:
        with session.begin_nested():  # the unique key decides a race; the savepoint survives
            session.add(row)
    except IntegrityError:
        winner = live_claim(session, item.id, language, now)
        if winner is None:
            raise
        raise _already(winner, item) from None
    logger.info("translation claimed item_id=%s language=%s user_id=%s", item.id, language,
                user.id)
    return row


def release(session: Session, item_id: int, language: str, user: User) -> None:
    """Give the item back; only its holder can (an expired claim needs no release)."""
    session.execute(delete(TranslationClaim).where(
        TranslationClaim.item_id == item_id, TranslationClaim.language == language,
        TranslationClaim.user_id == user.id))
    logger.info("translation released item_id=%s language=%s user_id=%s", item_id, language,
                user.id)


def save(session: Session, item: Item, language: str, user: User,
         sent: Mapping[str, Sequence[str]], submit: bool) -> TranslationRevision:
    """Record the volunteer's segments as a draft or a submission (which ends the claim)."""
    claim(session, item, language, user)
    status = revisions.after(state_of(session, item.id, language),
                             Event.SUBMIT if submit else Event.SAVE)
    plan = layout(item, language)
    texts = {field: join(plan[field], sent.get(field, ())) for field in plan}
    if submit:
        missing = [field for field, text in texts.items() if not text]
        if missing:
            raise IncompleteTranslation(ngettext(
                "the {fields} is not translated yet; save a draft or fill in every field",
                "the {fields} are not translated yet; save a draft or fill in every field",
                len(missing)).format(fields=_(" and ").join(word(f) for f in missing)))
    revision = TranslationRevision(
        item_id=item.id, language=language, author_id=user.id, created_at=utcnow(),
        status=status,
        segments={field: list(sent.get(field, ())) for field in plan}, review_note="",
        title=texts.get("title", ""), summary=texts.get("summary", ""),
        content=texts.get("content", ""))
    session.add(revision)
    if submit:
        release(session, item.id, language, user)
    session.flush()
    logger.info("translation %s item_id=%s language=%s revision_id=%s",
                "submitted" if submit else "saved", item.id, language, revision.id)
    return revision


def review(session: Session, revision: TranslationRevision, reviewer: User, accept: bool,
           note: str = "") -> None:
    """Accept a submission (it reaches readers) or return it to its author with a note."""
    if not may(reviewer.role, Privilege.REVIEW):
        raise NotPermitted(_("{name} is a {role}; only editors and administrators review "
                             "translations").format(name=reviewer.username,
                                                    role=word(reviewer.role)))
    if revision.author_id == reviewer.id:
        raise NotPermitted(_("nobody reviews their own translation; another editor will"))
    status = revisions.after(revision.status, Event.ACCEPT if accept else Event.RETURN)
    note = note.strip()
    if not accept and not note:
        raise IncompleteTranslation(_(
            "returning a translation needs a note saying what to change"))
    now = utcnow()
    revision.status = status
    revision.reviewer_id, revision.reviewed_at, revision.review_note = reviewer.id, now, note
    if accept:
        _publish(session, revision, reviewer, now)
    else:
        session.execute(delete(TranslationClaim).where(
            TranslationClaim.item_id == revision.item_id,
            TranslationClaim.language == revision.language))
        session.add(TranslationClaim(item_id=revision.item_id, language=revision.language,
                                     user_id=revision.author_id, claimed_at=now,
                                     expires_at=now + CLAIM_LIFETIME))
    session.flush()
    logger.info("translation %s item_id=%s language=%s revision_id=%s reviewer_id=%s",
                revision.status, revision.item_id, revision.language, revision.id, reviewer.id)


def _publish(session: Session, revision: TranslationRevision, reviewer: User,
             now: datetime) -> None:
    item = revision.item
    plan = layout(item, revision.language)  # before the machine's text is replaced
    for field in fields_of(item):
        text = getattr(revision, field)
        row = item.translation(field, revision.language)
        if row is None:
            row = Translation(field=field, language=revision.language)
            item.translations.append(row)
        row.source_language = item.language or ""
        row.text, row.engine, row.model_version, row.is_human = text, HUMAN_ENGINE, "", True
        row.pivot = None
        row.author_id, row.reviewed_by_id, row.reviewed_at = revision.author_id, reviewer.id, now
        row.created_at = now
    item.indexed_at = None  # the search index shows the human text from now on
    remember_many(session, item.language or "", revision.language, HUMAN,
                  _sentence_pairs(plan, revision.segments))


def _sentence_pairs(plan: Mapping[str, Sequence[Segment]],
                    typed: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(source sentence, volunteer's sentence) where the alignment was sentence by sentence."""
    pairs = []
    for field, layout_ in plan.items():
        texts = typed.get(field, ())
        if len(texts) == len(layout_):
            pairs += [(seg.source, text) for seg, text in zip(layout_, texts, strict=True)
                      if seg.sentence and text.strip()]
    return pairs


def work_list(session: Session, language: str, now: datetime | None = None,
              limit: int = LIST_SIZE) -> list[WorkItem]:
    """Items to translate into `language`: approved first, then pending, newest first.

    Items written in `language`, rejected ones and those with an accepted human
    translation are left out; items with a machine translation or none are in.
    """
    now = now or utcnow()
    human = exists().where(Translation.item_id == Item.id, Translation.language == language,
                           Translation.field == "title", Translation.is_human.is_(True))
    items = session.scalars(
        select(Item).options(selectinload(Item.translations))
        .where(Item.language.is_not(None), Item.language != language,
               Item.status.in_((ItemStatus.APPROVED, ItemStatus.PENDING)), ~human)
        .order_by((Item.status == ItemStatus.APPROVED).desc(),
                  Item.sort_at.desc(), Item.id.desc())
        .limit(limit)).all()
    ids = [item.id for item in items]
    claims = {c.item_id: c for c in session.scalars(
        select(TranslationClaim).options(joinedload(TranslationClaim.user))
        .where(TranslationClaim.item_id.in_(ids), TranslationClaim.language == language,
               TranslationClaim.expires_at > now))}
    waiting = set(session.scalars(
        select(TranslationRevision.item_id)
        .where(TranslationRevision.item_id.in_(ids), TranslationRevision.language == language,
               TranslationRevision.status == RevisionStatus.SUBMITTED)))
    return [WorkItem(item, _machine(item.translation("title", language)), claims.get(item.id),
                     item.id in waiting) for item in items]


def awaiting_review(session: Session) -> Sequence[TranslationRevision]:
    """Submissions waiting for an editor, oldest first (first come, first reviewed)."""
    return session.scalars(
        select(TranslationRevision)
        .options(joinedload(TranslationRevision.author), joinedload(TranslationRevision.item))
        .where(TranslationRevision.status == RevisionStatus.SUBMITTED)
        .order_by(TranslationRevision.created_at, TranslationRevision.id)).all()


def returned_to(session: Session, user_id: int) -> Sequence[TranslationRevision]:
    """The user's returned work that they have not saved again since."""
    return session.scalars(
        select(TranslationRevision)
        .options(joinedload(TranslationRevision.item), joinedload(TranslationRevision.reviewer))
        .where(TranslationRevision.author_id == user_id,
               TranslationRevision.status == RevisionStatus.RETURNED, ~_superseded())
        .order_by(TranslationRevision.reviewed_at.desc())).all()


def _superseded():
    """A later revision exists for the same item and language."""
    later = aliased(TranslationRevision)
    return exists().where(and_(later.item_id == TranslationRevision.item_id,
                               later.language == TranslationRevision.language,
                               later.id > TranslationRevision.id))


def history(session: Session, item_id: int, language: str) -> Sequence[TranslationRevision]:
    """Every revision of the item in `language`, newest first, with authors and reviewers."""
    return session.scalars(
        select(TranslationRevision)
        .options(joinedload(TranslationRevision.author), joinedload(TranslationRevision.reviewer))
        .where(TranslationRevision.item_id == item_id, TranslationRevision.language == language)
        .order_by(TranslationRevision.id.desc())).all()


def latest(session: Session, item_id: int, language: str) -> TranslationRevision | None:
    revisions = history(session, item_id, language)
    return revisions[0] if revisions else None


def state_of(session: Session, item_id: int, language: str) -> RevisionStatus | None:
    """Where the item's translation into `language` stands: its latest revision's status."""
    return session.scalar(
        select(TranslationRevision.status)
        .where(TranslationRevision.item_id == item_id, TranslationRevision.language == language)
        .order_by(TranslationRevision.id.desc()).limit(1))


def _check_translatable(item: Item, language: str) -> None:
    if item.status is ItemStatus.REJECTED:
        raise PostEditConflict(_("“{title}” was rejected; rejected items are not translated")
                               .format(title=item.title))
    if item.language == language:
        raise PostEditConflict(_("“{title}” is written in {language} already").format(
            title=item.title, language=language_name(language)))


def _already(held: TranslationClaim, item: Item) -> AlreadyClaimed:
    return AlreadyClaimed(_("“{title}” is already claimed by {name} (until {moment}); pick "
                            "another item or try again later").format(
        title=item.title, name=held.user.username, moment=moment_text(held.expires_at)))


def _machine(translation: Translation | None) -> Translation | None:
    return translation if translation is not None and not translation.is_human else None
