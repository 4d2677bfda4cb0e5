"""Readers see who translated: machines, volunteers, and volunteers an editor reviewed."""

from __future__ import annotations

from sqlalchemy import update

from rabkor.core.store.models import Translation, utcnow


def test_reviewed_volunteer_translations_say_so(client, store, add_item):
    item_id = add_item("Rent strike", human=True, translations={("title", "de"): "Mietstreik"})
    page = client.get(f"/de/items/{item_id}").text
    # the labels in the reader's language, from the site's German catalog
    assert "Von Freiwilligen übersetzt" in page and "geprüft" not in page
    with store.transaction() as s:
        s.execute(update(Translation).values(reviewed_at=utcnow()))
    page = client.get(f"/de/items/{item_id}").text
    assert "Von Freiwilligen übersetzt · geprüft" in page
    assert "Maschinell" not in page


def test_machine_translations_keep_their_label(client, add_item):
    item_id = add_item("Rent strike", translations={("title", "de"): "Mietstreik"})
    page = client.get(f"/de/items/{item_id}").text
    assert "Maschinell übersetzt (Original: Englisch)" in page and "Freiwillig" not in page
