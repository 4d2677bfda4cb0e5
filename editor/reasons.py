"""The vocabulary of rejection reasons, kept by administrators: codes are added and
relabelled, retired and restored, never deleted (decisions name them)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rabkor.core.errors import AlreadyExists, InvalidInput, NotFound
from rabkor.core.store.models import ReasonCode, User
from rabkor.editor.audit import record
from rabkor.editor.i18n import _

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def add(session: Session, admin: User, code: str, label: str) -> ReasonCode:
    code, label = code.strip().lower(), " ".join(label.split())
    if not CODE.fullmatch(code):
        raise InvalidInput(_("a reason code is 1 to 40 letters, digits and hyphens, like "
                             "“off-line”; “{value}” is not").format(value=code[:40]))
    if not label or len(label) > 200:
        raise InvalidInput(_("a reason needs a label of 1 to 200 characters"))
    if session.get(ReasonCode, code):
        raise AlreadyExists(_("the reason code “{code}” exists already").format(code=code))
    last = session.scalar(select(func.max(ReasonCode.position))) or 0
    found = ReasonCode(code=code, label=label, active=True, position=last + 1)
    session.add(found)
    record(session, admin, "reason added", after={"code": code, "label": label})
    return found


def change(session: Session, admin: User, code: str, *, label: str | None = None,
           active: bool | None = None) -> None:
    found = session.get(ReasonCode, code)
    if found is None:
        raise NotFound(_("there is no reason code “{code}”").format(code=code[:40]))
    before = {"code": code, "label": found.label, "active": found.active}
    if label is not None:
        label = " ".join(label.split())
        if not label or len(label) > 200:
            raise InvalidInput(_("a reason needs a label of 1 to 200 characters"))
        found.label = label
    if active is not None:
        if not active and session.scalar(select(func.count()).select_from(ReasonCode).where(
                ReasonCode.active.is_(True), ReasonCode.code != code)) == 0:
            raise InvalidInput(_("the last reason code in use cannot be retired: rejections "
                                 "would have none to name"))
        found.active = active
    record(session, admin, "reason changed", before=before,
           after={"code": code, "label": found.label, "active": found.active})


def every(session: Session) -> list[ReasonCode]:
    return list(session.scalars(select(ReasonCode).order_by(ReasonCode.position,
                                                            ReasonCode.code)))
