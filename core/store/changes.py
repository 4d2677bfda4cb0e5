"""Which committed changes alter what readers see (published items, their translations
and topics, sources, topics, the people credited), so that the web processes' kept pages
(site/cache.py) are dropped the moment the desk publishes, edits or unpublishes —
whichever module made the change, through the ORM's objects or a statement run in a
session, in this process or another one on the same data directory (another web
worker, the pipeline, `rabkor translate`): each store's commits that matter replace a
stamp file there, and a cache compares the file's identity, one stat, with what it saw
when it rendered. Changes made outside Rabkor's stores (SQL by hand) reach a cache when
its entries expire.

New items that wait for the desk are not such a change: a crawl storing hundreds of them
would otherwise drop every kept page each time it commits. Nor is bookkeeping that no
page shows (the search index's and the rules' marks on items): such a statement says so
with the execution option UNSEEN.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from rabkor.core.store.models import (
    Item,
    ItemStatus,
    ItemTopic,
    Source,
    Topic,
    Translation,
    User,
)

WATCHED = (Item, Translation, ItemTopic, Source, Topic, User)
TABLES = frozenset(model.__tablename__ for model in WATCHED)
STAMP = "rabkor_changes_stamp"  # session.info key: the store's Stamp
_FLAG = "rabkor_reader_visible_change"
UNSEEN = {"rabkor_unseen_by_readers": True}  # statement.execution_options(**UNSEEN)


class Stamp:
    """A file replaced at each commit that changes what readers see, and a count of this
    process's such commits; `version()` differs after any of them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = 0

    def bump(self) -> None:
        with self._lock:
            self._count += 1
            # a new file each time (a new inode) so that two bumps within the clock's
            # granularity still differ; os.replace is atomic for readers
            fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            fresh.write_bytes(b"%d\n" % self._count)
            os.replace(fresh, self.path)

    def version(self) -> tuple[int, int, int]:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return self._count, 0, 0
        return self._count, found.st_ino, found.st_mtime_ns


def _reader_visible(obj: object) -> bool:
    if not isinstance(obj, WATCHED):
        return False
    if isinstance(obj, Item):  # published now, or was until this change
        status = inspect(obj).attrs.status.history
        return ItemStatus.APPROVED in (obj.status, *status.deleted)
    return True


@event.listens_for(Session, "before_flush")
def _note(session: Session, _context, _instances) -> None:
    # a source is "dirty" when only its list of items grew: its own columns must change
    changed = (obj for obj in session.dirty
               if session.is_modified(obj, include_collections=False))
    if any(map(_reader_visible, (*session.new, *changed, *session.deleted))):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    """An UPDATE, INSERT or DELETE statement run through the session (not objects), but
    for those marked UNSEEN."""
    if (state.is_update or state.is_delete or state.is_insert) and getattr(
            getattr(state.statement, "table", None), "name", None) in TABLES and not (
            state.execution_options.get("rabkor_unseen_by_readers")):
        state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _count(session: Session) -> None:
    stamp = session.info.get(STAMP)
    if session.info.pop(_FLAG, False) and stamp is not None:
        stamp.bump()
