"""The queue narrowed and cleared fast: filters that combine, each facet's counts with the
other filters applied, sorts, and bulk decisions that skip what someone else decided."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    MediaKind,
    Source,
    Submission,
    User,
)
from rabkor.editor.workflow import decide
from tests.editor.helpers import add_item, csrf_of, when
from tests.editor.test_queue import item_ids


@pytest.fixture
def editor(client, login_as):
    return login_as(client, "editor")


@pytest.fixture
def desk(store):
    """Eight pending items over two sources of two tendencies, three languages, two kinds,
    a submission and translations; one approved item that no filter may show."""
    with store.transaction() as s:
        left = Source(feed_url="http://left.example/feed", title="Left Review",
                      category="socialist")
        right = Source(feed_url="http://right.example/feed", title="Another Paper",
                       category="anarchist")
        s.add_all([left, right])
        s.flush()
        sources = {"left": left.id, "right": right.id}
    ids = {}
    rows = [  # name, source, language, kind, day, translated into
        ("es1", "left", "es", MediaKind.ARTICLE, 1, "en"),
        ("es2", "left", "es", MediaKind.AUDIO, 2, ""),
        ("es3", "right", "es", MediaKind.ARTICLE, 3, "en"),
        ("fr1", "right", "fr", MediaKind.ARTICLE, 4, ""),
        ("fr2", "left", "fr", MediaKind.AUDIO, 5, "en"),
        ("de1", "right", "de", MediaKind.ARTICLE, 6, ""),
        ("de2", "right", "de", MediaKind.ARTICLE, 7, "es"),
    ]
    for name, source, lang, kind, day, target in rows:
        ids[name] = add_item(store, f"Item {name}", language=lang, media_kind=kind,
                             published_at=when(day), source_id=sources[source],
                             translations={("title", target): f"{name} translated"}
                             if target else None)
    with store.transaction() as s:
        sub = Submission(url="http://example.org/sent", submitter_name="maria")
        s.add(sub)
        s.flush()
        item = Item(url="http://example.org/sent", title="Item sent", language="es",
                    submission_id=sub.id, published_at=when(8))
        s.add(item)
        s.flush()
        ids["sent"] = item.id
    add_item(store, "Item decided", status=ItemStatus.APPROVED, source_id=sources["left"])
    return ids, sources


def listed(client, **params) -> list[int]:
    page = client.get("/", params=params)
    assert page.status_code == 200, page.text
    return item_ids(page.text)


def facet(html: str, name: str) -> dict[str, int]:
    """The facet's values with their counts, as the page shows them."""
    block = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>',
                      html, re.S)
    assert block, f"no facet {name}"
    return {text.strip(): int(n) for text, n in re.findall(
        r'<li>(?:<a [^>]*>|<strong[^>]*>)([^<]*)(?:</a>|</strong>) <span class="count">(\d+)',
        block.group(1))}


def test_filters_combine(client, editor, desk):
    ids, sources = desk
    assert listed(client, original="es") == [ids[n] for n in ("sent", "es3", "es2", "es1")]
    assert listed(client, original="es", source=str(sources["left"])) == [ids["es2"],
                                                                          ids["es1"]]
    assert listed(client, category="anarchist", kind="article") == [
        ids[n] for n in ("de2", "de1", "fr1", "es3")]
    assert listed(client, since="2026-11-03", until="2026-11-05") == [
        ids[n] for n in ("fr2", "fr1", "es3")]
    assert listed(client, submitted="1") == [ids["sent"]]
    assert listed(client, translated="en") == [ids[n] for n in ("fr2", "es3", "es1")]
    assert listed(client, untranslated="en", original="de") == [ids["de2"], ids["de1"]]


def test_sorts(client, editor, desk):
    ids, _ = desk
    newest = listed(client)
    assert newest[0] == ids["sent"] and listed(client, sort="oldest") == newest[::-1]
    by_source = listed(client, sort="source")
    # "Another Paper" first, then "Left Review", the submission (no source) last
    assert by_source == [ids[n] for n in ("de2", "de1", "fr1", "es3", "fr2", "es2", "es1",
                                          "sent")]


