"""The desk's rules, evaluated in one place as items arrive (right after each crawl, by
the pipeline) and re-runnable on the queue: a trusted source approves its items, a
blocked domain rejects items that link there, keywords or a pattern per language flag
an item with a label or reject it with a reason code.

Hundreds of rules stay cheap: the active rules are compiled once per change into one
RuleSet — every keyword of a language in one Aho-Corasick automaton (pyahocorasick),
every pattern of a language in one RE2 set (google-re2), whose matching is linear in the
text, so no pattern an administrator writes can stall the pipeline on outside text —
and each item is read in one pass of each. A reject outweighs an approval; flags are
recorded either way.

| kind           | what the pattern is                 | actions        |
| -------------- | ----------------------------------- | -------------- |
| trusted source | a source number                     | approve        |
| blocked domain | a host name (its subdomains too)    | reject         |
| keywords       | words or phrases, one a line        | flag, reject   |
| pattern        | a regular expression (RE2 syntax)   | flag, reject   |
"""

from __future__ import annotations

import functools
import operator
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick
import re2
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from rabkor.core.errors import InvalidInput
from rabkor.core.store.changes import UNSEEN
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import RuleKind
from rabkor.core.store.models import (
    Item,
    ItemStatus,
    ReasonCode,
    Rule,
    RuleHit,
    Source,
    User,
    utcnow,
)
from rabkor.core.text.html import plain_text
from rabkor.core.text.urls import host_and_parents
from rabkor.editor.audit import record
from rabkor.editor.i18n import _, number, word
from rabkor.editor.workflow import decide_by_rules

TRUSTED, BLOCKED, KEYWORDS, PATTERN = RuleKind
APPROVE, REJECT, FLAG = "approve", "reject", "flag"
ACTIONS: dict[str, frozenset[str]] = {
    TRUSTED: frozenset({APPROVE}),
    BLOCKED: frozenset({REJECT}),
    KEYWORDS: frozenset({FLAG, REJECT}),
    PATTERN: frozenset({FLAG, REJECT}),
}
TEXT_LIMIT = 20_000  # characters of title and summary a rule reads
BATCH = 2000  # items a transaction: a commit each was a tenth of the rules' time at 500
READ = (Item.id, Item.source_id, Item.url, Item.title, Item.summary, Item.language)  # hits()
MANY = 0.5  # a rejecting rule that would touch more than this share of the queue warns

_RE2 = re2.Options()
_RE2.log_errors = False
_WORD = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Active:
    """An active rule as a RuleSet keeps it: plain values, read thousands of times a batch
    (an ORM attribute's read costs ten times more), valid after its session ended."""

    id: int
    action: str
    label: str
    reason_code: str | None


@dataclass
class RuleSet:
    """The active rules compiled for one pass over each item: per language, one automaton
    of its keywords and one RE2 set of its patterns, the rules of any language in both
    (`None`: an item in a language no rule names)."""

    trusted: dict[int, Active] = field(default_factory=dict)
    blocked: dict[str, Active] = field(default_factory=dict)
    texts: dict[str | None, tuple[ahocorasick.Automaton | None, object | None, list[Active]]] = (
        field(default_factory=dict))

    @property
    def empty(self) -> bool:
        return not (self.trusted or self.blocked or self.texts)

    def hits(self, item) -> list[Active]:
        """The rules this item meets (an Item, or a row of READ's columns)."""
        found: dict[int, Active] = {}
        trusted = self.trusted.get(item.source_id)
        if trusted is not None:
            found[trusted.id] = trusted
        if self.blocked:
            for host in _hosts(item.url or ""):
                if host in self.blocked:
                    found[self.blocked[host].id] = self.blocked[host]
        texts = self.texts.get(item.language) or self.texts.get(None)
        if texts is None:
            return list(found.values())
        automaton, matcher, numbered = texts
        text = f"{item.title or ''}\n{plain_text(item.summary or '', TEXT_LIMIT)}"[:TEXT_LIMIT]
        if automaton is not None:
            lowered = text.lower()
            for end, (length, rules) in automaton.iter(lowered):
                if _bounded(lowered, end - length + 1, end + 1):
                    found.update((rule.id, rule) for rule in rules)
        if matcher is not None:
            for n in matcher.Match(text) or ():
                found[numbered[n].id] = numbered[n]
        return list(found.values())


