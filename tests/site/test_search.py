"""Search: across languages, incremental indexing, rebuilds, and queries that cannot hurt."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import update

from rabkor.core.errors import QueryError
from rabkor.core.store.models import Item, ItemStatus
from rabkor.site.search.indexer import rebuild_index, update_index
from rabkor.site.search.query import search


@pytest.fixture
def indexed(settings, store, add_item):
    """An English item translated into Spanish, a Spanish one translated into English."""
    ids = {
        "en": add_item("Dockers strike in Rotterdam", summary="<p>The port stopped.</p>",
                       translations={("title", "es"): "Huelga de estibadores en Róterdam"}),
        "es": add_item("Cooperativas de vivienda crecen", language="es",
                       translations={("title", "en"): "Housing cooperatives grow"}),
    }
    update_index(settings, store)
    return ids


def found(settings, q, lang="en"):
    return [hit.item_id for hit in search(settings, q, lang=lang).hits]


def test_a_word_only_in_the_spanish_translation_finds_the_english_item(settings, indexed):
    assert found(settings, "estibadores") == [indexed["en"]]
    assert found(settings, "huelga", lang="de") == [indexed["en"]]


def test_a_word_only_in_the_english_translation_finds_the_spanish_item(settings, indexed):
    assert found(settings, "housing", lang="es") == [indexed["es"]]
    assert found(settings, "cooperative") == [indexed["es"]]  # stemmed


def test_accents_phrases_and_prefixes(settings, indexed):
    assert found(settings, "roterdam") == [indexed["en"]]
    assert found(settings, '"dockers strike"') == [indexed["en"]]
    assert found(settings, "cooper*") == [indexed["es"]]


def test_search_page_shows_results_in_the_readers_language(client, indexed):
    page = client.get("/es/search", params={"q": "dockers"})
    assert page.status_code == 200
    assert "Huelga de estibadores en Róterdam" in page.text


@pytest.mark.parametrize(("q", "message"), [
    ("*a*", "cannot start with *"),
    ("ab*", "at least 3 letters"),
    ('"unbalanced', "quotation mark"),
    ("(dockers", "parenthesis"),
    ("x" * 301, "the limit is 300"),
    ("   ", "Type a word"),
])
def test_unusable_queries_get_a_readable_message_and_400(client, indexed, q, message):
    page = client.get("/en/search", params={"q": q})
    assert page.status_code == 400
    assert message in page.text
    assert 'name="q"' in page.text


def test_search_without_a_query_shows_just_the_form(client):
    page = client.get("/en/search")
    assert page.status_code == 200 and 'name="q"' in page.text


def test_wildcards_that_match_too_many_words_are_refused(settings, store, add_item):
    add_item(" ".join(f"zebra{n}" for n in range(600)))
    update_index(settings, store)
    with pytest.raises(QueryError, match="too many words"):
        search(settings, "zebra*", lang="en")


@hypothesis_settings(max_examples=300, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60) | st.text(alphabet='ab* "()?:^~[]{}-+ANDORT\\', max_size=30))
def test_search_raises_only_query_errors(settings, indexed, q):
    """Searching only reads the index the fixture built, so sharing it is safe."""
    try:
        search(settings, q, lang="es")
    except QueryError as exc:
        assert str(exc)


def test_indexing_is_incremental(settings, store, indexed, add_item):
    assert update_index(settings, store).indexed == 0
    add_item("Another one")
    assert update_index(settings, store).indexed == 1
    assert update_index(settings, store).indexed == 0


def test_an_edited_item_is_indexed_again(settings, store, indexed):
    with store.transaction() as s:
        s.get(Item, indexed["en"]).title = "Dockers win in Rotterdam"
    assert update_index(settings, store).indexed == 1
    assert found(settings, "win") == [indexed["en"]]


def test_a_rejected_item_leaves_the_index(settings, store, indexed):
    with store.transaction() as s:  # what the editor does on rejecting
        s.execute(update(Item).where(Item.id == indexed["en"])
                  .values(status=ItemStatus.REJECTED, indexed_at=None))
    report = update_index(settings, store)
    assert report.deleted == 1
    assert found(settings, "dockers") == []
    assert update_index(settings, store).deleted == 0


def test_rebuild_gives_the_same_results(settings, store, indexed):
    before = {q: found(settings, q) for q in ("dockers", "vivienda", "housing", "huelga")}
    report = rebuild_index(settings, store)
    assert report.rebuilt and report.indexed == 2
    assert {q: found(settings, q) for q in before} == before
    assert settings.index_dir.is_symlink()
    assert update_index(settings, store).indexed == 0


def test_new_site_languages_rebuild_the_index(settings, store, indexed):
    wider = settings.with_(languages=("en", "es", "de", "fr"))
    assert update_index(wider, store).rebuilt
    assert found(wider, "estibadores") == [indexed["en"]]


def test_search_before_any_indexing_finds_nothing(settings):
    assert search(settings, "anything", lang="en").total == 0
