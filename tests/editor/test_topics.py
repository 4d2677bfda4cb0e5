"""Topics from a managed vocabulary with a name per site language, given to items from their
page, and featured items in the desk's order: each change logged, the item due for the
search index again; a missing name, an unknown topic, a draft featured, each explained."""

from __future__ import annotations

from sqlalchemy import select

from rabkor.core.store.models import AuditEvent, Item, ItemStatus, Topic
from tests.editor.helpers import add_item, csrf_of

NAMES = {"name_en": "Dock strikes", "name_es": "Huelgas portuarias",
         "name_de": "Hafenstreiks"}


def _topic(client, slug, **names):
    token = csrf_of(client.get("/admin/topics").text)
    return client.post("/admin/topics", data={"csrf_token": token, "slug": slug,
                                              **NAMES, **names}, follow_redirects=False)


def _topic_id(store, slug) -> int:
    with store.read() as s:
        return s.scalar(select(Topic.id).where(Topic.slug == slug))


def test_a_topic_needs_a_name_in_every_site_language(client, login_as, store):
    login_as(client, "admin")
    missing = _topic(client, "dock-strikes", name_de="  ")
    assert missing.status_code == 400
    assert "needs a name in every site language; missing: German" in missing.text
    assert 'value="Huelgas portuarias"' in missing.text  # what was typed is kept
    assert _topic(client, "Dock strikes!").status_code == 400
    assert _topic(client, "dock-strikes").status_code == 303
    assert _topic(client, "dock-strikes").status_code == 409
    with store.read() as s:
        topic = s.scalar(select(Topic))
        assert topic.names == {"en": "Dock strikes", "es": "Huelgas portuarias",
                               "de": "Hafenstreiks"}
        assert topic.name("es") == "Huelgas portuarias" and topic.name("fr") == "Dock strikes"
    token = csrf_of(client.get("/admin/topics").text)
    client.post(f"/admin/topics/{topic.id}", data={
        "csrf_token": token, "do": "rename", **NAMES, "name_de": "Streiks in Häfen"})
    with store.read() as s:
        assert s.get(Topic, topic.id).names["de"] == "Streiks in Häfen"
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["topic added", "topic renamed"]


def test_an_editor_gives_an_item_topics_and_it_is_indexed_again(client, login_as, store,
                                                                 settings):
    login_as(client, "admin")
    _topic(client, "dock-strikes")
    _topic(client, "housing", name_en="Housing", name_es="Vivienda", name_de="Wohnen")
    strikes, housing = _topic_id(store, "dock-strikes"), _topic_id(store, "housing")
    item_id = add_item(store, "Huelga en el puerto", status=ItemStatus.APPROVED)
    with store.read() as s:
        was = s.get(Item, item_id).updated_at
    page = client.get(f"/items/{item_id}").text
    assert "Huelgas portuarias" not in page and "Dock strikes" in page
    saved = client.post(f"/items/{item_id}/topics", follow_redirects=False, data={
        "csrf_token": csrf_of(page), "topic": [str(strikes), str(housing)]})
    assert saved.status_code == 303
    with store.read() as s:
        item = s.get(Item, item_id)
        assert sorted(t.slug for t in item.topics) == ["dock-strikes", "housing"]
        assert item.updated_at > was and item.indexed_at >= item.updated_at  # indexed again
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "topics changed"))
        assert (event.before, event.after) == ({"topics": []},
                                               {"topics": ["dock-strikes", "housing"]})
    from rabkor.search.service import search

    found = search(settings, "topic:dock-strikes", lang="en")
    assert [h.item_id for h in found.hits] == [item_id]  # the index has its topics
    # a retired topic stays on its items but cannot be given again
    client.post(f"/admin/topics/{housing}", data={"csrf_token": csrf_of(page),
                                                   "do": "retire"})
    other = add_item(store, "Desalojos en el centro")
    refused = client.post(f"/items/{other}/topics", data={"csrf_token": csrf_of(page),
                                                          "topic": [str(housing)]})
    assert refused.status_code == 400 and "not in the list of topics in use" in refused.text
    kept = client.post(f"/items/{item_id}/topics", follow_redirects=False, data={
        "csrf_token": csrf_of(page), "topic": [str(housing)]})
    assert kept.status_code == 303
    assert "Housing (retired)" in client.get(f"/items/{item_id}").text


def test_featured_items_in_the_desks_order_and_only_while_published(client, login_as, store):
    login_as(client, "editor")
    first = add_item(store, "Huelga en el puerto", status=ItemStatus.APPROVED)
    second = add_item(store, "Asamblea de estibadores", status=ItemStatus.APPROVED)
    pending = add_item(store, "Todavía sin decidir")
    token = csrf_of(client.get(f"/items/{first}").text)
    for item_id, place in ((first, "2"), (second, "1")):
        assert client.post(f"/items/{item_id}/feature", follow_redirects=False, data={
            "csrf_token": token, "do": "feature", "order": place}).status_code == 303
    page = client.get("/featured").text
    assert page.index("Asamblea de estibadores") < page.index("Huelga en el puerto")
    draft = client.post(f"/items/{pending}/feature", data={"csrf_token": token,
                                                           "do": "feature", "order": "3"})
    assert draft.status_code == 400 and "Only a published item can be featured" in draft.text
    assert client.post(f"/items/{first}/feature", data={
        "csrf_token": token, "do": "feature", "order": "first"}).status_code == 400
    # reopening the second takes it off the home page
    client.post(f"/items/{second}/reopen", data={"csrf_token": token})
    with store.read() as s:
        assert s.get(Item, second).featured_order is None
        assert s.get(Item, first).featured_order == 2
    client.post(f"/items/{first}/feature", data={"csrf_token": token, "do": "unfeature"})
    assert "Nothing is featured" in client.get("/featured").text
    with store.read() as s:
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["featured", "featured", "no longer featured"]
