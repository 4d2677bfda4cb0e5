"""The public moderation log (a setting, off by default): the correspondents' links the
editors turned down, newest first, each with when and the reason code of the decision —
never who sent it, and the link's host only, so the log is no billboard for the spam it
lists. Paged by the decision's id (no OFFSET)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from rabkor.core.store.models import Decision, Item, ItemStatus, ReasonCode
from rabkor.core.text.urls import UrlError, parse_url

PAGE = 50


@dataclass(frozen=True)
class Refusal:
    decision_id: int
    at: datetime
    title: str
    host: str
    reason: str  # the reason code's label, as the desk wrote it
    by_rule: bool


def refusals(session: Session, *, before: int | None = None, limit: int = PAGE
             ) -> list[Refusal]:
    """The decision that rejected each submitted item rejected now (its latest decision)."""
    later = aliased(Decision)
    q = (select(Decision.id, Decision.created_at, Decision.rule_id, Item.title, Item.url,
                ReasonCode.label)
         .join(Item, Item.id == Decision.item_id)
         .outerjoin(ReasonCode, ReasonCode.code == Decision.reason_code)
         .where(Item.submission_id.is_not(None), Item.status == ItemStatus.REJECTED,
                Decision.to_status == ItemStatus.REJECTED,
                ~exists().where(later.item_id == Decision.item_id, later.id > Decision.id)))
    if before is not None:
        q = q.where(Decision.id < before)
    return [Refusal(row.id, row.created_at, row.title, _host(row.url), row.label or "",
                    row.rule_id is not None)
            for row in session.execute(q.order_by(Decision.id.desc()).limit(limit))]


def _host(url: str) -> str:
    try:
        return parse_url(url).host
    except UrlError:
        return ""
