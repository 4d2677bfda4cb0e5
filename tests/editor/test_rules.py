"""The desk's rules on a real crawl of the feeds in tests/data (La Nación, The Guardian):
a trusted source approves, keywords and patterns per language flag or reject, a blocked
domain rejects; bad rules are explained; a rule that would reject most of the queue is
held back with the count; the whole queue can be read again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from rabkor.app.pipeline import run_cycle
from rabkor.core.accounts import create_user
from rabkor.core.store.models import Decision, Item, ItemStatus, Rule, RuleHit, User
from rabkor.crawler.sources.manage import add_source
from rabkor.editor import rules
from tests.editor.helpers import csrf_of


@pytest.fixture
def crawled(settings, store, feed_server):
    """Both feeds crawled: 100 Spanish items from La Nación, 55 English from the Guardian."""
    with store.transaction() as s:
        nacion = add_source(s, feed_server.url("es/lanacion.xml"), title="La Nación",
                            language="es").id
        guardian = add_source(s, feed_server.url("en/guardian.rss"), title="The Guardian",
                              language="en").id
        admin = create_user(s, "ana", "a long password", "admin")
    from rabkor.crawler.run import crawl

    assert crawl(settings, store).new_items == 155
    return {"nacion": nacion, "guardian": guardian, "admin": admin.id}


def titles(store, status=None, rule_id=None) -> list[str]:
    with store.read() as s:
        q = select(Item.title)
        if status is not None:
            q = q.where(Item.status == status)
        if rule_id is not None:
            q = q.join(RuleHit, RuleHit.item_id == Item.id).where(RuleHit.rule_id == rule_id)
        return sorted(s.scalars(q))


def matching(store, pattern: str, language: str | None = None) -> list[str]:
    """The titles of the items whose title or summary Python's own re finds `pattern` in:
    what the rules' automaton and RE2 should have found, found another way."""
    from rabkor.core.text.html import plain_text

    with store.read() as s:
        rows = s.execute(select(Item.title, Item.summary, Item.language)).all()
    return sorted(t for t, summary, lang in rows
                  if (language is None or lang == language)
                  and re.search(pattern, f"{t}\n{plain_text(summary)}"))


def add(store, admin_id, **fields) -> int:
    with store.transaction() as s:
        from rabkor.core.store.models import User

        return rules.add_rule(s, s.get(User, admin_id), **fields).id


def test_rules_sort_a_real_crawl(settings, store, crawled):
    trusted = add(store, crawled["admin"], kind=rules.TRUSTED, pattern=str(crawled["guardian"]),
                  action=rules.APPROVE, label="Guardian trusted")
    trump = add(store, crawled["admin"], kind=rules.KEYWORDS, pattern="Trump\nState of the Union",
                action=rules.FLAG, label="US politics", language="en")
    sport = add(store, crawled["admin"], kind=rules.PATTERN,
                pattern=r"(?i)\b(champions league|tenis|fútbol|boca|river)\b",
                action=rules.REJECT, label="sport", language="es", reason_code="off-line")
    report = rules.apply_rules(store)
    assert report.read == 155
    guardian_titles = titles(store, ItemStatus.APPROVED)
    assert len(guardian_titles) == report.approved == 55
    flagged = titles(store, rule_id=trump)
    assert flagged == matching(store, r"(?i)\b(trump|state of the union)\b", "en")
    assert "Trump State of the Union address promised unity but emphasized discord" in flagged
    rejected = titles(store, ItemStatus.REJECTED)
    assert rejected == titles(store, rule_id=sport) and len(rejected) == report.rejected >= 2
    assert rejected == matching(store, r"(?i)\b(champions league|tenis|fútbol|boca|river)\b",
                                "es")
    assert any("Champions League" in t for t in rejected)
    assert any("tenis" in t for t in rejected)
    with store.read() as s:
        decisions = s.scalars(select(Decision).where(Decision.rule_id == sport)).all()
        assert {d.reason_code for d in decisions} == {"off-line"}
        assert {d.editor_id for d in decisions} == {None}
        assert s.scalar(select(func.count()).select_from(Decision)
                        .where(Decision.rule_id == trusted)) == 55
    assert rules.apply_rules(store).read == 0  # each item read once


