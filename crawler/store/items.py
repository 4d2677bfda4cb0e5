"""Writing new items: one item per story, however many feeds and addresses carry it.

A draft whose canonical URL, URL, GUID in its own source, or globally unique GUID
(a URL, `urn:` or `tag:` id) is already stored becomes one more row of `item_sources`
for that item, not a second item. A new draft gets its language and SimHash from its
analysis (computed in the parse worker, or here when it carries none), and is linked to
an earlier near-duplicate from another source as `duplicate_of_id`. Never to one of its
own source's: items of one feed that read alike are a series ("Weather in Córdoba
today", "… in Rosario today" in La Nación's real feed are within a few bits), and hiding
them would lose stories, where showing a rare self-repost twice costs little. The
unique constraints still decide races:
INSERT … ON CONFLICT DO NOTHING makes a re-run, or a second writer, a no-op.

A new item that wants its article page (`wants_page`) is written with `page_attempts` 0,
in the same transaction: the page is fetched after the commit (crawler/fetch/pages.py), and
a crash in between leaves it pending for the next crawl. `wants_page` lives here rather
than in fetch/pages.py because the WebSub push path stores items in the web process, which
must not import Scrapy. When the page's text arrives, `refingerprint` gives the item the
SimHash of its full text and links it if that matches a stored story.

A correspondent's link (`insert_submitted`) is an item of no source; when its URL or a
near-duplicate of its text is stored already it is not stored again, and the submission
points at the stored story instead (crawler/submissions/process.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime

import numpy as np
from sqlalchemy import bindparam, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item, ItemSource, ItemStatus, MediaKind, Source
from rabkor.core.text.canonical import canonical_url
from rabkor.core.text.html import plain_text
from rabkor.crawler.analyse import dedupe
from rabkor.crawler.analyse.analysis import analysis_of
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.store.recent import window

logger = logging.getLogger(__name__)

CHUNK = 200  # rows per statement, well under SQLite's bound-parameter limit
MEDIA = (MediaKind.AUDIO, MediaKind.VIDEO)
PER_BAND = 50  # newest root items compared with, for each band value of a new item
SHORT_TEXT = 500  # auto full text: an entry with less text than this is only a summary
# one statement for all four bands, its text fixed so it is compiled once; the band
# indexes are partial (duplicate_of_id IS NULL), so only roots are read; items of no
# source (correspondents' links) are another source's for every lookup, as in the window
_BAND_LOOKUP = text(" UNION ALL ".join(
    "SELECT id, simhash FROM (SELECT id, simhash, "
    f"row_number() OVER (PARTITION BY simhash_band{n} ORDER BY id DESC) AS newest "
    f"FROM items WHERE duplicate_of_id IS NULL AND simhash_band{n} IN :band{n} "
    "AND (source_id IS NULL OR source_id != :source)) "
    f"AS band{n} WHERE newest <= {PER_BAND}"
    for n in range(dedupe.BANDS))).bindparams(
        *(bindparam(f"band{n}", expanding=True) for n in range(dedupe.BANDS)))


def wants_page(draft: DraftItem, full_text: bool | None) -> bool:
    """Whether an entry's page should be fetched under the source's `full_text` setting:
    True always, False never, None (auto) when its text is shorter than `SHORT_TEXT`."""
    if full_text is False or draft.media_kind != MediaKind.ARTICLE:
        return False
    if full_text is True:
        return True
    text = draft.content or draft.summary
    if len(text) < SHORT_TEXT:  # markup is never shorter than its text
        return True
    # the text of the markup's start is the start of its text: enough of it settles most
    # long entries at a fraction of the cost (every new item of a crawl asks, twice)
    head = text[:SHORT_TEXT * 2]
    if len(plain_text(head, SHORT_TEXT)) >= SHORT_TEXT:
        return False
    return head == text or len(plain_text(text, SHORT_TEXT)) < SHORT_TEXT


def insert_items(session: Session, source_id: int, drafts: Iterable[DraftItem],
                 now: datetime) -> int:
    """Store the drafts that are new stories and link the rest; returns how many are new."""
    batch = _unique_in_batch(drafts)
    if not batch:
        return 0
    source = session.get(Source, source_id)
    lectures = source is not None and source.kind == MediaKind.LECTURE
    # sitemap sources fetch their pages themselves (crawler/sitemap/spider.py)
    pages = source is not None and source.fetch_mode == "feed"
    known = _known(session, source_id, batch)
    links = [(item_id, draft.guid) for canon, draft in batch.items()
             if (item_id := known.get(canon)) is not None]
    rows = [_row(source_id, canon, d, now, lectures, pages and wants_page(d, source.full_text))
            for canon, d in batch.items() if canon not in known]
    _link_near_duplicates(session, source_id, rows)
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


SUBMITTED = -1  # no source's id: a submitted link is compared with every source's items


def stored_story(session: Session, url: str) -> int | None:
    """The id of the story (the root item) stored under `url` or its canonical form."""
    row = session.execute(select(Item.id, Item.duplicate_of_id).where(
        or_(Item.canonical_url == canonical_url(url), Item.url == url)).limit(1)).first()
    return None if row is None else row.duplicate_of_id or row.id


def insert_submitted(session: Session, draft: DraftItem, submission_id: int,
                     now: datetime) -> tuple[int, bool]:
    """Store a submitted link's draft as a pending item of no source: (its id, True); or
    (the stored story's id, False) when its URL, its canonical form, or a near-duplicate
    of its text (from a feed or another correspondent, however old) is stored already."""
    known = stored_story(session, draft.url)
    if known is not None:
        return known, False
    row = _row(None, canonical_url(draft.url), draft, now, False, False)
    row["submission_id"] = submission_id
    if row["simhash"] is not None:
        [root] = near_duplicate_roots(session, [row["simhash"]], SUBMITTED)
        if root is not None:
            return root, False
    stmt = (_insert_for(session)(Item.__table__).on_conflict_do_nothing()
            .returning(Item.id))
    inserted = session.connection().execute(stmt, row).scalar()
    if inserted is None:  # another writer stored it a moment ago
        return stored_story(session, draft.url), False  # type: ignore[return-value]
    return inserted, True


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


_COLUMNS = tuple(f.name for f in fields(DraftItem) if f.name != "analysis")


def _row(source_id: int | None, canon: str, draft: DraftItem, now: datetime,
         lectures: bool, page: bool) -> dict[str, object]:
    # the fields as they are: `asdict` deep-copies each value, a tenth of storing a feed
    row = {**{name: getattr(draft, name) for name in _COLUMNS},
           "source_id": source_id, "canonical_url": canon, "status": ItemStatus.PENDING,
           "fetched_at": now, "updated_at": now,
           "duplicate_of_id": None,  # every row of a multi-row INSERT has the same keys
           "page_attempts": 0 if page else None}
    if lectures and draft.media_kind in MEDIA:
        row["media_kind"] = MediaKind.LECTURE
        row["speaker"] = draft.speaker or draft.author
    found = analysis_of(draft)
    row["language"], row["language_confidence"] = found.language, found.confidence
    row.update(_fingerprint_columns(found.simhash))
    return row


def _fingerprint_columns(fingerprint: int | None) -> dict[str, int | None]:
    bands = dedupe.bands(fingerprint) if fingerprint is not None else [None] * dedupe.BANDS
    return {"simhash": fingerprint, **{f"simhash_band{n}": b for n, b in enumerate(bands)}}


def refingerprint(session: Session, item: Item, fingerprint: int | None) -> None:
    """A stored item's SimHash from its full text, which arrived after it was stored; an
    item still pending in the queue that now matches a stored story becomes its copy (a
    published one stays where readers found it), and so do the item's own copies."""
    for column, value in _fingerprint_columns(fingerprint).items():
        setattr(item, column, value)
    if fingerprint is None or item.duplicate_of_id is not None or \
            item.status != ItemStatus.PENDING:
        return
    [root] = near_duplicate_roots(session, [fingerprint], item.source_id, exclude=item.id)
    if root is None:
        return
    item.duplicate_of_id = root
    session.execute(update(Item).where(Item.duplicate_of_id == item.id)
                    .values(duplicate_of_id=root))
    logger.debug("near-duplicate by full text item_id=%s duplicate_of=%s", item.id, root)


def _link_near_duplicates(session: Session, source_id: int,
                          rows: list[dict[str, object]]) -> None:
    """Point each new row that is the same story as another source's item at its root."""
    fingerprinted = [r for r in rows if r["simhash"] is not None]
    if not fingerprinted:
        return
    roots = near_duplicate_roots(session, [r["simhash"] for r in fingerprinted], source_id)
    for row, root in zip(fingerprinted, roots, strict=True):
        if root is not None:
            row["duplicate_of_id"] = root
            logger.debug("near-duplicate url=%s duplicate_of=%s", row["url"], root)


def near_duplicate_roots(session: Session, fingerprints: list[int], source_id: int,
                         exclude: int | None = None) -> list[int | None]:
    """For each fingerprint, the root of the earliest stored item of another source than
    `source_id` close to it, or None; `exclude` (an item being fingerprinted again) and
    its copies are not candidates."""
    # Band matches are root items only (duplicate_of_id IS NULL; the band indexes hold
    # nothing else), the newest `PER_BAND` of each band value: a story stored hundreds of
    # times (wire copy) is one root, not hundreds of rows to read for every new item.
    # The price: a new item close to a stored copy but not to its root (the story edited
    # twice over) is not linked through the band lookup, only through the newest items
    # (kept in memory: crawler/store/recent.py), which include copies; and a band value
    # shared by more than `PER_BAND` roots (not seen: 16 bits of 64) compares with the
    # newest of them only.
    candidates = _band_matches(session, fingerprints, source_id, exclude)
    recent = window(session)
    rows, found, stale = _closest(session, fingerprints, candidates,
                                  recent.others(session, source_id), exclude)
    if stale:  # the window is out of date: read it afresh, once
        recent.clear()
        rows, found, stale = _closest(session, fingerprints, candidates,
                                      recent.others(session, source_id), exclude)
    return [None if best is None or best in stale else int(rows[best, 2] or rows[best, 0])
            for best in found]


def _closest(session: Session, fingerprints: list[int], candidates: np.ndarray,
             remembered: np.ndarray, exclude: int | None,
             ) -> tuple[np.ndarray, list[int | None], set[int]]:
    """All candidate rows (id, simhash, root or 0): the band matches, then the window's;
    the index of each fingerprint's earliest close one; and which of those came from the
    window and are out of date."""
    if exclude is not None:
        remembered = remembered[(remembered[:, 0] != exclude) & (remembered[:, 2] != exclude)]
    rows = np.concatenate([candidates, remembered])
    found = _earliest_close(fingerprints, rows)
    from_window = {best for best in found if best is not None and best >= len(candidates)}
    return rows, found, _stale(session, rows, from_window, exclude)


def _stale(session: Session, rows: np.ndarray, taken: set[int],
           exclude: int | None) -> set[int]:
    """Which of the window's rows at `taken` are no longer as stored. The others get
    their root from the store: an item's root can move after it was read (`refingerprint`)."""
    if not taken:
        return set()
    ids = [int(rows[i, 0]) for i in taken]
    stored = {i: (h, root) for i, h, root in session.execute(
        select(Item.id, Item.simhash, Item.duplicate_of_id).where(Item.id.in_(ids))).tuples()}
    stale = set()
    for i in taken:
        simhash, root = stored.get(int(rows[i, 0]), (None, None))
        if simhash != rows[i, 1] or (exclude is not None and root == exclude):
            stale.add(i)
        else:
            rows[i, 2] = root or 0
    return stale


def _band_matches(session: Session, fingerprints: list[int], source_id: int,
                  exclude: int | None) -> np.ndarray:
    """Rows (id, simhash, 0) of the root items of other sources than `source_id` (items of
    no source included), except `exclude`, that share a band with one of the fingerprints."""
    found: list[tuple[int, int, int]] = []
    step = CHUNK // dedupe.BANDS
    for start in range(0, len(fingerprints), step):
        part = [dedupe.bands(f) for f in fingerprints[start:start + step]]
        values: dict[str, object] = {f"band{n}": sorted({b[n] for b in part})
                                     for n in range(dedupe.BANDS)}
        values["source"] = source_id
        found += [(i, h, 0) for i, h in session.execute(_BAND_LOOKUP, values).tuples()
                  if i != exclude]
    return np.array(found, dtype=np.int64).reshape(-1, 3)


def _earliest_close(fingerprints: list[int], rows: np.ndarray) -> list[int | None]:
    """For each fingerprint, the index of the row (id, simhash, …) within `MAX_DISTANCE`
    with the smallest id, or None."""
    found: list[int | None] = []
    if not len(rows):
        return [None] * len(fingerprints)
    ids, hashes = rows[:, 0], rows[:, 1]
    step = CHUNK // dedupe.BANDS
    for start in range(0, len(fingerprints), step):  # bounded matrices
        mine = np.array(fingerprints[start:start + step], dtype=np.int64)
        close = np.bitwise_count(mine[:, None] ^ hashes[None, :]) <= dedupe.MAX_DISTANCE
        earliest = np.where(close, ids[None, :], np.iinfo(np.int64).max).argmin(axis=1)
        found += [int(e) if any_close else None
                  for any_close, e in zip(close.any(axis=1), earliest, strict=True)]
    return found


def _record_sources(session: Session, source_id: int, links: list[tuple[int, str | None]],
                    now: datetime) -> None:
    rows = [{"item_id": item_id, "source_id": source_id, "guid": guid, "first_seen_at": now}
            for item_id, guid in dict(links).items()]
    if rows:  # executemany, compiled once (as the item insert above)
        stmt = _insert_for(session)(ItemSource.__table__).on_conflict_do_nothing()
        session.connection().execute(stmt, rows)


def _insert_for(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
