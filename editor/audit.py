"""The desk's log in one place: decisions, internal notes and the audit events (lock
takeovers, people's accounts) read as one timeline, newest first — for an item on its
page, or for the whole desk on the log page, filtered by who, what and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from rabkor.core.store.models import AuditEvent, Decision, ItemNote, User
from rabkor.editor.i18n import _, word

DECISION, NOTE = "decision", "note"
PAGE = 100


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    kind: str  # "decision", "note", or an audit event's action
    text: str
    item_id: int | None = None
    item_title: str = ""


def entries(session: Session, *, item_id: int | None = None, who: str = "", what: str = "",
            before: datetime | None = None, limit: int = PAGE) -> list[Entry]:
    """The newest `limit` entries (of one item, by one username, of one kind, before a
    moment), from each source at most `limit`, merged."""
    found: list[Entry] = []
    if what in ("", DECISION):
        q = select(Decision).options(joinedload(Decision.editor), joinedload(Decision.item),
                                     joinedload(Decision.rule))
        q = _narrow(q, Decision, Decision.editor_id, item_id, who, before)
        found += [Entry(d.created_at, d.by, DECISION,
                        f"{word(d.action)}: {word(d.from_status)} → {word(d.to_status)}"
                        + _why(d),
                        d.item_id, d.item.title)
                  for d in session.scalars(q.order_by(Decision.created_at.desc()).limit(limit))]
    if what in ("", NOTE):
        q = select(ItemNote).options(joinedload(ItemNote.author))
        q = _narrow(q, ItemNote, ItemNote.author_id, item_id, who, before)
        found += [Entry(n.created_at, n.author.username, NOTE, n.text, n.item_id)
                  for n in session.scalars(q.order_by(ItemNote.created_at.desc()).limit(limit))]
    if what not in (DECISION, NOTE):
        q = select(AuditEvent).options(joinedload(AuditEvent.actor))
        q = _narrow(q, AuditEvent, AuditEvent.actor_id, item_id, who, before)
        if what:
            q = q.where(AuditEvent.action == what)
        found += [Entry(e.created_at, e.actor.username if e.actor else "Rabkor", e.action,
                        describe(e), e.item_id)
                  for e in session.scalars(q.order_by(AuditEvent.created_at.desc())
                                           .limit(limit))]
    found.sort(key=lambda e: e.at, reverse=True)
    return found[:limit]


def record(session: Session, actor: User | None, action: str, *, item_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    """An audit event: who did what (to which item), with the state before and after."""
    session.add(AuditEvent(actor_id=actor.id if actor else None, action=action,
                           item_id=item_id, before=before, after=after))


def actions(session: Session) -> list[str]:
    """What the log can be filtered by: decisions, notes and every audit action seen."""
    seen = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return [DECISION, NOTE, *seen]


def _why(decision: Decision) -> str:
    said = ": ".join(p for p in (decision.reason_code, decision.reason) if p)
    return f" ({said})" if said else ""


def describe(event: AuditEvent) -> str:
    """An event's details in the editor's language (the store keeps them as data)."""
    before, after = event.before or {}, event.after or {}
    if event.action == "lock taken over":
        holder = before.get("holder", "?")
        if before.get("stale"):
            return _("took over the review from {name} (their lock had expired)").format(
                name=holder)
        return _("took over the review from {name}").format(name=holder)
    if event.action == "user role":
        return (f"{after.get('user')}: {word(before.get('role'))} → "
                f"{word(after.get('role'))}")
    if event.action == "item edited":
        changed = [k for k in ("title", "summary") if before.get(k) != after.get(k)]
        return "; ".join(f"{word(k)}: “{str(before.get(k))[:80]}” → “{str(after.get(k))[:80]}”"
                         for k in changed)
    if event.action in ("user invited",):
        return _("{name} as {role}").format(name=after.get("user"), role=word(after.get("role")))
    return str(after.get("user") or before.get("user") or "")


def _narrow(q, model, actor_column, item_id, who, before):
    if item_id is not None:
        q = q.where(model.item_id == item_id)
    if who:
        q = q.where(actor_column.in_(select(User.id).where(User.username == who)))
    if before is not None:
        q = q.where(model.created_at < before)
    return q
