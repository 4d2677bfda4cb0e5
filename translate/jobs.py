"""The translation stage: fill in missing machine translations of items' fields.

Selects what is due from the store — titles and summaries first, then full texts
(approved items first; pending ones too when `translate_full_text` is "all") — and
translates each language pair in chunks: sentences of many items go to the engine in
one batched call, after the translation memory has answered what it already knows
(see batching.py, memory.py). Each chunk is stored in its own transaction with the
sentences it taught the memory. A re-run finds nothing due; a pair that gains an
engine later is filled in on the next run; pairs no engine serves are reported once
per pair, never raised. A text the engine fails on is recorded with the reason and
retried with back-off, `MAX_ATTEMPTS` times at most, and leaves the other texts of its
chunk unharmed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import UNCHANGED
from rabkor.core.store.models import Item, ItemStatus, Translation, TranslationFailure, utcnow
from rabkor.core.text.html import paragraphs
from rabkor.translate import memory
from rabkor.translate.apertium import iso3
from rabkor.translate.batching import BatchOptions, Document, sentences_of, translate_documents
from rabkor.translate.detect import already_in
from rabkor.translate.engine import Engine, make_engines
from rabkor.translate.markup import HtmlDocument
from rabkor.translate.plaintext import PlainDocument
from rabkor.translate.routing import Graph, Route

logger = logging.getLogger(__name__)

SUMMARY_FIELDS = ("title", "summary")
CONTENT = "content"
CHUNK_SENTENCES = 2048  # sentences per engine call and per stored transaction
MAX_RETRY_WAIT = timedelta(days=1)
MAX_ATTEMPTS = 8  # then the text is given up (about a day of tries at the default wait)
UNKNOWN = ("und", "")

Pair = tuple[str, str]


@dataclass
class TranslateReport:
    texts: int = 0  # translations stored
    items: int = 0  # items that were due for a served pair
    unknown_language: int = 0  # items skipped: language not detected
    missing_pairs: dict[Pair, int] = field(default_factory=dict)  # pair → items waiting
    errors: list[str] = field(default_factory=list)
    memory_hits: int = 0  # distinct sentences the translation memory answered
    failed: int = 0  # texts recorded for a retry with back-off


@dataclass(frozen=True)
class PairStatus:
    source: str
    target: str
    items: int  # items written in the source language
    engine: str | None
    hint: str | None  # how to install an engine for the pair, when none serves it
    pivot: str | None = None  # "en" when the pair is served through English


@dataclass(frozen=True)
class _Unit:
    item_id: int
    field: str
    document: Document


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
        work = _due_work(session, served, limit, _full_text_statuses(settings))
    for (src, tgt), n in report.missing_pairs.items():
        logger.info("no engine for pair=%s-%s items_waiting=%d", src, tgt, n)
    report.items = len({u.item_id for units in work.values() for u in units})
    _run(settings, store, router, work, report, progress)
    return report


def _full_text_statuses(settings: Settings) -> tuple[ItemStatus, ...]:
    """Whose full texts are due, in order of priority."""
    choice = settings.translate_full_text
    if choice == "none":
        return ()
    if choice == "approved":
        return (ItemStatus.APPROVED,)
    if choice == "all":
        return (ItemStatus.APPROVED, ItemStatus.PENDING)
    raise ValueError(f"translate_full_text must be none, approved or all, not {choice!r}")


def _unknown(language: str | None) -> bool:
    return language is None or language in UNKNOWN


def _language_counts(session) -> dict[str | None, int]:
    rows = session.execute(select(Item.language, func.count()).group_by(Item.language))
    return {lang: n for lang, n in rows}


def _has(item_field: str, language: str):
    return exists().where(Translation.item_id == Item.id, Translation.field == item_field,
                          Translation.language == language)


def _not_due():
    """SQL condition on a failure: its back-off has not run out, or it was given up."""
    return or_(TranslationFailure.next_attempt_at > utcnow(),
               TranslationFailure.attempts >= MAX_ATTEMPTS)


def _waiting_retry(item_field: str, language: str):
    """SQL condition: the field failed before and is not due again (yet, or ever)."""
    return exists().where(TranslationFailure.item_id == Item.id,
                          TranslationFailure.field == item_field,
                          TranslationFailure.language == language, _not_due())


def _needs(item_field: str, language: str):
    column = getattr(Item, item_field)
    return and_(column != "", ~_has(item_field, language), ~_waiting_retry(item_field, language))


def _missing(language: str):
    """SQL condition: a non-empty title or summary with no translation into `language`."""
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


def _due_ids(session, served: list[Pair], condition, limit: int | None) -> list[int]:
    due: set[int] = set()
    for src, tgt in served:
        due.update(session.scalars(select(Item.id).where(Item.language == src, condition(tgt))))
    return sorted(due, reverse=True)[:limit]


def _due_work(session, served: list[Pair], limit: int | None,
              full_text: tuple[ItemStatus, ...]) -> dict[Pair, list[_Unit]]:
    """Per pair: titles and summaries of the newest `limit` due items, then full texts
    of the newest `limit` due items of each status in `full_text`, in that order."""
    def summaries(tgt: str):
        return or_(*(_needs(name, tgt) for name in SUMMARY_FIELDS))

    phases = [(SUMMARY_FIELDS, _due_ids(session, served, summaries, limit))]
    for state in full_text:
        def content(tgt: str, state: ItemStatus = state):
            return and_(Item.status == state, _needs(CONTENT, tgt))
        phases.append(((CONTENT,), _due_ids(session, served, content, limit)))
    work: dict[Pair, list[_Unit]] = defaultdict(list)
    for fields, ids in phases:
        items = session.scalars(select(Item).where(Item.id.in_(ids))
                                .options(selectinload(Item.translations))).all()
        retrying = _retrying(session, ids)
        for item in sorted(items, key=lambda i: -i.id):
            for src, tgt in served:
                if item.language != src:
                    continue
                for name in fields:
                    if (getattr(item, name).strip() and item.translation(name, tgt) is None
                            and (item.id, name, tgt) not in retrying):
                        work[(src, tgt)].append(_Unit(item.id, name, _document(item, name)))
    return work


def _retrying(session, ids: list[int]) -> set[tuple[int, str, str]]:
    rows = session.execute(select(TranslationFailure.item_id, TranslationFailure.field,
                                  TranslationFailure.language)
                           .where(TranslationFailure.item_id.in_(ids), _not_due()))
    return set(rows.tuples())


def _document(item: Item, name: str) -> Document:
    if name == "title":
        return PlainDocument(" ".join(item.title.split()))
    if name == "summary":
        return PlainDocument(paragraphs(item.summary))
    return HtmlDocument(item.content)


class _Router:
    """Each pair's route (routing.py: over the graph of installed pairs), asked once."""

    def __init__(self, engines: Sequence[Engine]) -> None:
        self.graph = Graph.of(engines)
        self._routes: dict[Pair, Route | None] = {}

    def engine(self, src: str, tgt: str) -> Route | None:
        if (src, tgt) not in self._routes:
            self._routes[(src, tgt)] = self.graph.route(src, tgt)
        return self._routes[(src, tgt)]


