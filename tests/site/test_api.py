"""The JSON API as a program reads it: published items only, by the listings' filters,
every item once and in order through the cursor's pages while items are published; one
item with its translations and labels; sources, topics and search; clear 400s and JSON
404s; CORS on /api only; ETag and 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import insert, select

from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    ItemTopic,
    Source,
    Submission,
    Topic,
)
from rabkor.search.indexer import update_index

START = datetime(2025, 3, 1, tzinfo=UTC)


def _store_items(store, n: int, *, offset: int = 0, source_id=None) -> None:
    """`n` items, every seventh pending, every third dated like the one before (ties)."""
    with store.transaction() as s:
        s.execute(insert(Item), [{
            "url": f"https://example.org/items/{k}", "title": f"Item {k}",
            "language": ("es", "ru", "en", "ar")[k % 4],
            "media_kind": ("article", "audio", "article", "video", "lecture")[k % 5],
            "status": "approved" if k % 7 else "pending", "source_id": source_id,
            "published_at": START + timedelta(hours=k - (k % 3 == 2))}
            for k in range(offset, offset + n)])


def _expected(store, *conditions) -> list[int]:
    with store.read() as s:
        return list(s.scalars(select(Item.id).where(Item.status == ItemStatus.APPROVED,
                                                    *conditions)
                              .order_by(Item.sort_at.desc(), Item.id.desc())))


def _walk(client, url: str) -> list[int]:
    """Every item id of a list, following `next` (absolute URLs) to the end."""
    seen = []
    while url:
        answer = client.get(_here(url))
        assert answer.status_code == 200, (url, answer.text)
        seen += [item["id"] for item in answer.json()["items"]]
        url = answer.json()["next"]
    return seen


def _here(url: str) -> str:
    """An absolute URL of the public address as the test client asks it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_every_published_item_once_in_order_through_every_page_boundary(client, store):
    _store_items(store, 530)
    expected = _expected(store)
    assert len(expected) == 454
    for limit in (1, 7, 100):
        assert _walk(client, f"/api/v1/items?limit={limit}") == expected


def test_paging_while_items_are_published_skips_and_repeats_nothing(client, store):
    _store_items(store, 120)
    before = _expected(store)
    first = client.get("/api/v1/items?limit=25").json()
    with store.transaction() as s:  # newer items arrive at the top between pages
        s.execute(insert(Item), [{"url": f"https://example.org/new/{k}", "title": f"New {k}",
                                  "status": "approved", "language": "en",
                                  "published_at": START + timedelta(days=400, minutes=k)}
                                 for k in range(30)])
    seen = [i["id"] for i in first["items"]] + _walk(client, first["next"])
    assert seen == before


def test_the_next_address_is_absolute_and_keeps_the_filters(client, store, settings):
    _store_items(store, 60)
    answer = client.get("/api/v1/items?kind=audio&limit=3&lang=es").json()
    assert answer["next"].startswith("http")
    assert "kind=audio" in answer["next"] and "lang=es" in answer["next"]
    assert "limit=3" in answer["next"] and "cursor=" in answer["next"]


def test_filters_alone_and_combined(client, store):
    with store.transaction() as s:
        source = Source(feed_url="https://a.example.org/feed", title="A")
        topic = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas"})
        s.add_all([source, topic])
        s.flush()
        source_id, topic_id = source.id, topic.id
    _store_items(store, 80, source_id=source_id)
    _store_items(store, 40, offset=80)
    with store.read() as s:
        chosen = list(s.scalars(select(Item.id).where(Item.language == "es")))[:9]
    with store.transaction() as s:
        s.execute(insert(ItemTopic), [{"item_id": i, "topic_id": topic_id} for i in chosen])

    def ids(query):
        return _walk(client, f"/api/v1/items?{query}&limit=100")

    assert ids("kind=audio") == _expected(store, Item.media_kind == "audio")
    assert ids("original_language=ru") == _expected(store, Item.language == "ru")
    assert ids(f"source={source_id}") == _expected(store, Item.source_id == source_id)
    assert ids("topic=strikes") == _expected(store, Item.id.in_(chosen))
    assert ids("month=2025-03") == _expected(store)
    assert ids("month=2025-04") == []
    assert ids(f"kind=audio&original_language=es&source={source_id}") == _expected(
        store, Item.media_kind == "audio", Item.language == "es", Item.source_id == source_id)
    assert client.get("/api/v1/items?topic=nothing").status_code == 404
    assert client.get("/api/v1/items?source=999999").json() == {
        "error": "source: there is no source 999999"}


