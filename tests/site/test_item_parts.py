"""An item page says what each part is: translated by which engine (and via which
language), by volunteers, or not translated yet; nothing when all is the original in
the reader's own language."""

from __future__ import annotations

import re

from sqlalchemy import update

from rabkor.core.store.models import Item


def _parts(html: str) -> list[str]:
    found = re.search(r'<ul class="parts"[^>]*>(.*?)</ul>', html, re.S)
    return [re.sub(r"<[^>]+>", "", li).strip()
            for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def test_each_part_is_labelled(client, store, add_item):
    item_id = add_item("Huelga de estibadores", language="es",
                       summary="<p>Los estibadores paran.</p>",
                       content="<p>Texto completo de la nota.</p>",
                       translations={("title", "en"): "Dockers' strike",
                                     ("summary", "en"): "The dockers stop."})
    assert _parts(client.get(f"/en/items/{item_id}").text) == [
        "Title and summary: Machine-translated from Spanish (argos 1.9)",
        "Full text: Not translated yet: the original, in Spanish"]
    # in German nothing is translated: one line says so for all three, in German
    assert _parts(client.get(f"/de/items/{item_id}").text) == [
        "Titel, Zusammenfassung und Volltext: Noch nicht übersetzt: das Original, auf Spanisch"]
    # a Spanish reader reads the original: no labels
    assert _parts(client.get(f"/es/items/{item_id}").text) == []


def test_a_volunteers_title_beside_a_machine_summary(client, store, add_item):
    item_id = add_item("Huelga", language="es", summary="<p>Paran.</p>",
                       translations={("title", "en"): "Strike", ("summary", "en"): "They stop."})
    with store.transaction() as s:
        item = s.get(Item, item_id)
        title = item.translation("title", "en")
        title.is_human, title.engine = True, "human"
        s.execute(update(Item).where(Item.id == item_id).values(content=""))
    assert _parts(client.get(f"/en/items/{item_id}").text) == [
        "Title: Translated by volunteers",
        "Summary: Machine-translated from Spanish (argos 1.9)"]
