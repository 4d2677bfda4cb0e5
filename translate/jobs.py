"""The translation stage: fill in missing machine translations of titles and summaries.

Selects what is due from the store (an item's title or summary without a translation
into a site language), translates it per language pair with the first configured engine
that has the pair, and stores each batch in its own transaction. A re-run finds nothing
due; a pair that gains an engine later is filled in on the next run. Pairs no engine
serves are reported, never raised; an engine failing on one batch leaves the rest alone.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Translation, utcnow
from rabkor.translate.apertium import iso3
from rabkor.translate.engine import Engine, make_engines
from rabkor.translate.plaintext import to_plain_text

logger = logging.getLogger(__name__)

FIELDS = ("title", "summary")
BATCH_SIZE = 64
UNKNOWN = ("und", "")

Pair = tuple[str, str]


@dataclass
class TranslateReport:
    texts: int = 0  # translations stored
    items: int = 0  # items that were due for a served pair
    unknown_language: int = 0  # items skipped: language not detected
    missing_pairs: dict[Pair, int] = field(default_factory=dict)  # pair → items waiting
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PairStatus:
    source: str
    target: str
    items: int  # items written in the source language
    engine: str | None
    hint: str | None  # how to install an engine for the pair, when none serves it


@dataclass(frozen=True)
class _Unit:
    item_id: int
    field: str
    text: str


def translate_pending(
    settings: Settings,
    store: Store,
    *,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
    engines: Sequence[Engine] | None = None,
) -> TranslateReport:
    """Translate what is due; `progress(done, total)` counts items."""
    router = _Router(make_engines(settings) if engines is None else engines)
    report = TranslateReport()
    with store.read() as session:
        counts = _language_counts(session)
        report.unknown_language = sum(n for lang, n in counts.items() if _unknown(lang))
        sources = sorted(lang for lang in counts if not _unknown(lang))
        pairs = [(src, tgt) for src in sources for tgt in settings.languages if src != tgt]
        served = [pair for pair in pairs if router.engine(*pair) is not None]
        report.missing_pairs = _waiting(session, [p for p in pairs if p not in served])
        work = _due_work(session, served, limit)
    for (src, tgt), n in report.missing_pairs.items():
        logger.info("no engine for pair=%s-%s items_waiting=%d", src, tgt, n)
    report.items = len({u.item_id for units in work.values() for u in units})
    _run(store, router, work, report, progress)
    return report


def _unknown(language: str | None) -> bool:
    return language is None or language in UNKNOWN


def _language_counts(session) -> dict[str | None, int]:
    rows = session.execute(select(Item.language, func.count()).group_by(Item.language))
    return {lang: n for lang, n in rows}


def _has(item_field: str, language: str):
    return exists().where(Translation.item_id == Item.id, Translation.field == item_field,
                          Translation.language == language)


def _missing(language: str):
    """SQL condition: the item has a non-empty field with no translation into `language`."""
    return or_(and_(Item.title != "", ~_has("title", language)),
               and_(Item.summary != "", ~_has("summary", language)))


def _waiting(session, pairs: list[Pair]) -> dict[Pair, int]:
    """How many items wait on each pair (pairs nobody waits on are left out)."""
    waiting = {}
    for src, tgt in pairs:
        n = session.scalar(select(func.count()).select_from(Item)
                           .where(Item.language == src, _missing(tgt)))
        if n:
            waiting[(src, tgt)] = n
    return waiting


def _due_work(session, served: list[Pair], limit: int | None) -> dict[Pair, list[_Unit]]:
    """The texts to translate, per pair, for the newest `limit` due items."""
    due: set[int] = set()
    for src, tgt in served:
        due.update(session.scalars(select(Item.id).where(Item.language == src, _missing(tgt))))
    ids = sorted(due, reverse=True)[:limit]
    items = session.scalars(select(Item).where(Item.id.in_(ids))
                            .options(selectinload(Item.translations))).all()
    work: dict[Pair, list[_Unit]] = defaultdict(list)
    for item in sorted(items, key=lambda i: -i.id):
        texts = {"title": item.title.strip(), "summary": to_plain_text(item.summary)}
        for src, tgt in served:
            if item.language != src:
                continue
            for name in FIELDS:
                if texts[name] and item.translation(name, tgt) is None:
                    work[(src, tgt)].append(_Unit(item.id, name, texts[name]))
    return work


class _Router:
    """The first engine, in configured order, that has a pair."""

    def __init__(self, engines: Sequence[Engine]) -> None:
        self._pairs = [(engine, engine.pairs()) for engine in engines]

    def engine(self, src: str, tgt: str) -> Engine | None:
        return next((e for e, pairs in self._pairs if (src, tgt) in pairs), None)


def _run(store: Store, router: _Router, work: dict[Pair, list[_Unit]],
         report: TranslateReport, progress: Callable[[int, int], None] | None) -> None:
    """Translate batch by batch, storing each batch at once; count items as they finish."""
    remaining = Counter(u.item_id for units in work.values() for u in units)
    total = len(remaining)
    if progress:
        progress(0, total)
    for (src, tgt), units in work.items():
        engine = router.engine(src, tgt)
        assert engine is not None  # work only holds served pairs
        for start in range(0, len(units), BATCH_SIZE):
            batch = units[start:start + BATCH_SIZE]
            report.texts += _translate_batch(store, engine, src, tgt, batch, report)
            remaining.subtract(u.item_id for u in batch)
            if progress:
                progress(sum(1 for n in remaining.values() if n <= 0), total)


def _translate_batch(store: Store, engine: Engine, src: str, tgt: str, batch: list[_Unit],
                     report: TranslateReport) -> int:
    ids = sorted({u.item_id for u in batch})
    try:
        texts = engine.translate([u.text for u in batch], src, tgt)
        if len(texts) != len(batch):
            raise ValueError(f"{len(texts)} translations for {len(batch)} texts")
        version = engine.model_version(src, tgt)
    except Exception as exc:  # any engine failure stays local to its batch
        logger.warning("translation batch failed engine=%s pair=%s-%s item_ids=%s error=%s",
                       engine.name, src, tgt, ids, exc)
        report.errors.append(f"{engine.name} {src}→{tgt} items {ids}: {exc}")
        return 0
    try:
        return _store_batch(store, engine.name, version, src, tgt, batch, texts)
    except IntegrityError:  # another worker stored some of these first; the next run sees it
        logger.info("translations stored concurrently pair=%s-%s item_ids=%s", src, tgt, ids)
        return 0


def _store_batch(store: Store, engine: str, version: str, src: str, tgt: str,
                 batch: list[_Unit], texts: list[str]) -> int:
    """Insert translations that are still missing; never replace an existing (human) one."""
    stored = 0
    with store.transaction() as session:
        taken = set(session.execute(
            select(Translation.item_id, Translation.field)
            .where(Translation.language == tgt,
                   Translation.item_id.in_({u.item_id for u in batch}))
        ).tuples())
        for unit, text in zip(batch, texts, strict=True):
            if (unit.item_id, unit.field) in taken:
                continue
            if not text.strip():  # left due, so a later run tries again
                logger.warning("empty translation engine=%s pair=%s-%s item_id=%s field=%s",
                               engine, src, tgt, unit.item_id, unit.field)
                continue
            session.add(Translation(item_id=unit.item_id, field=unit.field, language=tgt,
                                    source_language=src, text=text, engine=engine,
                                    model_version=version, is_human=False))
            taken.add((unit.item_id, unit.field))
            stored += 1
        now = utcnow()
        for item in session.scalars(select(Item).where(Item.id.in_({u.item_id for u in batch}))):
            item.translated_at = now
    logger.info("stored translations engine=%s pair=%s-%s count=%d", engine, src, tgt, stored)
    return stored


def status(settings: Settings, store: Store,
           engines: Sequence[Engine] | None = None) -> list[PairStatus]:
    """Every (item language → site language) pair, with its engine or how to get one."""
    router = _Router(make_engines(settings) if engines is None else engines)
    with store.read() as session:
        counts = _language_counts(session)
    rows = []
    for src, n in sorted((k, v) for k, v in counts.items() if not _unknown(k)):
        for tgt in (t for t in settings.languages if t != src):
            engine = router.engine(src, tgt)
            hint = None if engine else _install_hint(settings, src, tgt)
            rows.append(PairStatus(src, tgt, n, engine.name if engine else None, hint))
    return rows


def _install_hint(settings: Settings, src: str, tgt: str) -> str:
    hints = []
    if "argos" in settings.engines:
        hints.append(f"rabkor models install {src} {tgt}")
    if "apertium" in settings.engines:
        a, b = iso3(src), iso3(tgt)
        hints.append(f"apt-get install apertium-{a}-{b} (Debian may name it apertium-{b}-{a})")
    return " or ".join(hints) or "add an engine to the `engines` setting"
