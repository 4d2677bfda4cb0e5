"""Writing new items: one item per story, however many feeds and addresses carry it.

A draft whose canonical URL, URL, GUID in its own source, or globally unique GUID
(a URL, `urn:` or `tag:` id) is already stored becomes one more row of `item_sources`
for that item, not a second item. A new draft gets its language and SimHash here, once
(re-fetched feeds cost nothing more), and is linked to an earlier near-duplicate as
`duplicate_of_id`. The unique constraints still decide races: INSERT … ON CONFLICT DO
NOTHING makes a re-run, or a second writer, a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item, ItemSource, ItemStatus, MediaKind, Source
from rabkor.crawler import dedupe
from rabkor.crawler.canonical import canonical_url
from rabkor.crawler.clean import plain_text
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.language import identify_draft

logger = logging.getLogger(__name__)

CHUNK = 200  # rows per statement, well under SQLite's bound-parameter limit
MEDIA = (MediaKind.AUDIO, MediaKind.VIDEO)
RECENT = 2000  # newest items every new one is compared with, besides its band matches


def insert_items(session: Session, source_id: int, drafts: Iterable[DraftItem],
                 now: datetime) -> int:
    """Store the drafts that are new stories and link the rest; returns how many are new."""
    batch = _unique_in_batch(drafts)
    if not batch:
        return 0
    source = session.get(Source, source_id)
    lectures = source is not None and source.kind == MediaKind.LECTURE
    known = _known(session, source_id, batch)
    links = [(item_id, draft.guid) for canon, draft in batch.items()
             if (item_id := known.get(canon)) is not None]
    rows = [_row(source_id, canon, d, now, lectures) for canon, d in batch.items()
            if canon not in known]
    _link_near_duplicates(session, rows)
    added = 0
    insert = _insert_for(session)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        stmt = insert(Item).values(chunk).on_conflict_do_nothing().returning(Item.id, Item.guid)
        inserted = session.execute(stmt).all()
        added += len(inserted)
        links += [(item_id, guid) for item_id, guid in inserted]
    _record_sources(session, source_id, links, now)
    return added


def _unique_in_batch(drafts: Iterable[DraftItem]) -> dict[str, DraftItem]:
    """The drafts by canonical URL; a feed listing one story twice keeps the first."""
    batch: dict[str, DraftItem] = {}
    for draft in drafts:
        batch.setdefault(canonical_url(draft.url), draft)
    return batch


def _is_global(guid: str) -> bool:
    """GUIDs like "42" repeat across sites; URLs, `urn:` and `tag:` ids name one thing."""
    return ":" in guid and len(guid) >= 10


def _known(session: Session, source_id: int, batch: dict[str, DraftItem]) -> dict[str, int]:
    """Canonical URL → id of the stored item each already-known draft is."""
    found: dict[str, int] = {}
    entries = list(batch.items())
    for start in range(0, len(entries), CHUNK):
        part = dict(entries[start:start + CHUNK])
        urls = [d.url for d in part.values()]
        guids = [d.guid for d in part.values()]
        global_guids = [g for g in guids if _is_global(g)]
        # every term indexed, none empty: else SQLite scans the whole table for each source
        terms = [Item.canonical_url.in_(list(part)), Item.url.in_(urls),
                 (Item.source_id == source_id) & Item.guid.in_(guids)]
        if global_guids:
            terms.append(Item.guid.in_(global_guids))
        query = select(Item.id, Item.canonical_url, Item.url, Item.guid,
                       Item.source_id).where(or_(*terms))
        rows = session.execute(query).all()
        by_key: dict[tuple[str, object], int] = {}
        for item_id, canon, url, guid, item_source in rows:
            by_key[("canon", canon)] = by_key[("url", url)] = item_id
            by_key[("guid", (item_source, guid))] = item_id
            if guid and _is_global(guid):
                by_key[("global", guid)] = item_id
        for canon, draft in part.items():
            item_id = (by_key.get(("canon", canon)) or by_key.get(("url", draft.url))
                       or by_key.get(("guid", (source_id, draft.guid)))
                       or by_key.get(("global", draft.guid)))
            if item_id is not None:
                found[canon] = item_id
    return found


def _row(source_id: int, canon: str, draft: DraftItem, now: datetime,
         lectures: bool) -> dict[str, object]:
    row = {**asdict(draft), "source_id": source_id, "canonical_url": canon,
           "status": ItemStatus.PENDING, "fetched_at": now, "updated_at": now,
           "duplicate_of_id": None}  # every row of a multi-row INSERT has the same keys
    if lectures and draft.media_kind in MEDIA:
        row["media_kind"] = MediaKind.LECTURE
        row["speaker"] = draft.speaker or draft.author
    found = identify_draft(draft)
    row["language"], row["language_confidence"] = found.language, found.confidence
    text = plain_text(draft.content or draft.summary, dedupe.MAX_CHARS)
    fingerprint = dedupe.simhash(f"{draft.title}\n{text}")
    row["simhash"] = fingerprint
    for n, band in enumerate(dedupe.bands(fingerprint) if fingerprint is not None else
                             [None] * dedupe.BANDS):
        row[f"simhash_band{n}"] = band
    return row


def _link_near_duplicates(session: Session, rows: list[dict[str, object]]) -> None:
    """Point each new row that is the same story as a stored item at that item."""
    fingerprinted = [r for r in rows if r["simhash"] is not None]
    if not fingerprinted:
        return
    # Candidates come grouped by (fingerprint, root), each group as its earliest item: the
    # same answer as every row, since the earliest close item wins, but a story stored
    # hundreds of times (wire copy) comes back as one row instead of hundreds.
    columns = [getattr(Item, f"simhash_band{n}") for n in range(dedupe.BANDS)]
    candidates: list[tuple[int, int, int | None]] = []
    for start in range(0, len(fingerprinted), CHUNK // dedupe.BANDS):
        part = fingerprinted[start:start + CHUNK // dedupe.BANDS]
        query = (select(func.min(Item.id), Item.simhash, Item.duplicate_of_id).where(or_(*(
            column.in_({r[f"simhash_band{n}"] for r in part})
            for n, column in enumerate(columns))))
            .group_by(Item.simhash, Item.duplicate_of_id))
        candidates += session.execute(query).tuples().all()
    recent = (select(Item.id, Item.simhash, Item.duplicate_of_id)
              .where(Item.simhash.is_not(None)).order_by(Item.id.desc()).limit(RECENT)
              .subquery())
    candidates += session.execute(
        select(func.min(recent.c.id), recent.c.simhash, recent.c.duplicate_of_id)
        .group_by(recent.c.simhash, recent.c.duplicate_of_id)).tuples().all()
    if not candidates:
        return
    # every new row against every candidate at once; the earliest close item wins
    ids = np.array([c[0] for c in candidates], dtype=np.int64)
    hashes = np.array([c[1] for c in candidates], dtype=np.int64)
    roots = [c[2] for c in candidates]
    for start in range(0, len(fingerprinted), CHUNK // dedupe.BANDS):  # bounded matrices
        part = fingerprinted[start:start + CHUNK // dedupe.BANDS]
        mine = np.array([r["simhash"] for r in part], dtype=np.int64)
        close = np.bitwise_count(mine[:, None] ^ hashes[None, :]) <= dedupe.MAX_DISTANCE
        earliest = np.where(close, ids[None, :], np.iinfo(np.int64).max).argmin(axis=1)
        for row, found, best in zip(part, close.any(axis=1), earliest, strict=True):
            if found:
                row["duplicate_of_id"] = roots[int(best)] or int(ids[best])
                logger.debug("near-duplicate url=%s duplicate_of=%s", row["url"],
                             row["duplicate_of_id"])


def _record_sources(session: Session, source_id: int, links: list[tuple[int, str | None]],
                    now: datetime) -> None:
    rows = [{"item_id": item_id, "source_id": source_id, "guid": guid, "first_seen_at": now}
            for item_id, guid in dict(links).items()]
    insert = _insert_for(session)
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(ItemSource).values(rows[start:start + CHUNK])
                        .on_conflict_do_nothing())


def _insert_for(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
