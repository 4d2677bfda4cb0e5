"""The newest fingerprinted items, kept in memory for the near-duplicate safety net.

Every new item is compared with the newest `SIZE` stored items (crawler/store/items.py), and
reading them all again for every feed stored was a quarter of a big crawl's storing. The
window is read once per store and process, then topped up with the items stored since.
A top-up also reads the newest item it already holds: when that one is gone or changed
(a rolled-back insert, or an id SQLite reused after one) the window is read afresh. What
a window may still hold wrongly (an item another writer committed late is missing; an
item's own root may have moved) costs at most a missed link: items.py reads every match
it takes from the window back from the store before linking to it.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item

SIZE = 2000  # newest items every new one is compared with, besides its band matches


class RecentFingerprints:
    """The ids, fingerprints, sources and roots of the newest `SIZE` fingerprinted items."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        # id, simhash, source_id (0: a correspondent's link), root or 0
        self._rows = np.empty((0, 4), dtype=np.int64)

    def others(self, session: Session, source_id: int) -> np.ndarray:
        """Rows (id, simhash, root or 0) of the newest items, oldest first, without those
        of `source_id`: a copy, free to change."""
        with self._lock:
            self._top_up(session)
            return self._rows[self._rows[:, 2] != source_id][:, [0, 1, 3]]

    def _top_up(self, session: Session) -> None:
        query = (select(Item.id, Item.simhash, Item.source_id, Item.duplicate_of_id)
                 .where(Item.simhash.is_not(None)).order_by(Item.id.desc()).limit(SIZE))
        held = len(self._rows) > 0
        if held:  # what was stored since, and the newest held, which must be unchanged
            newest = (int(self._rows[-1, 0]), int(self._rows[-1, 1]))
            rows = session.execute(query.where(Item.id >= newest[0])).tuples().all()
            held = bool(rows) and tuple(rows[-1][:2]) == newest
            if held:
                rows.pop()
        if not held:
            self.clear()
            rows = session.execute(query).tuples().all()
        if rows:
            new = np.array([(i, h, s or 0, root or 0) for i, h, s, root in reversed(rows)],
                           dtype=np.int64)
            self._rows = np.concatenate([self._rows, new])[-SIZE:]


_windows: weakref.WeakKeyDictionary[Engine, RecentFingerprints] = weakref.WeakKeyDictionary()
_windows_lock = threading.Lock()


def window(session: Session) -> RecentFingerprints:
    """The window of the store `session` writes to."""
    engine = session.get_bind().engine
    with _windows_lock:
        if engine not in _windows:
            _windows[engine] = RecentFingerprints()
        return _windows[engine]
