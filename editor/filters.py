"""The queue's filters: what an editor can narrow the pending items to, read from the query
string, as SQL conditions, and the counts shown beside each value.

Every filter combines with the others. The counts of one facet are taken with every
other filter applied but its own (the usual faceted reading: "if I chose this value
instead, how many would there be"). Words (`q`) go through the search index, which holds
the pending items too (search/indexer.py), and narrow the set to at most WORDS_CAP
matches before the SQL filters apply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from rabkor.core.store.models import (
    Item,
    ItemStatus,
    MediaKind,
    Rule,
    RuleHit,
    Source,
    Translation,
)
from rabkor.editor.i18n import N_, _, word

T = TypeVar("T")
SORTS = {"newest": N_("newest first"), "oldest": N_("oldest first"), "source": N_("by source")}
FACET_VALUES = 30  # values listed per facet, the commonest
WORDS_CAP = 1000  # matches of the words a queue page filters further


@dataclass(frozen=True)
class QueueFilter:
    original: str = ""  # the original's language
    source: str = ""  # a source id
    category: str = ""  # the source's tendency/category
    kind: str = ""
    since: str = ""  # YYYY-MM-DD, the item's moment (published, else fetched)
    until: str = ""  # inclusive
    submitted: str = ""  # "1": submitted by a correspondent
    translated: str = ""  # has a translation into this language
    untranslated: str = ""  # lacks one
    flagged: str = ""  # a rule's number: the items it flagged (any: by any rule)
    q: str = ""
    sort: str = "newest"

    @classmethod
    def read(cls, params) -> tuple[QueueFilter, list[str]]:
        """The filter the query string asks for, and what in it could not be used (each
        such value is dropped, the rest applies)."""
        values = {f.name: " ".join(str(params.get(f.name, "")).split())[:500]
                  for f in fields(cls)}
        problems = []
        if values["source"] and not values["source"].isdigit():
            problems.append(_("“{value}” is not a source number.").format(value=values["source"]))
            values["source"] = ""
        if values["kind"] and values["kind"] not in set(MediaKind):
            problems.append(_("“{value}” is not a kind of item; the kinds are {kinds}.").format(
                value=values["kind"], kinds=", ".join(word(k) for k in MediaKind)))
            values["kind"] = ""
        for name in ("since", "until"):
            if values[name] and _day(values[name]) is None:
                problems.append(_("“{value}” is not a date; write it as {example}.").format(
                    value=values[name], example="2026-11-30"))
                values[name] = ""
        if values["flagged"] and not (values["flagged"].isdigit() or values["flagged"] == "any"):
            problems.append(_("“{value}” is not a rule number.").format(value=values["flagged"]))
            values["flagged"] = ""
        if values["sort"] not in SORTS:
            values["sort"] = "newest"
        values["submitted"] = "1" if values["submitted"] else ""
        return cls(**values), problems

    def params(self, **changed: str) -> dict[str, str]:
        """The query string of this filter (with `changed` values), defaults left out."""
        return {k: v for k, v in asdict(replace(self, **changed)).items()
                if v and not (k == "sort" and v == "newest")}

    @property
    def active(self) -> bool:
        return bool(self.params(sort="newest"))

    def conditions(self, without: str = "") -> list[ColumnElement[bool]]:
        """The pending items this filter keeps (`without`: that facet's own filter left out)."""
        conds: list[ColumnElement[bool]] = [Item.status == ItemStatus.PENDING,
                                            Item.duplicate_of_id.is_(None)]
        if self.original and without != "original":
            conds.append(Item.language == self.original)
        if self.source and without != "source":
            conds.append(Item.source_id == int(self.source))
        if self.category and without != "category":
            conds.append(Item.source_id.in_(select(Source.id).where(
                Source.category == self.category)))
        if self.kind and without != "kind":
            conds.append(Item.media_kind == MediaKind(self.kind))
        if self.since:
            conds.append(Item.sort_at >= _day(self.since))
        if self.until:
            conds.append(Item.sort_at < _day(self.until) + timedelta(days=1))
        if self.submitted:
            conds.append(Item.submission_id.is_not(None))
        if self.flagged and without != "flagged":
            hit = exists().where(RuleHit.item_id == Item.id)
            conds.append(hit.where(RuleHit.rule_id == int(self.flagged))
                         if self.flagged.isdigit() else hit)
        for lang, present in ((self.translated, True), (self.untranslated, False)):
            if lang:
                has = exists().where(Translation.item_id == Item.id,
                                     Translation.language == lang)
                conds.append(has if present else ~has)
        return conds


FACETS = {  # name → the column whose values it counts
    "original": Item.language,
    "kind": Item.media_kind,
    "category": Source.category,
    "source": Item.source_id,
}
# Counting the facets is most of a queue page's time (four groupings of every pending item,
# ~45 ms at 20,000), and the saved filters' counts add one count each: counts (and the
# words' matches in the search index) are kept FACET_SECONDS per store and question, and
# dropped at once by any decision taken in this process (`forget_counts`); the list is
# always read fresh, and items the crawler adds reach the counts within FACET_SECONDS
FACET_SECONDS = 10.0
KEPT = 256
_counted: dict[tuple, tuple[float, object]] = {}
_counting = threading.Lock()


def forget_counts() -> None:
    with _counting:
        _counted.clear()


def kept_count(session: Session, key: tuple, count: Callable[[], T]) -> T:
    """`count()`, or what it gave for `key` on this store less than FACET_SECONDS ago."""
    key = (str(session.get_bind().url), *key)
    now = time.monotonic()
    with _counting:
        found = _counted.get(key)
        if found and now - found[0] < FACET_SECONDS:
            return found[1]
    value = count()
    with _counting:
        _counted[key] = (now, value)
        while len(_counted) > KEPT:
            del _counted[next(iter(_counted))]
    return value


def filter_key(chosen: QueueFilter) -> tuple:
    """A filter as a key: its values, the sort left out (it changes no count)."""
    return tuple(sorted(chosen.params(sort="newest").items()))


def facet_counts(session: Session, chosen: QueueFilter, narrowed_ids: list[int] | None
                 ) -> dict[str, list[tuple[str, str, int]]]:
    """For each facet its values (value, label, count), commonest first; `narrowed_ids`:
    the matches of the filter's words, if it has any."""
    return kept_count(session, ("facets", filter_key(chosen),
                                None if narrowed_ids is None else tuple(narrowed_ids)),
                      lambda: _facet_counts(session, chosen, narrowed_ids))


def _facet_counts(session: Session, chosen: QueueFilter, narrowed_ids: list[int] | None
                  ) -> dict[str, list[tuple[str, str, int]]]:
    narrowed = [] if narrowed_ids is None else [Item.id.in_(narrowed_ids)]
    out: dict[str, list[tuple[str, str, int]]] = {}
    for name, column in FACETS.items():
        stmt = (select(column, func.count()).select_from(Item)
                .where(*chosen.conditions(without=name), *narrowed))
        if name == "category":
            stmt = stmt.join(Source, Source.id == Item.source_id)
        stmt = stmt.where(column.is_not(None)).group_by(column)
        rows = session.execute(stmt.order_by(func.count().desc(), column)
                               .limit(FACET_VALUES)).all()
        out[name] = [(str(value), str(value), n) for value, n in rows]
    titles = dict(session.execute(select(Source.id, Source.title).where(
        Source.id.in_([int(v) for v, _label, _n in out["source"]]))).all())
    out["source"] = [(v, titles.get(int(v)) or _("source {number}").format(number=v), n)
                     for v, _label, n in out["source"]]
    flags = session.execute(
        select(RuleHit.rule_id, Rule.label, func.count(func.distinct(RuleHit.item_id)))
        .join(Rule, Rule.id == RuleHit.rule_id).join(Item, Item.id == RuleHit.item_id)
        .where(*chosen.conditions(without="flagged"), *narrowed)
        .group_by(RuleHit.rule_id, Rule.label)
        .order_by(func.count(func.distinct(RuleHit.item_id)).desc()).limit(FACET_VALUES)).all()
    out["flagged"] = [(str(rule_id), label, n) for rule_id, label, n in flags]
    return out


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return None