def test_keywords_match_whole_words_only(settings, store, crawled):
    """"gas" flags the gas imports, not "gasoil"; the same as Python's \\b finds."""
    gas = add(store, crawled["admin"], kind=rules.KEYWORDS, pattern="gas\ntapabocas",
              action=rules.FLAG, label="gas")
    rules.apply_rules(store)
    flagged = titles(store, rule_id=gas)
    assert flagged == matching(store, r"(?i)\b(gas|tapabocas)\b")
    assert any("tapabocas" in t for t in flagged)
    assert not any("hizo 600 kilómetros para conseguir gasoil" in t for t in flagged)


def test_a_blocked_domain_rejects_its_links_and_subdomains(settings, store, crawled):
    add(store, crawled["admin"], kind=rules.BLOCKED, pattern="https://lanacion.com.ar/",
        action=rules.REJECT, label="blocked", reason_code="spam")
    report = rules.apply_rules(store)
    assert report.rejected == 100  # www.lanacion.com.ar is a subdomain
    assert len(titles(store, ItemStatus.REJECTED)) == 100


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": rules.PATTERN, "pattern": "(unclosed", "action": rules.FLAG},
     "not a valid regular expression at position 1: missing ), unterminated subpattern"),
    ({"kind": rules.PATTERN, "pattern": r"(a)\1", "action": rules.FLAG},
     "uses what RE2 cannot match in linear time"),
    ({"kind": rules.KEYWORDS, "pattern": "x", "action": rules.APPROVE}, "can flag, reject"),
    ({"kind": rules.KEYWORDS, "pattern": "x", "action": rules.REJECT},
     "needs a reason code"),
    ({"kind": rules.TRUSTED, "pattern": "9999", "action": rules.APPROVE},
     "not the number of a source"),
    ({"kind": rules.BLOCKED, "pattern": "localhost", "action": rules.REJECT,
      "reason_code": "spam"}, "not a domain name"),
    ({"kind": "magic", "pattern": "x", "action": rules.FLAG}, "unknown kind of rule"),
])
def test_bad_rules_are_explained_and_not_saved(store, fields, message):
    from rabkor.core.errors import InvalidInput

    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin").id
    with pytest.raises(InvalidInput, match=re.escape(message)):
        add(store, admin, label="", **fields)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Rule)) == 0


def test_the_rules_page_warns_before_rejecting_most_of_the_queue(client, store, crawled,
                                                                  login_as):
    login_as(client, "admin")
    token = csrf_of(client.get("/admin/rules").text)
    form = {"csrf_token": token, "kind": rules.PATTERN, "pattern": "(?i)a", "action": "reject",
            "reason_code": "spam", "label": "everything"}
    held = client.post("/admin/rules", data=form)
    assert held.status_code == 409 and "would reject 155 of the 155 pending items" in held.text
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Rule)) == 0
    saved = client.post("/admin/rules", data={**form, "confirm": "1"})
    assert saved.status_code == 200 and "everything" in saved.text
    bad = client.post("/admin/rules", data={**form, "pattern": "(x"})
    assert bad.status_code == 400 and "at position 1" in bad.text


def test_the_queue_shows_and_filters_what_rules_flagged(client, store, crawled, login_as,
                                                        settings):
    login_as(client, "editor")
    flag = add(store, crawled["admin"], kind=rules.KEYWORDS, pattern="Trump", action="flag",
               label="US politics", language="en")
    rules.apply_rules(store)
    page = client.get("/", params={"flagged": str(flag)})
    shown = re.findall(r'<article class="item" id="item-(\d+)"', page.text)
    assert shown and len(shown) == len(titles(store, rule_id=flag))
    assert page.text.count('<span class="flag">US politics</span>') == len(shown)
    assert "Flagged by a rule" in page.text
    item_page = client.get(f"/items/{shown[0]}").text
    assert "Rules that touched it" in item_page and "US politics" in item_page


