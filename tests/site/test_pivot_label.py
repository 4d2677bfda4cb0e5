"""A translation made through English says so on the item page and the language's home."""

from __future__ import annotations

from sqlalchemy import update

from rabkor.core.store.models import Translation


def test_pivoted_machine_translation_names_the_pivot(client, store, add_item):
    item_id = add_item("Huelga de estibadores", language="es",
                       translations={("title", "de"): "Hafenarbeiterstreik"})
    page = client.get(f"/de/items/{item_id}").text
    assert "Maschinell übersetzt (Original: Spanisch)" in page and ", über" not in page
    with store.transaction() as s:
        s.execute(update(Translation).values(pivot="en", engine="argos",
                                             model_version="es_en-1.0 + en_de-1.0"))
    page = client.get(f"/de/items/{item_id}").text
    assert "Maschinell übersetzt (Original: Spanisch, über Englisch)" in page
    assert "es_en-1.0 + en_de-1.0" in page
    assert "Maschinell übersetzt (Original: Spanisch, über Englisch)" in client.get("/de/").text