def test_only_published_items_and_nothing_private(client, add_item, store):
    with store.transaction() as s:
        sent = Submission(url="http://example.org/sent", note="a private note",
                          submitter_name="Secret Sender")
        s.add(sent)
        s.flush()
        submission_id = sent.id
    shown = add_item("Published", author="A. Writer", submission_id=submission_id)
    hidden = add_item("Waiting", status=ItemStatus.PENDING)
    rejected = add_item("Turned down", status=ItemStatus.REJECTED)
    with store.transaction() as s:
        s.add(Decision(item_id=shown, action="approve", from_status=ItemStatus.PENDING,
                       to_status=ItemStatus.APPROVED, reason="an editor's aside"))
    assert [i["id"] for i in client.get("/api/v1/items").json()["items"]] == [shown]
    for item_id in (hidden, rejected):
        answer = client.get(f"/api/v1/items/{item_id}")
        assert answer.status_code == 404
        assert answer.json() == {"error": f"there is no published item {item_id}"}
    body = client.get(f"/api/v1/items/{shown}").text
    assert "A. Writer" in body  # the item page shows its author
    for private in ("a private note", "Secret Sender", "an editor's aside"):
        assert private not in body


def test_one_item_with_its_translations_and_what_each_part_is(client, add_item):
    item_id = add_item(
        "Huelga en el puerto", language="es", summary="<p>Los estibadores <b>paran</b>.</p>",
        content="<p>Texto completo.</p>",
        translations={("title", "en"): "Strike at the port",
                      ("summary", "en"): "The dockers stop.",
                      ("title", "de"): "Streik im Hafen"})
    item = client.get(f"/api/v1/items/{item_id}?lang=en").json()
    assert item["title"] == "Strike at the port" and item["language"] == "en"
    assert item["original_language"] == "es"
    assert item["label"] == "Machine-translated from Spanish"
    assert item["parts"] == [
        {"parts": "Title and summary", "label": "Machine-translated from Spanish (argos 1.9)"},
        {"parts": "Full text", "label": "Not translated yet: the original, in Spanish"}]
    assert item["content_html"] == "<p>Texto completo.</p>"
    assert item["original"] == {"language": "es", "title": "Huelga en el puerto",
                                "summary_html": "<p>Los estibadores <b>paran</b>.</p>",
                                "content_html": "<p>Texto completo.</p>"}
    assert [(t["language"], t["field"], t["by"], t["engine"], t["text"])
            for t in item["translations"]] == [
        ("de", "title", "machine", "argos", "Streik im Hafen"),
        ("en", "title", "machine", "argos", "Strike at the port"),
        ("en", "summary", "machine", "argos", "The dockers stop.")]
    assert item["url"].endswith(f"/en/items/{item_id}")
    # the labels in the reader's language, the original in its own
    spanish = client.get(f"/api/v1/items/{item_id}?lang=es").json()
    assert spanish["title"] == "Huelga en el puerto" and spanish["label"] == ""
    assert spanish["parts"] == []
    german = client.get(f"/api/v1/items/{item_id}?lang=de").json()
    assert (german["title"], german["label"]) == (
        "Streik im Hafen", "Maschinell übersetzt (Original: Spanisch)")


def test_a_volunteers_translation_is_labelled_as_theirs(client, add_item):
    item_id = add_item("Huelga", language="es", translations={("title", "en"): "Strike"},
                       human=True)
    item = client.get(f"/api/v1/items/{item_id}").json()
    assert item["label"] == "Translated by volunteers"
    assert item["translations"][0] | {"text": ""} == {
        "field": "title", "language": "en", "source_language": "es", "pivot": None,
        "by": "human", "engine": None, "model": None, "reviewed": False,
        "label": "Translated by volunteers", "text": ""}


def test_sources_page_by_cursor_with_their_own_words(client, store):
    with store.transaction() as s:
        s.add_all([Source(feed_url=f"https://s{n}.example.org/feed", title=f"Source {n}",
                          description=f"We are {n}", editorial_comment="Worth reading",
                          enabled=n % 4 != 0) for n in range(1, 13)])
    with store.read() as s:
        quiet = s.scalar(select(Source.id).where(Source.title == "Source 8"))
        enabled = list(s.scalars(select(Source.id).where(Source.enabled).order_by(Source.id)))
    _store_items(store, 10, source_id=quiet)  # disabled, but with published items
    seen = []
    url = "/api/v1/sources?limit=4"
    while url:
        answer = client.get(_here(url)).json()
        seen += answer["items"]
        url = answer["next"]
    assert [x["id"] for x in seen] == sorted([*enabled, quiet])
    eight = next(x for x in seen if x["id"] == quiet)
    assert eight["published_items"] == 8 and eight["description"] == "We are 8"
    assert eight["editorial_comment"] == "Worth reading"
    assert set(eight["feeds"]) == {"atom", "rss", "json"}
    one = client.get(f"/api/v1/sources/{quiet}").json()
    assert one["languages"] == {"ru": 3, "es": 2, "en": 2, "ar": 1}
    assert client.get(_here(eight["items_url"])).json()["items"][0]["source"]["id"] == quiet
    assert client.get("/api/v1/sources/424242").status_code == 404


