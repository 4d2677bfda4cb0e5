"""Readers see who translated: machines, volunteers, and volunteers an editor reviewed."""

from __future__ import annotations

from sqlalchemy import update

from rabkor.core.store.models import Translation, utcnow


def test_reviewed_volunteer_translations_say_so(client, store, add_item):
    item_id = add_item("Rent strike", human=True, translations={("title", "de"): "Mietstreik"})
    page = client.get(f"/de/items/{item_id}").text
    assert "Translated by volunteers" in page and "reviewed" not in page
    with store.transaction() as s:
        s.execute(update(Translation).values(reviewed_at=utcnow()))
    page = client.get(f"/de/items/{item_id}").text
    assert "Translated by volunteers · reviewed" in page
    assert "Machine-translated" not in page


def test_machine_translations_keep_their_label(client, add_item):
    item_id = add_item("Rent strike", translations={("title", "de"): "Mietstreik"})
    page = client.get(f"/de/items/{item_id}").text
    assert "Machine-translated from English" in page and "volunteers" not in page