def test_the_pipeline_applies_the_rules_right_after_the_crawl(settings, store, feed_server):
    with store.transaction() as s:
        source = add_source(s, feed_server.url("en/guardian.rss"), title="The Guardian",
                            language="en")
        admin = create_user(s, "ana", "a long password", "admin")
        rules.add_rule(s, admin, kind=rules.TRUSTED, pattern=str(source.id),
                       action=rules.APPROVE, label="trusted")
    report = run_cycle(settings.with_(engines=()), store)
    assert report.new_items == 55 and report.ruled == 55
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Item).where(
            Item.status == ItemStatus.APPROVED)) == 55


def test_without_rules_items_are_marked_read_and_a_later_rule_waits_for_a_rerun(
        settings, store, crawled):
    report = rules.apply_rules(store)
    assert (report.read, report.approved, report.rejected, report.flagged) == (155, 0, 0, 0)
    trusted = add(store, crawled["admin"], kind=rules.TRUSTED,
                  pattern=str(crawled["guardian"]), action=rules.APPROVE, label="trusted")
    assert rules.apply_rules(store).read == 0  # items already read keep their state
    with store.read() as s:
        from rabkor.core.store.models import User

        admin = s.get(User, crawled["admin"])
    assert rules.rerun(store, admin) == 155
    assert rules.apply_rules(store).approved == 55
    assert len(titles(store, rule_id=trusted)) == 55


def test_rules_decide_submitted_items_and_their_submissions_follow(store):
    """Decided a batch at a time, a rule's approval or rejection still moves a
    correspondent's submission (with the rule's reason code); an item an editor decided
    meanwhile is not moved by the rule."""
    from rabkor.core import submissions as lifecycle
    from rabkor.core.store.kinds import SubmissionStatus as S
    from rabkor.core.store.models import Submission
    from tests.editor.helpers import add_item

    spam = add_item(store, "Cheap watches, buy now", language="en")
    trusted_item = add_item(store, "Dockers strike in Rosario", language="es")
    gone = add_item(store, "Buy now: spam that an editor already approved", language="en")
    subs = {}
    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin")
        for item_id in (spam, trusted_item):
            sub = lifecycle.received(Submission(url=f"https://a.example/{item_id}",
                                                submitter_name="Ana"))
            s.add(sub)
            s.flush()
            sub.item_id = item_id
            lifecycle.move(sub, lifecycle.Event.FETCHED)
            s.get(Item, item_id).submission_id = sub.id
            subs[item_id] = sub.id
        source = s.get(Item, trusted_item).source_id
        rules.add_rule(s, admin, kind=rules.KEYWORDS, pattern="buy now", action=rules.REJECT,
                       label="spam words", reason_code="spam")
        rules.add_rule(s, admin, kind=rules.TRUSTED, pattern=str(source), action=rules.APPROVE,
                       label="trusted")
    with store.transaction() as s:  # decided by an editor after it was stored
        s.get(Item, gone).status = ItemStatus.APPROVED
        s.get(Item, gone).ruled_at = None
    report = rules.apply_rules(store)
    assert (report.read, report.approved, report.rejected) == (2, 1, 1)
    with store.read() as s:
        assert s.get(Submission, subs[spam]).status is S.REJECTED
        assert s.get(Submission, subs[spam]).reason == "spam"
        assert s.get(Submission, subs[trusted_item]).status is S.PUBLISHED
        assert [(d.action, d.reason_code, d.editor_id) for d in s.scalars(
            select(Decision).where(Decision.item_id == spam))] == [("reject", "spam", None)]
        assert s.get(Item, gone).status is ItemStatus.APPROVED
    with store.transaction() as s:  # read while pending, approved before the rule acts
        from rabkor.editor.workflow import decide_by_rules

        rule = s.scalar(select(Rule).where(Rule.label == "spam words"))
        assert decide_by_rules(s, [(gone, rule)], rules.utcnow()) == set()
        assert s.get(Item, gone).status is ItemStatus.APPROVED
        assert not s.scalars(select(Decision).where(Decision.item_id == gone)).all()


