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

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import ahocorasick
import re2
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, joinedload

from rabkor.core.errors import InvalidInput
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
from rabkor.editor.workflow import decide_by_rule

TRUSTED, BLOCKED, KEYWORDS, PATTERN = RuleKind
APPROVE, REJECT, FLAG = "approve", "reject", "flag"
ACTIONS: dict[str, frozenset[str]] = {
    TRUSTED: frozenset({APPROVE}),
    BLOCKED: frozenset({REJECT}),
    KEYWORDS: frozenset({FLAG, REJECT}),
    PATTERN: frozenset({FLAG, REJECT}),
}
TEXT_LIMIT = 20_000  # characters of title and summary a rule reads
BATCH = 500
READ = (Item.id, Item.source_id, Item.url, Item.title, Item.summary, Item.language)  # hits()
MANY = 0.5  # a rejecting rule that would touch more than this share of the queue warns

_RE2 = re2.Options()
_RE2.log_errors = False
_WORD = re.compile(r"\w")


@dataclass
class RuleSet:
    """The active rules compiled for one pass over each item."""

    trusted: dict[int, Rule] = field(default_factory=dict)
    blocked: dict[str, Rule] = field(default_factory=dict)
    keywords: dict[str | None, ahocorasick.Automaton] = field(default_factory=dict)
    patterns: dict[str | None, tuple[object, list[Rule]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.trusted or self.blocked or self.keywords or self.patterns)

    def hits(self, item) -> list[Rule]:
        """The rules this item meets (an Item, or a row of READ's columns)."""
        found: dict[int, Rule] = {}
        if item.source_id in self.trusted:
            found[self.trusted[item.source_id].id] = self.trusted[item.source_id]
        for host in host_and_parents(item.url, stored=True):
            if host in self.blocked:
                found[self.blocked[host].id] = self.blocked[host]
        text = f"{item.title or ''}\n{plain_text(item.summary or '', TEXT_LIMIT)}"[:TEXT_LIMIT]
        lowered = text.lower()
        for lang in {None, item.language}:
            automaton = self.keywords.get(lang)
            for end, (length, rule) in automaton.iter(lowered) if automaton else ():
                if _bounded(lowered, end - length + 1, end + 1):
                    found[rule.id] = rule
            patterns = self.patterns.get(lang)
            if patterns is not None:
                matcher, numbered = patterns
                for n in matcher.Match(text) or ():
                    found[numbered[n].id] = numbered[n]
        return list(found.values())


def compile_rules(rules: Iterable[Rule]) -> RuleSet:
    compiled = RuleSet()
    words: dict[str | None, ahocorasick.Automaton] = {}
    patterns: dict[str | None, list[Rule]] = {}
    for rule in rules:
        if rule.kind == TRUSTED:
            compiled.trusted[int(rule.pattern)] = rule
        elif rule.kind == BLOCKED:
            compiled.blocked[rule.pattern] = rule
        elif rule.kind == KEYWORDS:
            automaton = words.setdefault(rule.language, ahocorasick.Automaton())
            for word in _keywords(rule.pattern):
                automaton.add_word(word, (len(word), rule))
        elif rule.kind == PATTERN:
            patterns.setdefault(rule.language, []).append(rule)
    for lang, automaton in words.items():
        automaton.make_automaton()
        compiled.keywords[lang] = automaton
    for lang, numbered in patterns.items():
        matcher = re2.Set.SearchSet(_RE2)
        for rule in numbered:
            matcher.Add(rule.pattern)
        matcher.Compile()
        compiled.patterns[lang] = (matcher, numbered)
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
            read = session.execute(
                update(Item).where(Item.status == ItemStatus.PENDING, Item.ruled_at.is_(None))
                .values(ruled_at=utcnow(), updated_at=Item.updated_at)).rowcount
            return RulesReport(read, 0, 0, 0)
    while True:
        with store.transaction() as session:
            # the columns the rules read, as plain rows: ORM objects (and an UPDATE each for
            # ruled_at) were most of the time; only the items a rule decides are loaded
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
                new_hits += [{"item_id": item.id, "rule_id": r.id, "action": r.action,
                              "created_at": now} for r in hits if (item.id, r.id) not in known]
                if any(r.action != FLAG for r in hits):
                    decided.append((item.id, hits))
                elif hits:
                    flagged += 1
            # reading is not changing: updated_at named so the search index is not redone
            session.execute(update(Item).where(Item.id.in_(ids))
                            .values(ruled_at=now, updated_at=Item.updated_at))
            if new_hits:  # one statement, not an ORM object each
                session.execute(insert(RuleHit), new_hits)
            loaded = {item.id: item for item in session.scalars(  # one query, not one each
                select(Item).where(Item.id.in_([i for i, _ in decided])).with_for_update())}
            for item_id, hits in decided:
                outcome = _decide(session, loaded[item_id], hits, now)
                approved += outcome == APPROVE
                rejected += outcome == REJECT
                flagged += outcome == FLAG
            read += len(items)
    return RulesReport(read, approved, rejected, flagged)


def rerun(store: Store, admin: User) -> int:
    """Make the whole queue due for the rules again (after rules changed); the count."""
    with store.transaction() as session:
        count = session.execute(update(Item).where(Item.status == ItemStatus.PENDING)
                                .values(ruled_at=None, updated_at=Item.updated_at)).rowcount
        record(session, admin, "rules re-run", after={"items": count})
    return count


def _decide(session: Session, item: Item, hits: list[Rule], now: datetime) -> str:
    """What the rules that hit `item` do to it: a reject, else an approval, else a flag."""
    if not hits:
        return ""
    deciding = ([r for r in hits if r.action == REJECT] or
                [r for r in hits if r.action == APPROVE])
    if not deciding:
        return FLAG
    return deciding[0].action if decide_by_rule(session, item, deciding[0], now) else FLAG


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


def _bounded(text: str, begin: int, end: int) -> bool:
    """The match is a whole word or phrase: no letter or digit touches either end."""
    return ((begin == 0 or not _WORD.match(text[begin - 1]))
            and (end >= len(text) or not _WORD.match(text[end])))
