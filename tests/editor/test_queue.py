"""The queue page: what it shows and how, and the decisions taken from it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from rabkor.core.store.models import Decision, Item, ItemStatus, Submission, utcnow
from tests.editor.helpers import add_item, csrf_of, when


def item_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="item" id="item-(\d+)"', html)]


def article(html: str, item_id: int) -> str:
    match = re.search(rf'<article class="item" id="item-{item_id}">(.*?)</article>', html, re.S)
    assert match, f"item {item_id} is not on the page"
    return match.group(1)


def decisions_of(store, item_id: int) -> list[Decision]:
    with store.read() as s:
        return list(s.scalars(select(Decision).where(Decision.item_id == item_id)))


@pytest.fixture
def editor(client, login_as):
    return login_as(client, "editor")


def test_pending_items_come_newest_first_and_decided_ones_are_absent(client, store, editor):
    old = add_item(store, published_at=when(1))
    undated = add_item(store, fetched_at=when(3))  # no publication date: fetch time counts
    new = add_item(store, published_at=when(5))
    add_item(store, status=ItemStatus.APPROVED, published_at=when(6))
    add_item(store, status=ItemStatus.REJECTED, published_at=when(7))
    page = client.get("/")
    assert item_ids(page.text) == [new, undated, old]
    assert '<span class="count">3</span>' in page.text


def test_original_and_machine_translation_side_by_side(client, store, editor):
    item_id = add_item(
        store, "Huelga general en Madrid", language="es", published_at=when(2),
        summary="<p>Los <b>sindicatos</b> convocan.</p>", media_kind="audio",
        translations={("title", "en"): "General strike in Madrid",
                      ("summary", "en"): "The unions call it."})
    html = article(client.get("/").text, item_id)
    original, translation = html.split('<div class="translation"')
    assert "Huelga general en Madrid" in original
    assert "<p>Los <b>sindicatos</b> convocan.</p>" in original  # sanitized HTML, rendered
    assert "Spanish" in original and "audio" in original and "Source " in original
    assert 'href="http://example.org/items/' in original
    assert "General strike in Madrid" in translation and "The unions call it." in translation
    assert "machine-translated from Spanish by argos" in translation


def test_the_default_translation_is_the_first_site_language_unlike_the_original(
    client, store, editor
):
    english = add_item(store, "Strike", language="en",
                       translations={("title", "es"): "Huelga", ("title", "de"): "Streik"})
    html = client.get("/").text
    assert "Huelga" in article(html, english) and "Streik" not in article(html, english)
    chosen = client.get("/", params={"lang": "de"}).text
    assert "Streik" in article(chosen, english) and "Huelga" not in article(chosen, english)


def test_human_and_missing_translations_are_labelled(client, store, editor):
    human = add_item(store, language="de", human=True,
                     translations={("title", "en"): "Corrected by a person"})
    missing = add_item(store, language="de")
    html = client.get("/").text
    assert "human translation" in article(html, human)
    assert "machine-translated" not in article(html, human)
    assert "no translation yet" in article(html, missing)
    same = client.get("/", params={"lang": "de"}).text
    assert "The original is in German." in article(same, missing)


def test_outside_content_cannot_run_script(client, store, editor):
    item_id = add_item(store, "<script>alert(1)</script>Title",
                       url="javascript:alert(2)",
                       summary='<p onclick="x()">ok</p><script>alert(3)</script>',
                       translations={("title", "en"): "<img src=x onerror=alert(4)>"})
    html = article(client.get("/").text, item_id)
    assert "<script>" not in html and "onclick" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Title" in html
    assert 'href="javascript:' not in html


def link(html: str, rel: str) -> str | None:
    """The query of the page's next or previous link, as a browser would follow it."""
    found = re.search(rf'<a rel="{rel}" accesskey="[np]" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client, start: str) -> list[list[int]]:
    """Every page from `start`, following Next links to the end."""
    pages, url = [], start
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        pages.append(item_ids(page.text))
        url = link(page.text, "next")
    return pages


@pytest.fixture
def many(store):
    """120 pending items from three sources (one with an empty title) and a correspondent's
    link (no source), with ties in their moments, and some decided ones among them: each
    item's source title (None: no source) and moment."""
    from rabkor.core.store.models import Source

    titles = ["Zeta News", "Alpha Daily", ""]
    with store.transaction() as s:
        sources = [Source(feed_url=f"https://s{n}.example/feed", title=title)
                   for n, title in enumerate(titles)]
        s.add_all(sources)
        s.flush()
        source_ids = [source.id for source in sources]
    ids = {}
    for n in range(120):
        moment = when(1 + n % 7, n % 3)  # many items share a moment: the id decides
        item_id = add_item(store, f"Item {n}", published_at=moment,
                           source_id=source_ids[n % 3])
        ids[item_id] = (titles[n % 3], moment)
    for n in range(5):
        add_item(store, f"Decided {n}", status=ItemStatus.APPROVED, published_at=when(2),
                 source_id=source_ids[0])
    with store.transaction() as s:
        sub = Submission(url="https://a.example/sent", submitter_name="Ana")
        s.add(sub)
        s.flush()
        item = Item(url="https://a.example/sent", title="Sent", language="es",
                    published_at=when(4), submission_id=sub.id)
        s.add(item)
        s.flush()
        ids[item.id] = (None, when(4))
    return ids


def expected(many, sort: str) -> list[int]:
    """The order of `sort`, found another way: Python's sorts, each stable."""
    if sort == "newest":
        return sorted(many, key=lambda i: (many[i][1], i), reverse=True)
    if sort == "oldest":
        return sorted(many, key=lambda i: (many[i][1], i))
    by_moment = sorted(many, key=lambda i: (many[i][1], i), reverse=True)
    return sorted(by_moment, key=lambda i: (many[i][0] is None, many[i][0] or ""))


@pytest.mark.parametrize("sort", ["newest", "oldest", "source"])
def test_pages_follow_cursors_in_every_order_and_back(client, store, editor, many, sort):
    """Next links walk every pending item once, in the order asked, fifty a page; Previous
    links walk back through the same pages; the count stays the whole queue's."""
    start = "/" if sort == "newest" else f"/?sort={sort}"
    pages = walk(client, start)
    assert [len(p) for p in pages] == [50, 50, 21]
    assert [i for p in pages for i in p] == expected(many, sort)
    last = client.get(start)
    for _ in range(2):
        last = client.get(link(last.text, "next"))
    assert '<span class="count">121</span>' in last.text and link(last.text, "next") is None
    back, seen = last, []
    while (url := link(back.text, "prev")) is not None:
        assert f"sort={sort}" in url or sort == "newest"
        back = client.get(url)
        seen.append(item_ids(back.text))
    assert seen == [pages[1], pages[0]]
    assert link(back.text, "prev") is None


def test_a_filter_pages_by_cursor_and_a_decision_returns_to_the_same_place(client, store,
                                                                            editor):
    ids = [add_item(store, published_at=when(1, hour % 24), fetched_at=when(1),
                    language="es" if hour % 2 else "fr") for hour in range(120)]
    spanish = [i for n, i in enumerate(ids) if n % 2]
    first = client.get("/", params={"original": "es"})
    assert '<span class="count">60</span>' in first.text
    second_url = link(first.text, "next")
    assert second_url.startswith("/?original=es&after=")
    second = client.get(second_url)
    assert set(item_ids(first.text)) | set(item_ids(second.text)) == set(spanish)
    shown = item_ids(second.text)
    assert len(shown) == 10
    token = csrf_of(second.text)
    after = second_url.split("after=")[1]
    done = client.post(f"/items/{shown[0]}/approve", follow_redirects=False,
                       data={"csrf_token": token, "original": "es", "after": after})
    assert done.headers["location"] == f"/?original=es&after={after}&done=approve&item={shown[0]}"
    again = client.get(done.headers["location"])
    assert item_ids(again.text) == shown[1:]
    assert '<span class="count">59</span>' in again.text


def test_past_the_end_is_the_last_page(client, store, editor):
    ids = [add_item(store, published_at=when(1, hour % 24), fetched_at=when(1))
           for hour in range(60)]
    first = client.get("/")
    second_url = link(first.text, "next")
    last_ten = item_ids(client.get(second_url).text)
    with store.transaction() as s:
        for item_id in last_ten:
            s.get(Item, item_id).status = ItemStatus.APPROVED
    page = client.get(second_url)  # every item after the cursor was decided
    assert page.status_code == 200
    assert item_ids(page.text) == item_ids(first.text)
    assert link(page.text, "next") is None and link(page.text, "prev") is None
    assert len(ids) == 60


@pytest.mark.parametrize("query", [
    {"after": "not a cursor"},
    {"after": "é"},
    {"before": "%%%"},
    {"after": "x" * 5000},
    {"after": "MjAyNjExMDExMjAwMDAwMDAwMDAuOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"},  # id past 2**63
    {"after": "MjAyNjEzNDUyNTAwMDAwMDAwMDAuMQ"},  # month 13
    {"after": "LTEuLTE"},  # "-1.-1"
    {"after": "MjAyNjExMDExMjAwMDAwMDAwMDAuMQ", "sort": "source"},  # newest's, 2 values
    {"after": "MS4yMDI2MTEwMTEyMDAwMDAwMDAwMC4x"},  # source's, 3 values
])
def test_a_cursor_the_desk_did_not_write_gets_the_first_page_with_a_400(client, store,
                                                                        editor, query):
    ids = [add_item(store, published_at=when(1, hour)) for hour in range(3)]
    page = client.get("/", params=query)
    assert page.status_code == 400
    assert "That page of the queue is not one the desk linked to" in page.text
    assert sorted(item_ids(page.text)) == ids  # all three: the first page
    assert '<span class="count">3</span>' in page.text


def test_pending_submissions_are_listed(client, store, editor):
    with store.transaction() as s:
        s.add(Submission(url="https://example.net/report", note="Worth a look <b>now</b>",
                         language="pt", submitter_name="Ana"))
    html = client.get("/").text
    section = html[html.index('<section class="submissions"'):]
    assert "https://example.net/report" in section and "Portuguese" in section
    assert "Worth a look &lt;b&gt;now&lt;/b&gt;" in section and "Ana" in section


def test_approve_records_the_decision_and_confirms(client, store, editor):
    item_id = add_item(store, "Huelga", published_at=when(2))
    other = add_item(store, published_at=when(1))
    page = client.get("/", params={"lang": "de"})
    response = client.post(f"/items/{item_id}/approve", follow_redirects=False,
                           data={"csrf_token": csrf_of(page.text), "lang": "de"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/?lang=de&done=approve&item={item_id}"
    queue = client.get(response.headers["location"])
    assert "Approved “Huelga”" in queue.text
    assert item_ids(queue.text) == [other]
    [decision] = decisions_of(store, item_id)
    assert (decision.editor_id, decision.action, decision.to_status) == (
        editor.id, "approve", ItemStatus.APPROVED)
    assert abs((utcnow() - decision.created_at).total_seconds()) < 60
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED


def test_reject_records_the_reason(client, store, editor):
    item_id = add_item(store)
    token = csrf_of(client.get("/").text)
    queue = client.post(f"/items/{item_id}/reject",
                        data={"csrf_token": token, "reason": "Off topic",
                              "reason_code": "off-line"})
    assert queue.status_code == 200 and "Rejected “" in queue.text
    assert item_ids(queue.text) == []
    [decision] = decisions_of(store, item_id)
    assert (decision.action, decision.reason, decision.editor_id) == ("reject", "Off topic",
                                                                      editor.id)
    assert decision.reason_code == "off-line"


@pytest.mark.parametrize(("code", "reason", "message"), [
    ("", "off topic", "A rejection needs a reason code: choose one of the list."),
    ("other", "  ", "The reason “other” needs the reason in words."),
])
def test_reject_without_a_reason_shows_an_error_and_changes_nothing(
    client, store, editor, code, reason, message
):
    item_id = add_item(store)
    token = csrf_of(client.get("/").text)
    response = client.post(f"/items/{item_id}/reject", data={"csrf_token": token,
                                                              "reason": reason,
                                                              "reason_code": code})
    assert response.status_code == 400
    assert message in article(response.text, item_id)
    assert decisions_of(store, item_id) == []
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING


@pytest.mark.parametrize("action", ["approve", "reject", "reopen"])
@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_decision_without_a_valid_csrf_token_is_refused(client, store, editor, action,
                                                          token):
    item_id = add_item(store)
    data = {"reason": "spam"} | ({} if token is None else {"csrf_token": token})
    response = client.post(f"/items/{item_id}/{action}", data=data)
    assert response.status_code == 403
    assert decisions_of(store, item_id) == []
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING


def test_deciding_twice_says_it_is_already_decided(client, store, editor):
    item_id = add_item(store, status=ItemStatus.APPROVED)
    token = csrf_of(client.get("/").text)
    response = client.post(f"/items/{item_id}/approve", data={"csrf_token": token})
    assert response.status_code == 409
    assert f"Item {item_id} is approved, it cannot be approved." in response.text


def test_an_unknown_item_is_not_found(client, editor):
    token = csrf_of(client.get("/").text)
    assert client.post("/items/999/approve", data={"csrf_token": token}).status_code == 404


def test_undo_from_the_confirmation_puts_the_item_back(client, store, editor):
    item_id = add_item(store)
    queue = client.post(f"/items/{item_id}/approve",
                        data={"csrf_token": csrf_of(client.get("/").text)})
    undo = re.search(r'<form method="post" action="(/items/\d+/reopen)">', queue.text)
    assert undo and undo.group(1) == f"/items/{item_id}/reopen"
    queue = client.post(undo.group(1), data={"csrf_token": csrf_of(queue.text)})
    assert "it is back in the queue" in queue.text and item_ids(queue.text) == [item_id]
    assert [d.action for d in decisions_of(store, item_id)] == ["approve", "reopen"]


def test_recent_decisions_show_the_audit_trail_and_can_reopen(client, store, editor):
    item_id = add_item(store, "Huelga")
    token = csrf_of(client.get("/").text)
    client.post(f"/items/{item_id}/reject", data={"csrf_token": token, "reason": "Duplicate",
                                                  "reason_code": "duplicate"})
    page = client.get("/decisions")
    row = page.text[page.text.index("<tbody>"):]
    for text in (editor.username, "reject", "pending → rejected", "Huelga", "Duplicate"):
        assert text in row
    reopened = client.post(f"/items/{item_id}/reopen",
                           data={"csrf_token": token, "back": "decisions"})
    assert str(reopened.url).endswith(f"/decisions?done=reopen&item={item_id}")
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.PENDING
        assert s.scalar(select(func.count()).select_from(Decision)) == 2


def test_the_stylesheet_is_served(client):
    response = client.get("/static/editor.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]


def test_a_decision_reaches_search_within_the_request(client, store, editor, settings):
    """Approving indexes the item right after the response (no cycle to wait for);
    rejecting takes it out again."""
    from rabkor.search.service import search

    item_id = add_item(store, "Huelga portuaria en Valparaíso")
    token = csrf_of(client.get("/").text)
    client.post(f"/items/{item_id}/approve", data={"csrf_token": token})
    assert [h.item_id for h in search(settings, "valparaiso", lang="es").hits] == [item_id]
    client.post(f"/items/{item_id}/reopen", data={"csrf_token": token})
    assert search(settings, "valparaiso", lang="es").total == 0


def test_the_queue_is_searched_through_the_search_index(client, store, editor, settings):
    """Words, phrases and operators as readers use them, on the pending items only; a
    decision taken from the results comes back to them; a malformed query is explained."""
    from rabkor.search.indexer import update_index

    strike = add_item(store, "Huelga de estibadores en Valparaíso", published_at=when(1))
    other = add_item(store, "Cooperativas de vivienda", published_at=when(2))
    french = add_item(store, "Grève des dockers", language="fr", published_at=when(3),
                      translations={("title", "es"): "Huelga de los estibadores"})
    add_item(store, "Huelga ya decidida", status=ItemStatus.APPROVED)
    update_index(settings, store)
    page = client.get("/", params={"q": "huelga", "lang": "es"})
    assert sorted(item_ids(page.text)) == sorted([strike, french])  # the French one through
    assert '<span class="count">2</span>' in page.text               # its translation
    assert item_ids(client.get("/", params={"q": "huelga -lang:fr", "lang": "es"}).text) == [strike]
    assert item_ids(client.get("/", params={"q": '"de vivienda"'}).text) == [other]
    token = csrf_of(page.text)
    done = client.post(f"/items/{strike}/approve",
                       data={"csrf_token": token, "q": "huelga", "lang": "es"})
    assert "q=huelga" in str(done.url)
    assert item_ids(done.text) == [french]
    bad = client.get("/", params={"q": '"unclosed'})
    assert bad.status_code == 400 and item_ids(bad.text) == [] and 'role="alert"' in bad.text
    assert "A quotation mark (&#34;) is not closed" in bad.text


def test_the_translation_language_is_remembered_per_editor(client, store, settings, login_as):
    from rabkor.editor.app import create_app as editor_app

    item_id = add_item(store, "Grève des dockers", language="fr",
                       translations={("title", "en"): "Dockers strike",
                                     ("title", "es"): "Huelga de estibadores"})
    login_as(client, "editor")
    assert "Dockers strike" in article(client.get("/").text, item_id)  # the first unlike fr
    client.get("/", params={"lang": "es"})
    assert "Huelga de estibadores" in article(client.get("/").text, item_id)  # kept
    assert "Huelga de estibadores" in client.get(f"/items/{item_id}").text
    from starlette.testclient import TestClient

    with TestClient(editor_app(settings, store)) as other:
        login_as(other, "editor")
        assert "Dockers strike" in article(other.get("/").text, item_id)  # hers, not his
    client.get("/", params={"lang": ""})  # back to the default
    assert "Dockers strike" in article(client.get("/").text, item_id)


def test_decisions_made_while_the_index_is_updated_go_together_in_the_next_update(
        store, settings, monkeypatch):
    """An update waits `index_delay` and takes every item decided by then; one runs at a
    time, and what is decided while it runs goes in the next (each is a commit)."""
    import asyncio

    from rabkor.editor import reindex
    from rabkor.search.service import search

    first, second, third = (add_item(store, f"Huelga {word}", status=ItemStatus.APPROVED)
                            for word in ("portuaria", "minera", "docente"))
    updates = []

    def counted(settings, store, item_ids):
        updates.append(item_ids)
        return real(settings, store, item_ids=item_ids)

    real = reindex.update_index
    monkeypatch.setattr(reindex, "update_index", counted)
    indexer = reindex.Reindexer(settings.with_(index_delay=0.3), store)

    async def decisions():
        running = asyncio.ensure_future(indexer.index([first]))
        await asyncio.sleep(0.05)
        await indexer.index([second])  # within the delay: returns at once
        while not updates:  # the first update has begun
            await asyncio.sleep(0.01)
        await indexer.index([third])
        await running

    asyncio.run(decisions())
    assert updates == [[first, second], [third]] and not indexer.running
    assert search(settings, "huelga", lang="es").total == 3