def test_a_word_in_rules_of_a_language_and_of_any_language_hits_both(store):
    from tests.editor.helpers import add_item

    english = add_item(store, "Housing: the tenants' union meets", language="en")
    spanish = add_item(store, "Vivienda: the tenants' union en Madrid", language="es")
    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin")
        everywhere = rules.add_rule(s, admin, kind=rules.KEYWORDS, pattern="tenants' union",
                                    action=rules.FLAG, label="any language").id
        english_only = rules.add_rule(s, admin, kind=rules.KEYWORDS,
                                      pattern="Tenants' Union\nhousing", action=rules.FLAG,
                                      label="English", language="en").id
        pattern = rules.add_rule(s, admin, kind=rules.PATTERN, pattern=r"(?i)\bunion\b",
                                 action=rules.FLAG, label="pattern", language="es").id
    assert rules.apply_rules(store).flagged == 2
    with store.read() as s:
        hits = set(s.execute(select(RuleHit.item_id, RuleHit.rule_id)).tuples())
    assert hits == {(english, everywhere), (english, english_only),
                    (spanish, everywhere), (spanish, pattern)}


def test_hits_are_stored_as_the_orm_stores_times_and_once(store):
    """The hits go in by a plain executemany: their time is written in the same form as
    every other (SQLite compares times as text), and a re-run adds none twice."""
    from tests.editor.helpers import add_item

    item_id = add_item(store, "General strike called", language="en")
    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin")
        rule_id = rules.add_rule(s, admin, kind=rules.KEYWORDS, pattern="general strike",
                                 action=rules.FLAG, label="strike").id
    rules.apply_rules(store)
    with store.read() as s:
        raw = s.connection().exec_driver_sql(
            "SELECT h.created_at, r.changed_at FROM rule_hits h JOIN rules r "
            "ON r.id = h.rule_id").one()
        hit = s.scalar(select(RuleHit).where(RuleHit.item_id == item_id))
    assert len(raw[0]) == len(raw[1]) and raw[0][10] == raw[1][10] == " "
    assert hit.rule_id == rule_id and hit.created_at.tzinfo is not None
    rules.rerun(store, admin)
    assert rules.apply_rules(store).read == 1
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(RuleHit)) == 1


def test_reading_items_does_not_drop_the_sites_kept_pages_but_deciding_does(store):
    """Marking items read is no change a reader sees (core/store/changes.py): rules that
    only flag, or no rules, leave the store's stamp as it was; a rule that approves moves
    it."""
    from tests.editor.helpers import add_item

    def moves_the_stamp(expected: dict[str, int]) -> bool:
        before = store.changes.version()
        report = rules.apply_rules(store)
        assert {name: getattr(report, name) for name in expected} == expected
        return store.changes.version() != before

    add_item(store, "General strike called", language="en")
    assert not moves_the_stamp({"read": 1})  # no rules yet: the item only marked read
    with store.transaction() as s:
        admin = create_user(s, "ana", "a long password", "admin")
        rules.add_rule(s, admin, kind=rules.KEYWORDS, pattern="general strike",
                       action=rules.FLAG, label="strike")
    add_item(store, "General strike again", language="en")
    assert not moves_the_stamp({"read": 1, "flagged": 1})
    trusted = add_item(store, "From a trusted source", language="en")
    with store.transaction() as s:
        source_id = s.get(Item, trusted).source_id
        rules.add_rule(s, s.get(User, admin.id), kind=rules.TRUSTED,
                       pattern=str(source_id), action=rules.APPROVE, label="trusted")
    assert moves_the_stamp({"read": 1, "approved": 1})
