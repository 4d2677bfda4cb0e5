"""A count of the committed changes to what readers see (items, their translations and
topics, sources, topics), so that a web process's cached pages can be dropped the moment
the desk publishes, edits or unpublishes in that process — whichever module made the
change, through the ORM's objects or a statement run in a session. Other processes'
changes (a `rabkor translate` run, another web worker) reach a cache when its entries
expire (site/cache.py)."""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item, ItemTopic, Source, Topic, Translation

WATCHED = (Item, Translation, ItemTopic, Source, Topic)
TABLES = frozenset(model.__tablename__ for model in WATCHED)
_FLAG = "rabkor_reader_visible_change"
_lock = threading.Lock()
_version = 0


def version() -> int:
    return _version


@event.listens_for(Session, "before_flush")
def _note(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, WATCHED)
           for objects in (session.new, session.dirty, session.deleted) for obj in objects):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    """An UPDATE, INSERT or DELETE statement run through the session (not objects)."""
    if (state.is_update or state.is_delete or state.is_insert) and getattr(
            getattr(state.statement, "table", None), "name", None) in TABLES:
        state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _count(session: Session) -> None:
    global _version
    if session.info.pop(_FLAG, False):
        with _lock:
            _version += 1
