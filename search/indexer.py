"""Keeping the search index in step with the store, whichever engine holds it.

The index holds the published items, which readers search, and the queue's pending ones,
which editors search (neither the copies of another item); each document carries its
status.
The store says what is indexed: `Item.indexed_at` is set once an item's document is
committed, and an item is due again when it (its status too) or one of its translations
changed after that; a crashed run loses nothing, the next one takes the items up again. The index is
derived and can always be rebuilt from the store.

`settings.index_dir` is a symbolic link to the current index version; each version holds
`rabkor-index.json` (engine, site languages, layout). A rebuild writes a new version
beside the link and swaps it with one atomic rename, so readers always have an index;
a version that no longer fits the settings (another engine, other languages) is rebuilt.

One writer at a time across processes: every run takes an exclusive `flock` on
`.index.lock` beside the link, waiting up to WRITER_TIMEOUT seconds before IndexBusy.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import exists, or_, select, update

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.changes import UNSEEN
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, Translation, utcnow
from rabkor.search.documents import documents_for
from rabkor.search.engine import INDEXED, Engine, open_engine

LAYOUT = 5  # the fields of documents.py and the engines'; a change makes every index rebuild
# older layouts that searches still read until the rebuild replacing them is swapped in,
# so that an upgrade leaves readers an index: layout 4 lacks only tantivy's sample levels
# (a very large result's facets come back empty meanwhile)
READABLE = frozenset({4})
MANIFEST = "rabkor-index.json"
WRITER_TIMEOUT = 60.0
WRITER_RETRY = 0.1
BATCH = 1000  # items read from the store, and committed by an update, at once

Progress = Callable[[int, int], None]


class IndexBusy(RabkorError):
    """Another process held the index's write lock for longer than WRITER_TIMEOUT: try
    again when that indexing run or rebuild has finished."""

    status = 503


@dataclass(frozen=True)
class IndexReport:
    indexed: int
    deleted: int
    rebuilt: bool = False


def manifest(settings: Settings) -> dict:
    return {"engine": settings.search_engine, "languages": list(settings.languages),
            "layout": LAYOUT}


def current_version(settings: Settings, readable: bool = False) -> Path | None:
    """The live version's directory if it fits the settings, else None; `readable`: a
    version of an older layout that searches can read will do (the indexer rebuilds it)."""
    live = settings.index_dir
    try:
        found = json.loads((live / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    wanted = manifest(settings)
    if found == wanted or (readable and isinstance(found, dict)
                           and found.get("layout") in READABLE
                           and {**found, "layout": LAYOUT} == wanted):
        return live.resolve()
    return None


def update_index(settings: Settings, store: Store, progress: Progress | None = None,
                 item_ids: Iterable[int] | None = None) -> IndexReport:
    """Index the items that are due (of `item_ids`, when given: the items an editor just
    decided) and drop the items that left the index (rejected, or become copies). An
    index that does not fit the settings is rebuilt instead."""
    with _index_lock(settings.index_dir):
        version = current_version(settings)
        if version is None:
            return _rebuild(settings, store, progress)
        started = utcnow()
        wanted = None if item_ids is None else sorted(set(item_ids))
        with store.read() as s:
            due_q = select(Item.id).where(_is_due()).order_by(Item.id)
            gone_q = select(Item.id).where(~_indexable(), Item.indexed_at.is_not(None))
            if wanted is not None:
                due_q, gone_q = due_q.where(Item.id.in_(wanted)), gone_q.where(
                    Item.id.in_(wanted))
            due = s.scalars(due_q).all()
            gone = s.scalars(gone_q).all()
        engine = open_engine(settings.search_engine, version, settings.languages)
        try:
            deleted = _delete(engine, store, gone)
            for done in _index_in_batches(engine, settings, store, due, started):
                if progress:
                    progress(done, len(due))
        finally:
            engine.close()
    return IndexReport(indexed=len(due), deleted=deleted)


def rebuild_index(settings: Settings, store: Store,
                  progress: Progress | None = None) -> IndexReport:
    """Build the whole index into a new directory, then swap it in atomically; searches
    keep reading the current version until the swap."""
    with _index_lock(settings.index_dir):
        return _rebuild(settings, store, progress)


def _rebuild(settings: Settings, store: Store, progress: Progress | None) -> IndexReport:
    started = utcnow()
    live = settings.index_dir
    version = _version_path(live)
    engine = open_engine(settings.search_engine, version, settings.languages, create=True)
    with store.read() as s:
        ids = s.scalars(select(Item.id).where(_indexable()).order_by(Item.id)).all()
    try:  # one commit at the end: fewer segments, and queries over them are faster (a
        # tantivy index of 100,000 items in 2 segments answers with facets in 1.3 ms at the
        # median where 6 took 2.3); the writer's heap bounds the memory either way
        with engine.writer() as writer:
            for start in range(0, len(ids), BATCH):
                with store.read() as s:
                    writer.add(documents_for(s, ids[start:start + BATCH], settings.languages),
                               replace=False)
                if progress:
                    progress(min(start + BATCH, len(ids)), len(ids))
    finally:
        engine.close()
    (version / MANIFEST).write_text(json.dumps(manifest(settings)), encoding="utf-8")
    previous = _swap(live, version)
    # marked once the version is live: a rebuild that fails before its swap leaves the
    # store saying what the live index holds
    for start in range(0, len(ids), BATCH):
        _mark_indexed(store, ids[start:start + BATCH], started)
    with store.transaction() as s:
        s.execute(update(Item).where(~_indexable(), Item.indexed_at.is_not(None))
                  .values(indexed_at=None, updated_at=Item.updated_at)
                  .execution_options(**UNSEEN))
    _remove_old_versions(live, keep={version, previous})
    return IndexReport(indexed=len(ids), deleted=0, rebuilt=True)


def _indexable():
    """The items the index holds: published or waiting in the queue, not the copies of
    another item (a story is found once; its copies move with it on the desk)."""
    return Item.status.in_([ItemStatus(s) for s in INDEXED]) & (
        Item.duplicate_of_id.is_(None))


def _is_due():
    """Indexable, and never indexed, or changed (the item or a translation) since."""
    newer_translation = exists().where(Translation.item_id == Item.id,
                                       Translation.created_at > Item.indexed_at)
    return _indexable() & or_(
        Item.indexed_at.is_(None), Item.indexed_at < Item.updated_at, newer_translation)


def _index_in_batches(engine: Engine, settings: Settings, store: Store, ids: list[int],
                      started: datetime) -> Iterator[int]:
    """Replace documents batch by batch, marking each batch indexed once it is committed.

    `started` (taken before the items were read) becomes their `indexed_at`, so an edit
    made while the batch was written leaves the item due for the next run.
    """
    with engine.writer() as writer:
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            with store.read() as s:
                writer.add(documents_for(s, batch, settings.languages), replace=True)
            writer.commit()
            _mark_indexed(store, batch, started)
            yield start + len(batch)


def _mark_indexed(store: Store, ids: list[int], moment: datetime | None) -> None:
    # Naming updated_at keeps its onupdate from firing, which would make the item due again;
    # UNSEEN: no page shows it, so the site's kept pages stay (core/store/changes.py)
    with store.transaction() as s:
        s.execute(update(Item).where(Item.id.in_(ids))
                  .values(indexed_at=moment, updated_at=Item.updated_at)
                  .execution_options(**UNSEEN))


def _delete(engine: Engine, store: Store, gone: list[int]) -> int:
    """Remove the documents of items the index no longer holds: the store names them (not
    indexable, still marked indexed); a rebuild drops any other stray document."""
    if not gone:
        return 0
    with engine.writer() as writer:
        writer.delete(gone)
    _mark_indexed(store, gone, None)
    return len(gone)


@contextmanager
def _index_lock(live: Path) -> Iterator[None]:
    """The one lock every index writer takes first, waited for instead of failing at once."""
    live.parent.mkdir(parents=True, exist_ok=True)
    with open(live.with_name(f".{live.name}.lock"), "a+b") as handle:
        deadline = time.monotonic() + WRITER_TIMEOUT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(
                        f"The search index at {live} is being written by another process "
                        f"(an indexing run or a rebuild) and stayed locked for "
                        f"{WRITER_TIMEOUT:.0f} s. Try again when it has finished.") from None
                time.sleep(WRITER_RETRY)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _version_path(live: Path) -> Path:
    return live.with_name(f"{live.name}-{utcnow():%Y%m%dT%H%M%S%f}")


def _swap(live: Path, version: Path) -> Path | None:
    """Point `live` at `version` with one rename; return the version it pointed at before."""
    previous = live.resolve() if live.is_symlink() else None
    if live.is_dir() and not live.is_symlink():  # a plain directory made by something else
        previous = live.rename(_version_path(live))
    link = live.with_name(f".{live.name}.swap")
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    os.replace(link, live)
    return previous


def _remove_old_versions(live: Path, keep: set[Path | None]) -> None:
    """Delete versions older than the one just replaced (searches may still be reading it)."""
    kept = {k.resolve() for k in keep if k}
    for path in live.parent.glob(f"{live.name}-*"):
        if path.resolve() not in kept:
            shutil.rmtree(path, ignore_errors=True)
