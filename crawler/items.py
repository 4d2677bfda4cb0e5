"""Writing new items: one item per story, however many feeds and addresses carry it.

A draft whose canonical URL, URL, GUID in its own source, or globally unique GUID
(a URL, `urn:` or `tag:` id) is already stored becomes one more row of `item_sources`
for that item, not a second item. A new draft gets its language and SimHash from its
analysis (computed in the parse worker, or here when it carries none), and is linked to
an earlier near-duplicate as `duplicate_of_id`. The unique constraints still decide
races: INSERT … ON CONFLICT DO NOTHING makes a re-run, or a second writer, a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

import numpy as np
from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item, ItemSource, ItemStatus, MediaKind, Source
from rabkor.crawler import dedupe
from rabkor.crawler.analysis import analysis_of
from rabkor.crawler.canonical import canonical_url
from rabkor.crawler.draft import DraftItem

logger = logging.getLogger(__name__)

CHUNK = 200  # rows per statement, well under SQLite's bound-parameter limit
MEDIA = (MediaKind.AUDIO, MediaKind.VIDEO)
RECENT = 2000  # newest items every new one is compared with, besides its band matches
PER_BAND = 50  # newest root items compared with, for each band value of a new item
# one statement for all four bands, its text fixed so it is compiled once; the band
# indexes are partial (duplicate_of_id IS NULL), so only roots are read
_BAND_LOOKUP = text(" UNION ALL ".join(
    "SELECT id, simhash, duplicate_of_id FROM (SELECT id, simhash, duplicate_of_id, "
    f"row_number() OVER (PARTITION BY simhash_band{n} ORDER BY id DESC) AS newest "
    f"FROM items WHERE duplicate_of_id IS NULL AND simhash_band{n} IN :band{n}) "
    f"AS band{n} WHERE newest <= {PER_BAND}"
    for n in range(dedupe.BANDS))).bindparams(
        *(bindparam(f"band{n}", expanding=True) for n in range(dedupe.BANDS)))


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
    if rows:
        # executemany of one statement: compiled once and cached, where a multi-row VALUES
        # is compiled anew for each batch (most of the cost of storing a feed, measured)
        stmt = (_insert_for(session)(Item.__table__).on_conflict_do_nothing()
                .returning(Item.id, Item.guid))
        inserted = session.connection().execute(stmt, rows).all()
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
    del row["analysis"]  # carried, not stored as such
    found = analysis_of(draft)
    row["language"], row["language_confidence"] = found.language, found.confidence
    fingerprint = found.simhash
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
    # Band matches are root items only (duplicate_of_id IS NULL; the band indexes hold
    # nothing else), the newest `PER_BAND` of each band value: a story stored hundreds of
    # times (wire copy) is one root, not hundreds of rows to read for every new item.
    # The price: a new item close to a stored copy but not to its root (the story edited
    # twice over) is not linked through the band lookup, only through the `RECENT`
    # items below, which include copies; and a band value shared by more than `PER_BAND`
    # roots (not seen: 16 bits of 64) compares with the newest of them only.
    candidates: list[tuple[int, int, int | None]] = []
    for start in range(0, len(fingerprinted), CHUNK // dedupe.BANDS):
        part = fingerprinted[start:start + CHUNK // dedupe.BANDS]
        values = {f"band{n}": sorted({r[f"simhash_band{n}"] for r in part})
                  for n in range(dedupe.BANDS)}
        candidates += session.execute(_BAND_LOOKUP, values).tuples().all()
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