def test_each_facet_counts_with_the_other_filters_applied(client, editor, desk):
    page = client.get("/", params={"kind": "article"}).text
    assert facet(page, "original") == {"Spanish": 3, "German": 2, "French": 1}
    assert facet(page, "source") == {"Another Paper": 4, "Left Review": 1}
    page = client.get("/", params={"original": "fr"}).text
    # its own facet still counts every language (choosing another replaces the choice)
    assert facet(page, "original") == {"Spanish": 4, "French": 2, "German": 2}
    assert 'href="/?original=es"' in page and "any original language" in page
    assert facet(page, "kind") == {"article": 1, "audio": 1}
    assert facet(page, "category") == {"anarchist": 1, "socialist": 1}


def test_a_filter_value_that_cannot_be_used_is_named_and_the_rest_applies(client, editor,
                                                                           desk):
    ids, _ = desk
    page = client.get("/", params={"original": "fr", "since": "yesterday", "kind": "poem"})
    assert page.status_code == 400
    assert "“yesterday” is not a date" in page.text and "“poem” is not a kind" in page.text
    assert item_ids(page.text) == [ids["fr2"], ids["fr1"]]


def test_bulk_approve_skips_and_names_what_another_editor_decided(client, store, editor,
                                                                  login_as, desk):
    ids, _ = desk
    token = csrf_of(client.get("/").text)
    chosen = [ids["es1"], ids["es2"], ids["fr1"]]
    with store.transaction() as s:  # maria decides one while the page is open
        maria = s.scalar(select(User).where(User.username == editor.username))
        other = User(username="maria", password_hash="x", role="editor")
        s.add(other)
        s.flush()
        decide(s, s.get(Item, ids["es2"]), other, "reject", "", "off-line")
    done = client.post("/items/bulk", data={"csrf_token": token, "action": "approve",
                                            "ids": [str(i) for i in chosen],
                                            "original": "es"})
    assert done.status_code == 200 and "original=es" in str(done.url)
    assert "Approved 2 items" in done.text
    assert "Skipped 1, decided or being reviewed by someone else" in done.text
    assert "“Item es2”: rejected by maria" in done.text
    with store.read() as s:
        statuses = {i: s.get(Item, i).status for i in chosen}
        decided_by = {d.item_id: d.editor_id for d in s.scalars(select(Decision))}
    assert statuses == {ids["es1"]: ItemStatus.APPROVED, ids["es2"]: ItemStatus.REJECTED,
                        ids["fr1"]: ItemStatus.APPROVED}
    assert decided_by[ids["es1"]] == decided_by[ids["fr1"]] == maria.id


def test_bulk_reject_needs_a_reason_and_changes_nothing_without(client, store, editor, desk):
    ids, _ = desk
    token = csrf_of(client.get("/").text)
    page = client.post("/items/bulk", data={"csrf_token": token, "action": "reject",
                                            "ids": [str(ids["es1"]), str(ids["es2"])]})
    assert page.status_code == 400 and "A rejection needs a reason code" in page.text
    nothing = client.post("/items/bulk", data={"csrf_token": token, "action": "approve"})
    assert nothing.status_code == 400 and "Select at least one item" in nothing.text
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0


def test_bulk_works_without_javascript_from_the_page_itself(client, editor, desk):
    """The checkboxes belong to the bulk form through their form attribute, so a plain
    browser submits them with it."""
    ids, _ = desk
    page = client.get("/").text
    assert '<form method="post" action="/items/bulk" id="bulk"' in page
    boxes = re.findall(r'<input type="checkbox" name="ids" value="(\d+)" form="bulk">', page)
    assert sorted(map(int, boxes)) == sorted(ids.values())


def test_counts_follow_decisions_at_once_and_new_items_within_seconds(client, store, editor,
                                                                      desk, monkeypatch):
    from rabkor.editor import filters

    ids, _ = desk
    assert facet(client.get("/").text, "original")["Spanish"] == 4
    token = csrf_of(client.get("/").text)
    client.post(f"/items/{ids['es1']}/approve", data={"csrf_token": token})
    assert facet(client.get("/").text, "original")["Spanish"] == 3  # this desk's decision
    add_item(store, "Item crawled meanwhile", language="es")
    assert facet(client.get("/").text, "original")["Spanish"] == 3  # kept a few seconds
    monkeypatch.setattr(filters, "FACET_SECONDS", 0.0)
    assert facet(client.get("/").text, "original")["Spanish"] == 4
