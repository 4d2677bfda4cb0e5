"""Keeping the Whoosh index in step with the store.

The store says what is indexed: `Item.indexed_at` is set once an item's document is
committed to the index, and an item is due again when it or one of its translations
changed after that. The index is derived and can always be rebuilt from the store.

`settings.index_dir` is a symbolic link to the current index version: a rebuild writes a
new version beside it and swaps the link with one atomic rename.

Whoosh allows one writer at a time and a second `writer()` fails at once with LockError;
its lock also lives inside a version, which a rebuild replaces. So every run (update or
rebuild) first takes one lock file beside the link, `.index.lock`, waiting up to
WRITER_TIMEOUT seconds (retrying every WRITER_RETRY seconds) and only then giving up with
IndexBusy: overlapping runs queue up, and an update never writes into a replaced version.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import selectinload
from whoosh import index
from whoosh.index import FileIndex
from whoosh.util.filelock import FileLock, try_for
from whoosh.writing import SegmentWriter

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, Translation, utcnow
from rabkor.site.search.schema import build_schema, document_for

WRITER_TIMEOUT = 60.0
WRITER_RETRY = 0.25
BATCH = 500

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


def update_index(settings: Settings, store: Store, progress: Progress | None = None) -> IndexReport:
    """Index the approved items that are due and drop the items no longer approved.

    When the site's languages changed since the index was built, its fields no longer
    fit and the whole index is rebuilt instead.
    """
    with _index_lock(settings.index_dir):
        ix = _open_or_create(settings)
        if set(ix.schema.names()) != set(build_schema(settings.languages).names()):
            return _rebuild(settings, store, progress)
        started = utcnow()
        with store.read() as s:
            due = s.scalars(select(Item.id).where(_is_due()).order_by(Item.id)).all()
            approved = set(s.scalars(select(Item.id).where(Item.status == ItemStatus.APPROVED)))
        deleted = _delete_unapproved(ix, approved, store)
        for done in _index_in_batches(ix, settings, store, due, started):
            if progress:
                progress(done, len(due))
    return IndexReport(indexed=len(due), deleted=deleted)


def rebuild_index(settings: Settings, store: Store,
                  progress: Progress | None = None) -> IndexReport:
    """Build the whole index into a new directory, then swap it in atomically.

    Searches keep reading the current version until the swap.
    """
    with _index_lock(settings.index_dir):
        return _rebuild(settings, store, progress)


def _rebuild(settings: Settings, store: Store, progress: Progress | None) -> IndexReport:
    started = utcnow()
    live = settings.index_dir
    version = _new_version(live)
    fresh = index.create_in(str(version), build_schema(settings.languages))
    with store.read() as s:
        ids = s.scalars(select(Item.id).where(Item.status == ItemStatus.APPROVED)
                        .order_by(Item.id)).all()
    for done in _index_in_batches(fresh, settings, store, ids, started):
        if progress:
            progress(done, len(ids))
    previous = _swap(live, version)
    with store.transaction() as s:
        s.execute(update(Item).where(Item.status != ItemStatus.APPROVED,
                                     Item.indexed_at.is_not(None))
                  .values(indexed_at=None, updated_at=Item.updated_at))
    _remove_old_versions(live, keep={version, previous})
    return IndexReport(indexed=len(ids), deleted=0, rebuilt=True)


def _is_due():
    """Approved, and never indexed, or changed (the item or a translation) since."""
    newer_translation = exists().where(Translation.item_id == Item.id,
                                       Translation.created_at > Item.indexed_at)
    return (Item.status == ItemStatus.APPROVED) & or_(
        Item.indexed_at.is_(None), Item.indexed_at < Item.updated_at, newer_translation
    )


def _index_in_batches(ix: FileIndex, settings: Settings, store: Store, ids: list[int],
                      started: datetime) -> Iterator[int]:
    """Write documents batch by batch, marking each batch indexed once it is committed.

    `started` (taken before the items were read) becomes their `indexed_at`, so an edit
    made while the batch was written leaves the item due for the next run.
    """
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        with store.read() as s:
            items = s.scalars(select(Item).where(Item.id.in_(batch)).options(
                selectinload(Item.translations), selectinload(Item.source))).all()
            docs = [document_for(item, settings.languages) for item in items]
        with _writer(ix) as writer:
            for doc in docs:
                writer.update_document(**doc)
        _mark_indexed(store, batch, started)
        yield start + len(batch)


def _mark_indexed(store: Store, ids: list[int], moment: datetime) -> None:
    # Naming updated_at keeps its onupdate from firing, which would make the item due again.
    with store.transaction() as s:
        s.execute(update(Item).where(Item.id.in_(ids))
                  .values(indexed_at=moment, updated_at=Item.updated_at))


def _delete_unapproved(ix: FileIndex, approved: set[int], store: Store) -> int:
    """Remove every document whose item is no longer approved; return how many."""
    with ix.searcher() as searcher:
        stale = [int(f["id"]) for f in searcher.all_stored_fields()
                 if int(f["id"]) not in approved]
    if not stale:
        return 0
    with _writer(ix) as writer:
        for item_id in stale:
            writer.delete_by_term("id", str(item_id))
    with store.transaction() as s:
        s.execute(update(Item).where(Item.id.in_(stale))
                  .values(indexed_at=None, updated_at=Item.updated_at))
    return len(stale)


@contextmanager
def _index_lock(live: Path) -> Iterator[None]:
    """The one lock every index writer takes first, waited for instead of failing at once."""
    live.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(live.with_name(f".{live.name}.lock")))
    if not try_for(lock.acquire, timeout=WRITER_TIMEOUT, delay=WRITER_RETRY):
        raise IndexBusy(
            f"The search index at {live} is being written by another process (an "
            f"indexing run or a rebuild) and stayed locked for {WRITER_TIMEOUT:.0f} s. "
            "Try again when it has finished.")
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _writer(ix: FileIndex) -> Iterator[SegmentWriter]:
    """A writer that commits when the block ends and cancels if it raises."""
    writer = ix.writer()
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _open_or_create(settings: Settings) -> FileIndex:
    live = settings.index_dir
    if not live.exists():
        version = _new_version(live)
        index.create_in(str(version), build_schema(settings.languages))
        _swap(live, version)
    return index.open_dir(str(live.resolve()))


def _new_version(live: Path) -> Path:
    version = _version_path(live)
    version.mkdir(parents=True)
    return version


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
    """Delete versions older than the one just replaced (searches may still be reading that)."""
    for path in live.parent.glob(f"{live.name}-*"):
        if path.resolve() not in {k.resolve() for k in keep if k}:
            shutil.rmtree(path, ignore_errors=True)