def compile_rules(rules: Iterable[Rule]) -> RuleSet:
    compiled = RuleSet()
    words: dict[str | None, dict[str, list[Active]]] = {}
    patterns: dict[str | None, list[tuple[str, Active]]] = {}
    for row in rules:
        rule = Active(row.id, row.action, row.label, row.reason_code)
        if row.kind == TRUSTED:
            compiled.trusted[int(row.pattern)] = rule
        elif row.kind == BLOCKED:
            compiled.blocked[row.pattern] = rule
        elif row.kind == KEYWORDS:
            for word in _keywords(row.pattern):  # a word in several rules hits each
                words.setdefault(row.language, {}).setdefault(word, []).append(rule)
        elif row.kind == PATTERN:
            patterns.setdefault(row.language, []).append((row.pattern, rule))
    for lang in {None, *words, *patterns}:
        automaton = None
        keyed = {**words.get(None, {})}
        for word, named in words.get(lang, {}).items() if lang else ():
            keyed[word] = keyed.get(word, []) + named
        if keyed:
            automaton = ahocorasick.Automaton()
            for word, named in keyed.items():
                automaton.add_word(word, (len(word), tuple(named)))
            automaton.make_automaton()
        written = [*patterns.get(None, []), *(patterns.get(lang, []) if lang else [])]
        numbered = [rule for _pattern, rule in written]
        matcher = None
        if written:
            matcher = re2.Set.SearchSet(_RE2)
            for pattern, _rule in written:
                matcher.Add(pattern)
            matcher.Compile()
        if automaton is not None or matcher is not None:
            compiled.texts[lang] = (automaton, matcher, numbered)
    return compiled


_compiled: dict[tuple, RuleSet] = {}
_compiling = threading.Lock()


def active_rules(session: Session) -> RuleSet:
    """The RuleSet of the active rules, compiled again only when a rule changed."""
    stamp = (str(session.get_bind().url),
             *session.execute(select(func.count(), func.max(Rule.changed_at))).one())
    with _compiling:
        if stamp not in _compiled:
            _compiled.clear()
            _compiled[stamp] = compile_rules(session.scalars(
                select(Rule).where(Rule.active.is_(True)).order_by(Rule.id)))
        return _compiled[stamp]


@dataclass(frozen=True)
class RulesReport:
    read: int
    approved: int
    rejected: int
    flagged: int


def apply_rules(store: Store) -> RulesReport:
    """Read every pending item the rules have not read yet (new ones, or all after a
    re-run), record what touched each, and decide where a rule says so."""
    read = approved = rejected = flagged = 0
    with store.transaction() as session:
        if active_rules(session).empty:  # every crawl: nothing to read the items for
            read = _mark_read(session, (Item.status == ItemStatus.PENDING)
                              & Item.ruled_at.is_(None), utcnow())
            return RulesReport(read, 0, 0, 0)
    while True:
        with store.transaction() as session:
            # the columns the rules read, as plain rows, and every write one statement for
            # the batch: ORM objects (an UPDATE or INSERT each) were most of the time
            items = session.execute(
                select(*READ).where(Item.status == ItemStatus.PENDING, Item.ruled_at.is_(None))
                .order_by(Item.id).limit(BATCH)).all()
            if not items:
                break
            ids = [i.id for i in items]
            rules = active_rules(session)
            now = utcnow()
            known = set(session.execute(select(RuleHit.item_id, RuleHit.rule_id).where(
                RuleHit.item_id.in_(ids))).tuples())
            new_hits, decided = [], []
            for item in items:
                hits = rules.hits(item)
                new_hits += [(item.id, r.id, r.action) for r in hits
                             if (item.id, r.id) not in known]
                deciding = _deciding(hits)
                if deciding is not None:
                    decided.append((item.id, deciding))
                elif hits:
                    flagged += 1
            _mark_read(session, Item.id.in_(ids), now)
            if new_hits:
                _insert_hits(session, new_hits, now)
            moved = decide_by_rules(session, decided, now)
            for item_id, rule in decided:
                approved += item_id in moved and rule.action == APPROVE
                rejected += item_id in moved and rule.action == REJECT
                flagged += item_id not in moved
            read += len(items)
    return RulesReport(read, approved, rejected, flagged)