def test_topics_with_their_names_in_the_readers_language(client, store, add_item):
    item_id = add_item("Strike")
    with store.transaction() as s:
        topic = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas"})
        s.add_all([topic, Topic(slug="housing", names={"en": "Housing"})])
        s.flush()
        s.add(ItemTopic(item_id=item_id, topic_id=topic.id))
    answer = client.get("/api/v1/topics?lang=es").json()
    assert [(t["slug"], t["name"], t["published_items"]) for t in answer["items"]] == [
        ("strikes", "Huelgas", 1), ("housing", "Housing", 0)]
    assert answer["next"] is None
    assert client.get(f"/api/v1/items/{item_id}?lang=es").json()["topics"] == [
        {"slug": "strikes", "name": "Huelgas"}]


def test_search_finds_published_items_through_translations_and_pages(client, settings,
                                                                      store, add_item):
    ids = [add_item(f"Huelga número {n}", language="es",
                    translations={("title", "en"): f"Strike number {n}"}) for n in range(5)]
    add_item("Huelga escondida", language="es", status=ItemStatus.PENDING)
    update_index(settings, store)
    first = client.get("/api/v1/search?q=strike&limit=2").json()
    assert first["total"] == 5 and len(first["items"]) == 2 and not first["total_estimated"]
    assert first["items"][0]["matched"] == "machine"
    found = [i["id"] for i in first["items"]] + _walk(client, first["next"])
    assert sorted(found) == ids
    nothing = client.get("/api/v1/search?q=huelgaa").json()
    assert nothing["items"] == [] and nothing["suggestion"] == "huelga"
    bad = client.get("/api/v1/search?q=" + "x" * 400)
    assert bad.status_code == 400 and bad.json()["error"].startswith("q: ")


def test_bad_parameters_are_400_with_what_was_wrong(client, store):
    _store_items(store, 5)
    for query, wrong in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"),
                         ("cursor=not-a-cursor", "cursor"), ("kind=podcast", "kind"),
                         ("original_language=Spanish", "original_language"),
                         ("month=2025-13", "month"), ("lang=xx", "lang"),
                         ("source=-1", "source")):
        answer = client.get(f"/api/v1/items?{query}")
        assert answer.status_code == 400, query
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["error"].startswith(f"{wrong}: "), answer.json()
    assert client.get("/api/v1/sources?cursor=abc").status_code == 400
    assert client.get("/api/v1/search").json() == {"error": "q: Field required"}


def test_unknown_addresses_and_methods_answer_in_json(client):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and "openapi.json" in missing.json()["error"]
    assert client.get("/api/v1/items/12345678901234567890").status_code == 404
    posted = client.post("/api/v1/items", headers={"Origin": "http://testserver"})
    assert posted.status_code == 405 and posted.json() == {
        "error": "the API only reads: GET or HEAD"}


def test_cors_for_reading_on_the_api_only(client, add_item):
    item_id = add_item("Strike")
    origin = {"Origin": "https://reader.example.net"}
    answer = client.get("/api/v1/items", headers=origin)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    assert "etag" in answer.headers["access-control-expose-headers"].lower()
    assert client.get("/api/v1/items/999", headers=origin).headers[
        "access-control-allow-origin"] == "*"  # errors too, so that scripts can read them
    preflight = client.options("/api/v1/items", headers={
        **origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "POST" not in preflight.headers["access-control-allow-methods"]
    for page in ("/en/", f"/en/items/{item_id}", "/en/feed.json"):
        assert "access-control-allow-origin" not in client.get(page, headers=origin).headers


def test_the_sites_security_headers_leave_json_readable(client):
    answer = client.get("/api/v1/topics")
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "cross-origin-resource-policy" not in answer.headers


def test_etag_and_304_and_a_new_answer_when_the_desk_publishes(client, add_item):
    add_item("First")
    answer = client.get("/api/v1/items")
    etag = answer.headers["etag"]
    assert answer.headers["cache-control"] == "public, no-cache"
    again = client.get("/api/v1/items", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    add_item("Second")
    changed = client.get("/api/v1/items", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.json()["items"]) == 2


def test_the_openapi_document_describes_every_operation(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/items", "/api/v1/items/{id}", "/api/v1/sources", "/api/v1/sources/{id}",
        "/api/v1/topics", "/api/v1/search", "/api/v1/openapi.json", "/api/v1/submissions"}
    items = document["paths"]["/api/v1/items"]["get"]
    params = {p["name"]: p for p in items["parameters"]}
    assert params["lang"]["schema"]["enum"] == ["en", "es", "de"]
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100,
                                         "default": 20}
    assert set(items["responses"]) == {"200", "400", "404"}
    assert "ItemDetail" in document["components"]["schemas"]
    submit = document["paths"]["/api/v1/submissions"]["post"]
    assert set(document["paths"]["/api/v1/submissions"]) == {"post"}
    assert submit["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert set(submit["responses"]) == {"201", "400", "401", "403", "409", "413", "429"}
    assert "Retry-After" in submit["responses"]["429"]["headers"]
    body = document["components"]["schemas"]["SubmissionIn"]
    assert body["required"] == ["url"]
    assert body["properties"]["note"]["anyOf"][0]["maxLength"] == 2000
    assert body["properties"]["language"]["anyOf"][0]["enum"] == ["en", "es", "de", ""]