def _chunks(units: list[_Unit]) -> list[list[_Unit]]:
    """Consecutive units holding about CHUNK_SENTENCES sentences each."""
    chunks: list[list[_Unit]] = [[]]
    size = 0
    for unit in units:
        if size >= CHUNK_SENTENCES:
            chunks.append([])
            size = 0
        chunks[-1].append(unit)
        size += sum(len(run) // 80 + 1 for run in unit.document.texts())
    return [c for c in chunks if c]


def _run(settings: Settings, store: Store, router: _Router, work: dict[Pair, list[_Unit]],
         report: TranslateReport, progress: Callable[[int, int], None] | None) -> None:
    """Translate chunk by chunk, storing each chunk at once; count items as they finish."""
    remaining = Counter(u.item_id for units in work.values() for u in units)
    total = len(remaining)
    if progress:
        progress(0, total)
    options = BatchOptions(beam_size=settings.translate_beam_size,
                           max_batch_tokens=settings.translate_batch_tokens)
    for (src, tgt), units in work.items():
        engine = router.engine(src, tgt)
        assert engine is not None  # work only holds served pairs
        for chunk in _chunks(units):
            _translate_chunk(settings, store, engine, options, (src, tgt), chunk, report)
            remaining.subtract(u.item_id for u in chunk)
            if progress:
                progress(sum(1 for n in remaining.values() if n <= 0), total)


def _translate_chunk(settings: Settings, store: Store, engine: Route, options: BatchOptions,
                     pair: Pair, chunk: list[_Unit], report: TranslateReport) -> None:
    src, tgt = pair
    chunk = _keep_what_is_already_in(settings, store, pair, chunk, report)
    if not chunk:
        return
    documents = [u.document for u in chunk]
    try:
        version = engine.model_version
        with store.transaction() as session:
            known = memory.lookup(session, src, tgt, version,
                                  sentences_of(documents, engine.whole_texts))
        outcome = translate_documents(
            documents, lambda sentences: engine.translate_sentences(sentences, options), known,
            engine.whole_texts)
    except Exception as exc:  # a broken engine or store read: the whole chunk waits
        outcome = None
        failures = [exc] * len(chunk)
    else:
        report.memory_hits += len(known)
        failures = outcome.errors
    failed = [(u, e) for u, e in zip(chunk, failures, strict=True) if e is not None]
    if failed:
        ids = sorted({u.item_id for u, _ in failed})
        logger.warning("translation failed engine=%s pair=%s-%s item_ids=%s error=%s",
                       engine.engine, src, tgt, ids, failed[0][1])
        report.errors.append(f"{engine.engine} {src}→{tgt} items {ids}: {failed[0][1]}")
        report.failed += len(failed)
    done = [] if outcome is None else [
        (u, t) for u, t in zip(chunk, outcome.texts, strict=True) if t is not None]
    try:
        report.texts += _store_chunk(settings, store, engine.engine, pair, done, failed,
                                     outcome.learned if outcome else {},
                                     version if outcome else "", engine.pivot)
    except IntegrityError:  # another worker stored some of these first; the next run sees it
        logger.info("translations stored concurrently pair=%s-%s item_ids=%s", src, tgt,
                    sorted({u.item_id for u in chunk}))


def _keep_what_is_already_in(settings: Settings, store: Store, pair: Pair, chunk: list[_Unit],
                             report: TranslateReport) -> list[_Unit]:
    """Store texts already written in the target language as they are (engine "unchanged",
    so the site shows no machine label); return the units that still need an engine."""
    src, tgt = pair
    candidates = (*settings.languages, src)
    same, rest = [], []
    for unit in chunk:
        text = " ".join(unit.document.texts())
        (same if already_in(text, tgt, candidates) else rest).append(unit)
    if same:
        done = [(u, u.document.render(u.document.texts())) for u in same]
        report.texts += _store_chunk(settings, store, UNCHANGED, pair, done, [], {}, "")
    return rest


def _store_chunk(settings: Settings, store: Store, engine: str, pair: Pair,
                 done: list[tuple[_Unit, str]], failed: list[tuple[_Unit, Exception]],
                 learned: dict[str, str], version: str, pivot: str | None = None) -> int:
    """Insert translations still missing (never replacing a human one), what the memory
    learned, and the failures' next attempts — all in one transaction."""
    src, tgt = pair
    stored = 0
    with store.transaction() as session:
        if learned:
            memory.remember_many(session, src, tgt, version, learned.items())
        ids = {u.item_id for u, _ in done} | {u.item_id for u, _ in failed}
        taken = set(session.execute(
            select(Translation.item_id, Translation.field)
            .where(Translation.language == tgt, Translation.item_id.in_(ids))
        ).tuples())
        for unit, text in done:
            if (unit.item_id, unit.field) in taken:
                continue
            session.add(Translation(item_id=unit.item_id, field=unit.field, language=tgt,
                                    source_language=src, text=text, engine=engine,
                                    model_version=version, pivot=pivot, is_human=False))
            session.execute(delete(TranslationFailure).where(
                TranslationFailure.item_id == unit.item_id,
                TranslationFailure.field == unit.field, TranslationFailure.language == tgt))
            taken.add((unit.item_id, unit.field))
            stored += 1
        for unit, error in failed:
            _record_failure(settings, session, unit, tgt, error)
        now = utcnow()
        for item in session.scalars(select(Item).where(Item.id.in_({u.item_id for u, _ in done}))):
            item.translated_at = now
    logger.info("stored translations engine=%s pair=%s-%s count=%d failed=%d",
                engine, src, tgt, stored, len(failed))
    return stored


def _record_failure(settings: Settings, session, unit: _Unit, tgt: str, error: Exception) -> None:
    """One more attempt counted; the next waits twice as long as the last (capped)."""
    row = session.scalar(select(TranslationFailure).where(
        TranslationFailure.item_id == unit.item_id, TranslationFailure.field == unit.field,
        TranslationFailure.language == tgt))
    if row is None:
        row = TranslationFailure(item_id=unit.item_id, field=unit.field, language=tgt,
                                 attempts=0)
        session.add(row)
    row.attempts += 1
    wait = timedelta(seconds=settings.translate_retry_seconds) * 2 ** (row.attempts - 1)
    row.next_attempt_at = utcnow() + min(wait, MAX_RETRY_WAIT)
    row.last_error = str(error)[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        logger.warning("translation given up item_id=%s field=%s language=%s attempts=%d "
                       "error=%s", unit.item_id, unit.field, tgt, row.attempts, row.last_error)
        return
    logger.info("translation retry scheduled item_id=%s field=%s language=%s attempts=%d",
                unit.item_id, unit.field, tgt, row.attempts)


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
            rows.append(PairStatus(src, tgt, n, engine.engine if engine else None, hint,
                                   engine.pivot if engine else None))
    return rows


@dataclass(frozen=True)
class Reachability:
    """The graph routes run over, and where it reaches among the languages that matter."""

    edges: list[tuple[str, str, str]]  # (source, target, engine) for every installed pair
    languages: list[str]  # the site's languages, then the items' other languages
    routes: dict[Pair, Route | None]  # every ordered pair of `languages`
    given_up: int  # texts that failed MAX_ATTEMPTS times and are no longer tried


def reachability(settings: Settings, store: Store,
                 engines: Sequence[Engine] | None = None) -> Reachability:
    """What `rabkor translate --status` draws: installed pairs and the routes they make."""
    router = _Router(make_engines(settings) if engines is None else engines)
    with store.read() as session:
        counts = _language_counts(session)
        given_up = session.scalar(select(func.count()).select_from(TranslationFailure)
                                  .where(TranslationFailure.attempts >= MAX_ATTEMPTS)) or 0
    languages = list(dict.fromkeys([*settings.languages,
                                    *sorted(k for k in counts if not _unknown(k))]))
    edges = sorted((a, b, e.name) for (a, b), e in router.graph.edges.items())
    return Reachability(edges, languages, router.graph.reachable(languages), given_up)


def _install_hint(settings: Settings, src: str, tgt: str) -> str:
    hints = []
    if "argos" in settings.engines:
        hints.append(f"rabkor models install {src} {tgt}")
    if "apertium" in settings.engines:
        a, b = iso3(src), iso3(tgt)
        hints.append(f"apt-get install apertium-{a}-{b} (Debian may name it apertium-{b}-{a})")
    return " or ".join(hints) or "add an engine to the `engines` setting"