def _mark_read(session: Session, which, now) -> int:
    """Mark the items `which` selects read by the rules `now` (None: due again); how many.
    Reading is not changing: updated_at is named so that the search index is not redone,
    and the statement is UNSEEN by readers (core/store/changes.py), which had taken it for
    a change and dropped the site's kept pages after every crawl's rules."""
    return session.execute(update(Item).where(which)
                           .values(ruled_at=now, updated_at=Item.updated_at)
                           .execution_options(**UNSEEN)).rowcount


HIT = ("item_id", "rule_id", "action", "created_at")


def _insert_hits(session: Session, hits: list[tuple[int, int, str]], now) -> None:
    """Write the hits (item, rule, action) found `now` in one plain executemany on the
    session's connection: through the ORM's statement each row's parameters were built and
    processed one by one (4 of a hit's 12 µs). The statement is compiled, and the time
    bound, as SQLAlchemy does it for this database, once."""
    connection = session.connection()
    table = RuleHit.__table__
    compiled = insert(table).compile(connection, column_keys=list(HIT))
    dialect = connection.dialect
    bind = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    stamp = bind(now) if bind else now
    rows = [(*hit, stamp) for hit in hits]
    if compiled.positiontup is None:  # a named paramstyle (PostgreSQL's drivers)
        params = [dict(zip(HIT, row, strict=True)) for row in rows]
    else:  # positional (SQLite's "?"), in the statement's order
        pick = operator.itemgetter(*(HIT.index(name) for name in compiled.positiontup))
        params = [pick(row) for row in rows]
    connection.exec_driver_sql(compiled.string, params)


def rerun(store: Store, admin: User) -> int:
    """Make the whole queue due for the rules again (after rules changed); the count."""
    with store.transaction() as session:
        count = _mark_read(session, Item.status == ItemStatus.PENDING, None)
        record(session, admin, "rules re-run", after={"items": count})
    return count


def _deciding(hits: list[Active]) -> Active | None:
    """The rule whose action an item takes: a reject outweighs an approval; None: flags."""
    return (next((r for r in hits if r.action == REJECT), None)
            or next((r for r in hits if r.action == APPROVE), None))


# keeping the rules


def add_rule(session: Session, admin: User, *, kind: str, pattern: str, action: str,
             label: str, language: str = "", reason_code: str = "") -> Rule:
    """A new active rule, checked: the pattern of its kind, an action the kind allows,
    a reason code for a rejection."""
    pattern = _checked(session, kind, pattern.strip())
    if action not in ACTIONS.get(kind, ()):
        allowed = ", ".join(word(a) for a in sorted(ACTIONS.get(kind, ())))
        if action:
            raise InvalidInput(_("a {kind} rule can {allowed}, not {action}").format(
                kind=word(kind), allowed=allowed, action=word(action)))
        raise InvalidInput(_("a {kind} rule can {allowed}, not nothing").format(
            kind=word(kind), allowed=allowed))
    label = " ".join(label.split()) or f"{kind}: {pattern[:60]}"
    if len(label) > 200:
        raise InvalidInput(_("a rule's label is at most 200 characters"))
    code = None
    if action == REJECT:
        known = session.get(ReasonCode, reason_code) if reason_code else None
        if known is None or not known.active:
            raise InvalidInput(_("a rejecting rule needs a reason code: choose one of the list"))
        code = known.code
    rule = Rule(kind=kind, pattern=pattern, action=action, label=label, reason_code=code,
                language=language or None, created_by_id=admin.id, changed_at=utcnow())
    session.add(rule)
    session.flush()
    record(session, admin, "rule added", after={
        "rule": rule.id, "kind": kind, "pattern": pattern[:500], "action": action,
        "label": label})
    return rule


def would_touch(session: Session, rule: Rule) -> tuple[int, int]:
    """How many pending items `rule` would touch, of how many: the warning before a rule
    that rejects most of the queue is saved."""
    one = compile_rules([rule])
    touched = total = 0
    for item in session.execute(select(*READ).where(Item.status == ItemStatus.PENDING)
                                .execution_options(yield_per=BATCH)):
        total += 1
        touched += bool(one.hits(item))
    return touched, total


def set_active(session: Session, admin: User, rule_id: int, active: bool) -> None:
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise InvalidInput(_("there is no rule {number}").format(number=rule_id))
    rule.active, rule.changed_at = active, utcnow()
    record(session, admin, "rule changed", before={"rule": rule.id, "active": not active},
           after={"rule": rule.id, "active": active})


def hits_of(session: Session, item_ids: list[int]) -> dict[int, list[RuleHit]]:
    found: dict[int, list[RuleHit]] = {}
    for hit in session.scalars(select(RuleHit).where(RuleHit.item_id.in_(item_ids))
                               .options(joinedload(RuleHit.rule)).order_by(RuleHit.id)):
        found.setdefault(hit.item_id, []).append(hit)
    return found


def _checked(session: Session, kind: str, pattern: str) -> str:
    if kind not in ACTIONS:
        raise InvalidInput(_("unknown kind of rule {kind}; the kinds are {kinds}").format(
            kind=repr(kind), kinds=", ".join(word(k) for k in ACTIONS)))
    if not pattern or len(pattern) > 10_000:
        raise InvalidInput(_("a rule needs a pattern of 1 to {count} characters").format(
            count=number(10_000)))
    if kind == TRUSTED:
        if not pattern.isdigit() or session.get(Source, int(pattern)) is None:
            raise InvalidInput(_("“{value}” is not the number of a source").format(
                value=pattern[:40]))
        return pattern
    if kind == BLOCKED:
        hosts = host_and_parents(pattern if "//" in pattern else f"http://{pattern}")
        host = hosts[0] if hosts else ""
        if "." not in host:
            raise InvalidInput(_("“{value}” is not a domain name, like example.org").format(
                value=pattern[:60]))
        return host
    if kind == KEYWORDS:
        if not _keywords(pattern):
            raise InvalidInput(_("a keywords rule needs at least one word"))
        return "\n".join(_keywords(pattern))
    try:
        re.compile(pattern)  # Python's parser says where a mistake is
    except re.error as exc:
        if exc.pos is not None:
            raise InvalidInput(_("the pattern is not a valid regular expression at position "
                                 "{position}: {problem}").format(position=exc.pos + 1,
                                                                 problem=exc.msg)) from None
        raise InvalidInput(_("the pattern is not a valid regular expression: {problem}").format(
            problem=exc.msg)) from None
    try:
        re2.compile(pattern, _RE2)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise InvalidInput(_("the pattern uses what RE2 cannot match in linear time "
                             "({problem}); write it without back-references or "
                             "look-arounds").format(problem=detail)) from None
    return pattern


def _keywords(text: str) -> list[str]:
    return [w for w in (" ".join(line.split()).lower() for line in text.splitlines()) if w]


def _hosts(url: str) -> tuple[str, ...]:
    """A stored link's host and the domains above it (host_and_parents), read from the part
    before its path, which is parsed once per site: a crawl's items come from a few hundred
    sites, and splitting each link was a sixth of the rules' time an item."""
    end = url.find("/", url.find("//") + 2)  # the authority holds no "/"
    return _site_hosts(url if end < 0 else url[:end])


@functools.lru_cache(maxsize=4096)
def _site_hosts(site: str) -> tuple[str, ...]:
    return tuple(host_and_parents(site, stored=True))


def _bounded(text: str, begin: int, end: int) -> bool:
    """The match is a whole word or phrase: no letter or digit touches either end."""
    return ((begin == 0 or not _WORD.match(text[begin - 1]))
            and (end >= len(text) or not _WORD.match(text[end])))
