"""Search, every test against both engines (tantivy and Whoosh): across languages through
translations, each language's analysis on real Tatoeba sentences, the query language,
facets, sort, snippets, suggestions, incremental indexing and rebuilds, and queries that
cannot hurt."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from rabkor.core.errors import QueryError
from rabkor.core.settings import DEFAULT_LANGUAGES
from rabkor.core.store.models import Item, ItemStatus, MediaKind, Source
from rabkor.search import indexer, service
from rabkor.search.indexer import IndexBusy, rebuild_index, update_index
from rabkor.search.query import parse
from rabkor.search.service import live_engine, search
from rabkor.search.snippets import snippet

TATOEBA = json.loads((Path(__file__).parents[1] / "data" / "search" / "tatoeba.json")
                     .read_text(encoding="utf-8"))


@pytest.fixture(params=["tantivy", "whoosh"])
def settings(settings, request):
    """Both engines, on the default site's eight languages (Chinese and Arabic among them)."""
    return settings.with_(search_engine=request.param, languages=DEFAULT_LANGUAGES)


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


@pytest.fixture
def tatoeba(settings, store, add_item):
    """Real sentences in six languages, each with its human English translation as the
    item's English title (a volunteer's), indexed: {(lang, line): item id}."""
    ids = {(row["lang"], row["line"]): add_item(
        row["text"], language=row["lang"], translations={("title", "en"): row["en"]},
        human=True) for row in TATOEBA}
    update_index(settings, store)
    return ids


def found(settings, q, lang="en", **kwargs):
    return [hit.item_id for hit in search(settings, q, lang=lang, **kwargs).hits]


def lines(tatoeba, ids, lang):
    return sorted(line for (language, line), item_id in tatoeba.items()
                  if item_id in ids and language == lang)


# across languages


def test_a_word_only_in_the_spanish_translation_finds_the_english_item(settings, indexed):
    """A query reads the reader's language and the originals: the Spanish reader finds
    the English item by its translation, the German reader (no German text) does not."""
    assert found(settings, "estibadores", lang="es") == [indexed["en"]]
    assert found(settings, "huelga", lang="de") == []
    assert found(settings, "dockers", lang="de") == [indexed["en"]]  # the original


def test_a_word_only_in_the_english_translation_finds_the_spanish_item(settings, indexed):
    assert found(settings, "housing") == [indexed["es"]]
    assert found(settings, "cooperative") == [indexed["es"]]  # stemmed


def test_each_hit_says_where_it_matched(settings, tatoeba, indexed):
    by_id = {hit.item_id: hit.matched
             for hit in search(settings, "teacher OR dockers OR housing", lang="en").hits}
    assert by_id[indexed["en"]] == "original"
    assert by_id[indexed["es"]] == "machine"
    assert by_id[tatoeba[("zh", 738)]] == "human"
    # a Chinese reader matching the Chinese original
    assert {h.matched for h in search(settings, "老师", lang="zh").hits} == {"original"}
    # the queue asks for ids only: the same hits in the same order, not labelled
    unlabelled = search(settings, "teacher OR dockers OR housing", lang="en", labels=False)
    assert [h.item_id for h in unlabelled.hits] == list(by_id)
    assert {h.matched for h in unlabelled.hits} == {"original"}


# each language's analysis, on real sentences


def test_spanish_stems_and_accents(settings, tatoeba):
    ids = found(settings, "trabajos", lang="es")
    assert lines(tatoeba, ids, "es") == [39, 61, 108, 143, 171]  # trabajo, trabaja, trabajando
    assert lines(tatoeba, found(settings, "sabia", lang="es"), "es") == [61]  # sabía


def test_russian_cases_find_each_other(settings, tatoeba):
    for form in ("книга", "книгу", "книги"):
        assert lines(tatoeba, found(settings, form, lang="ru"), "ru") == [40, 133, 305, 338, 359]


def test_german_stems_as_far_as_the_stemmer_goes(settings, tatoeba):
    assert lines(tatoeba, found(settings, "Arbeit", lang="de"), "de") == [342, 411, 509]
    assert lines(tatoeba, found(settings, "arbeiten", lang="de"), "de") == [342, 411, 509]
    # Snowball does not split compounds: Hausarbeit is a word of its own
    assert lines(tatoeba, found(settings, "Hausarbeit", lang="de"), "de") == [678]


def test_chinese_words_are_found_inside_sentences(settings, tatoeba):
    assert lines(tatoeba, found(settings, "经济", lang="zh"), "zh") == [727]
    assert lines(tatoeba, found(settings, "老师", lang="zh"), "zh") == [418, 553, 738]
    assert lines(tatoeba, found(settings, "老师", lang="en"), "zh") == [418, 553, 738]
    assert lines(tatoeba, found(settings, '"英语老师"', lang="zh"), "zh") == [418]


def test_japanese_in_pairs_of_characters(settings, tatoeba):
    """Japanese is not a site language: its originals are found, as pairs, in any."""
    assert lines(tatoeba, found(settings, "日本語", lang="en"), "ja") == [5, 115, 116]
    assert lines(tatoeba, found(settings, "日本", lang="en"), "ja") == [5, 115, 116, 118]


def test_arabic_with_and_without_diacritics(settings, tatoeba):
    money = [1, 7, 8, 10]
    assert lines(tatoeba, found(settings, "المال", lang="ar"), "ar") == money
    assert lines(tatoeba, found(settings, "المَال", lang="ar"), "ar") == money
    assert lines(tatoeba, found(settings, "اولا", lang="ar"), "ar") == [7]  # أوّلا


# the query language


@pytest.fixture
def varied(settings, store, add_item):
    with store.transaction() as s:
        other = Source(feed_url="http://radio.example/feed", title="Radio Sur",
                       category="Labour")
        s.add(other)
        s.flush()
        radio = other.id
    ids = {
        "strike": add_item("General strike in the ports",
                           summary="<p>Dockers and drivers strike together.</p>",
                           published=datetime(2023, 3, 1, tzinfo=UTC)),
        "podcast": add_item("Strike fund podcast", media_kind=MediaKind.AUDIO, source_id=radio,
                            published=datetime(2024, 5, 1, tzinfo=UTC)),
        "football": add_item("Football strike ends", summary="<p>The league and players.</p>",
                             published=datetime(2024, 7, 1, tzinfo=UTC)),
        "huelga": add_item("Huelga general", language="es", source_id=radio,
                           translations={("title", "en"): "General strike"},
                           published=datetime(2024, 1, 10, tzinfo=UTC)),
    }
    update_index(settings, store)
    return ids


@pytest.mark.parametrize(("q", "expected"), [
    ("strike -football", {"strike", "podcast", "huelga"}),
    ("strike NOT football", {"strike", "podcast", "huelga"}),
    ("podcast OR football", {"podcast", "football"}),
    ("(podcast OR football) fund", {"podcast"}),
    ('"general strike"', {"strike", "huelga"}),
    ("title:league", set()),
    ("league", {"football"}),
    ("strike lang:es", {"huelga"}),
    ("lang:es", {"huelga"}),
    ("strike kind:audio", {"podcast"}),
    ("strike source:radio", {"podcast", "huelga"}),
    ('topic:labour', {"podcast", "huelga"}),
    ("strike after:2024", {"podcast", "football", "huelga"}),
    ("strike before:2024-05", {"strike", "huelga"}),
    ("strike after:2024-01 before:2024-06-01", {"podcast", "huelga"}),
    ("http://example.org", set()),  # an unknown field is words, not an error
])
def test_operators(settings, varied, q, expected):
    assert {name for name, i in varied.items() if i in found(settings, q)} == expected


def test_facets_count_the_whole_result(settings, varied):
    results = search(settings, "strike", lang="en", per_page=1)
    assert results.total == 4 and len(results.hits) == 1
    assert dict(results.facets["lang"]) == {"en": 3, "es": 1}
    assert dict(results.facets["kind"]) == {"article": 3, "audio": 1}
    assert dict(results.facets["year"]) == {"2023": 1, "2024": 3}
    assert dict(results.facets["topic"]) == {"labour": 2}
    assert sorted(dict(results.facets["source"]).values()) == [2, 2]


def test_sort_by_date_and_pages(settings, varied):
    newest = found(settings, "strike", sort="newest")
    assert newest == [varied[k] for k in ("football", "podcast", "huelga", "strike")]
    assert found(settings, "strike", sort="oldest") == newest[::-1]
    assert found(settings, "strike", sort="newest", page=2, per_page=3) == newest[3:]
    assert search(settings, "strike", lang="en", per_page=3).pages == 2


def test_prefixes_work_with_chinese_among_the_site_languages(settings, tatoeba, indexed):
    assert "zh" in settings.languages
    assert lines(tatoeba, found(settings, "econom*"), "zh") == [727]
    assert found(settings, "cooper*") == [indexed["es"]]
    assert lines(tatoeba, found(settings, "老*", lang="zh"), "zh") == [418, 553, 738]
    assert lines(tatoeba, found(settings, "trabaj*", lang="es"), "es") == [39, 61, 108, 143, 171]


def test_a_prefix_of_a_common_start_is_bounded_not_refused(settings, store, add_item):
    add_item(" ".join(f"zebra{n}" for n in range(600)))
    update_index(settings, store)
    assert len(found(settings, "zebra*")) == 1


def test_did_you_mean(settings, indexed):
    results = search(settings, "dokers", lang="en")
    assert results.total == 0 and results.suggestion == "dockers"
    assert search(settings, "dockers", lang="en").suggestion is None


def test_snippets_mark_the_matched_words_in_the_readers_language(settings, store, add_item):
    add_item("Port news", summary="<p>" + "Long introduction. " * 20
             + "The dockworkers went on strike on Monday.</p>")
    update_index(settings, store)
    engine = live_engine(settings)
    text = "Long introduction. " * 20 + "The dockworkers went on strike on Monday."
    pieces = snippet(engine, text, "en", parse("striking dockworkers"))
    assert [t for t, marked in pieces if marked] == ["dockworkers", "strike"]
    assert pieces[0] == ("… ", False)
    spanish = snippet(engine, "Los trabajadores del puerto", "es", parse("trabajador"))
    assert [t for t, marked in spanish if marked] == ["trabajadores"]
    chinese = snippet(engine, "学生们崇拜新的英语老师。", "zh", parse("老师"))
    assert [t for t, marked in chinese if marked] == ["老师"]


def test_the_search_page_shows_snippets_facets_and_labels(client, settings, varied):
    page = client.get("/en/search", params={"q": "strike"})
    assert page.status_code == 200
    assert "drivers <mark>strike</mark> together" in page.text
    assert "4 results" in page.text
    assert "kind%3Aaudio" in page.text and "Radio Sur" in page.text
    assert "Found in the machine translation" in page.text
    one = client.get("/en/search", params={"q": "podcast"})
    assert "1 result<" in one.text
    none = client.get("/en/search", params={"q": "strikke"})
    assert "Did you mean" in none.text and "strike" in none.text


@pytest.mark.parametrize(("q", "message"), [
    ("*a*", "* stands only at the end"),
    ("*", "cannot start with *"),
    ("ab*", "at least 3 letters"),
    ('"unbalanced', "quotation mark"),
    ("(dockers", "parenthesis"),
    ("x" * 301, "the limit is 300"),
    ("   ", "Type a word"),
    ("-dockers", "not excluded"),
    ("OR AND NOT", "not excluded"),
    ("dockers\x00", "cannot be searched"),
    ("kind:poem", "the kinds are"),
    ("after:yesterday", "write the date"),
])
def test_unusable_queries_get_a_readable_message_and_400(client, indexed, q, message):
    page = client.get("/en/search", params={"q": q})
    assert page.status_code == 400
    assert message in page.text
    assert 'name="q"' in page.text


def test_search_without_a_query_shows_just_the_form(client):
    page = client.get("/en/search")
    assert page.status_code == 200 and 'name="q"' in page.text


@hypothesis_settings(max_examples=200, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=60) | st.text(alphabet='ab* "()?:^~[]{}-+ANDORT\\经日', max_size=30)
       | st.text(alphabet="abc:-* ()\"", max_size=300))
def test_search_raises_only_query_errors(settings, indexed, q):
    """Searching only reads the index the fixture built, so sharing it is safe."""
    try:
        search(settings, q, lang="es")
    except QueryError as exc:
        assert str(exc)


# keeping the index in step


def test_indexing_is_incremental(settings, store, indexed, add_item):
    assert update_index(settings, store).indexed == 0
    add_item("Another one")
    assert update_index(settings, store).indexed == 1
    assert update_index(settings, store).indexed == 0


def test_indexing_leaves_the_sites_kept_pages(settings, store, indexed, add_item):
    """Marking items indexed is no change a reader sees (core/store/changes.py): a cycle
    that indexes newly crawled items, or drops a rejected one, keeps the site's pages."""
    add_item("Waiting for the desk", status=ItemStatus.PENDING)
    before = store.changes.version()
    assert update_index(settings, store).indexed == 1
    with store.transaction() as s:
        waiting = s.scalars(select(Item).where(Item.status == ItemStatus.PENDING)).one()
        waiting.status = ItemStatus.REJECTED
    assert store.changes.version() == before  # a pending item's move is no change either
    assert update_index(settings, store).deleted == 1
    assert rebuild_index(settings, store).rebuilt
    assert store.changes.version() == before


def test_the_items_just_decided_are_indexed_alone(settings, store, indexed, add_item):
    first, second = add_item("First dispatch"), add_item("Second dispatch")
    assert update_index(settings, store, item_ids=[second]).indexed == 1
    assert found(settings, "dispatch") == [second]
    assert update_index(settings, store).indexed == 1
    assert sorted(found(settings, "dispatch")) == [first, second]


def test_an_edited_item_is_indexed_again(settings, store, indexed):
    with store.transaction() as s:
        s.get(Item, indexed["en"]).title = "Dockers win in Rotterdam"
    assert update_index(settings, store).indexed == 1
    assert found(settings, "win") == [indexed["en"]]
    assert found(settings, "strike") == []


def test_a_rejected_item_leaves_the_index(settings, store, indexed):
    with store.transaction() as s:  # what the editor does on rejecting (indexed_at kept)
        s.execute(update(Item).where(Item.id == indexed["en"])
                  .values(status=ItemStatus.REJECTED))
    report = update_index(settings, store)
    assert report.deleted == 1
    assert found(settings, "dockers") == []
    assert update_index(settings, store).deleted == 0


def test_the_queue_is_searched_by_editors_and_never_shown_to_readers(settings, store, indexed,
                                                                     add_item):
    """Pending items are indexed with their status: the queue's search finds them, a
    reader's does not; approving moves one over, rejecting removes it, a copy of another
    item is left out, and a rebuild keeps the same split."""
    waiting = add_item("Dockers picket the terminal", status=ItemStatus.PENDING)
    copy = add_item("Dockers picket the terminal again", status=ItemStatus.PENDING,
                    duplicate_of_id=waiting)
    assert update_index(settings, store).indexed == 1  # the copy is not the index's
    queue = {"statuses": ("pending",)}
    assert found(settings, "picket") == []
    assert found(settings, "picket", **queue) == [waiting]
    assert search(settings, "dockers", lang="en", **queue).total == 1
    assert found(settings, "dockers") == [indexed["en"]]
    both = {"statuses": ("approved", "pending")}
    assert sorted(found(settings, "dockers", **both)) == sorted([indexed["en"], waiting])
    for _ in range(2):  # the same after a rebuild
        with store.transaction() as s:  # what the desk's decisions do (workflow.decide)
            s.get(Item, waiting).status = ItemStatus.APPROVED
        assert update_index(settings, store).indexed == 1
        assert found(settings, "picket") == [waiting]
        assert found(settings, "picket", **queue) == []
        with store.transaction() as s:
            s.get(Item, waiting).status = ItemStatus.PENDING
        update_index(settings, store)
        rebuild_index(settings, store)
        assert found(settings, "picket", **queue) == [waiting]
        assert copy not in found(settings, "again", **queue)
    with store.transaction() as s:
        s.get(Item, waiting).status = ItemStatus.REJECTED
    assert update_index(settings, store).deleted == 1
    assert found(settings, "picket", **queue) == found(settings, "picket") == []


def test_rebuild_gives_the_same_results(settings, store, indexed):
    before = {q: found(settings, q, lang="es") for q in ("dockers", "vivienda", "estibadores")}
    report = rebuild_index(settings, store)
    assert report.rebuilt and report.indexed == 2
    assert {q: found(settings, q, lang="es") for q in before} == before
    assert settings.index_dir.is_symlink()
    assert update_index(settings, store).indexed == 0


def test_new_site_languages_or_another_engine_rebuild_the_index(settings, store, indexed):
    wider = settings.with_(languages=(*settings.languages, "it"))
    assert update_index(wider, store).rebuilt
    assert found(wider, "estibadores", lang="es") == [indexed["en"]]
    other = wider.with_(search_engine="whoosh" if settings.search_engine == "tantivy"
                        else "tantivy")
    assert search(other, "dockers", lang="en").total == 0  # not its index: none yet
    assert update_index(other, store).rebuilt
    assert found(other, "dockers") == [indexed["en"]]


def test_an_index_of_an_older_layout_is_read_until_its_rebuild(settings, store, indexed,
                                                                monkeypatch):
    """An upgrade that changes the layout leaves readers the old index while the indexer
    rebuilds it (a layout in READABLE), or none (any other: its fields may not be there)."""
    live = settings.index_dir / indexer.MANIFEST
    old = json.loads(live.read_text())
    live.write_text(json.dumps({**old, "layout": indexer.LAYOUT - 1}))
    monkeypatch.setattr(indexer, "READABLE", frozenset({indexer.LAYOUT - 1}))
    assert found(settings, "dockers") == [indexed["en"]]
    monkeypatch.setattr(indexer, "READABLE", frozenset())
    assert search(settings, "dockers", lang="en").total == 0
    report = update_index(settings, store)  # the indexer takes no older layout as its own
    assert report.rebuilt and report.indexed == 2
    assert json.loads(live.read_text())["layout"] == indexer.LAYOUT
    assert found(settings, "dockers") == [indexed["en"]]


def test_search_before_any_indexing_finds_nothing(settings):
    assert search(settings, "anything", lang="en").total == 0


def _hold_lock(index_dir: str, ready, release) -> None:
    from rabkor.search.indexer import _index_lock

    with _index_lock(Path(index_dir)):
        ready.set()
        release.wait(30)


def test_one_writer_at_a_time_across_processes(settings, store, indexed, monkeypatch):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(settings.index_dir), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        monkeypatch.setattr(indexer, "WRITER_TIMEOUT", 0.3)
        with pytest.raises(IndexBusy, match="being written by another process"):
            update_index(settings, store)
    finally:
        release.set()
        holder.join(30)
    assert update_index(settings, store).indexed == 0


@pytest.mark.parametrize("q", ['"(")', "(" * 50 + "x" + ")" * 50, "x* " * 40, "a" * 300,
                               '""', "title:", "-", "经* 日*", "OR x", "x OR", "( )"])
def test_odd_queries_get_results_or_a_message_never_a_500(client, indexed, q):
    page = client.get("/en/search", params={"q": q})
    assert page.status_code in (200, 400)
    assert 'name="q"' in page.text


def test_facets_are_counted_again_after_a_commit(settings, store, varied, add_item):
    """The facets of a query are kept for its next page, but never past a commit."""
    assert dict(search(settings, "strike", lang="en").facets["kind"]) == {"article": 3,
                                                                         "audio": 1}
    add_item("Strike video", media_kind=MediaKind.VIDEO)
    update_index(settings, store)
    assert dict(search(settings, "strike", lang="en", page=2).facets["kind"]) == {
        "article": 3, "audio": 1, "video": 1}


def test_a_crashed_run_loses_nothing(settings, store, indexed, add_item, monkeypatch):
    """The store marks a batch indexed only once it is committed: a run that dies midway
    leaves the rest due, and the next run indexes exactly those."""
    first, second = add_item("Crash one"), add_item("Crash two")
    real = indexer.documents_for
    calls = []

    def dying(session, ids, languages):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(session, ids, languages)

    monkeypatch.setattr(indexer, "BATCH", 1)
    monkeypatch.setattr(indexer, "documents_for", dying)
    with pytest.raises(RuntimeError):
        update_index(settings, store)
    assert found(settings, "crash") == [first]
    monkeypatch.setattr(indexer, "documents_for", real)
    assert update_index(settings, store).indexed == 1
    assert sorted(found(settings, "crash")) == [first, second]


def test_facets_of_a_very_large_result_are_estimated_from_a_sample(settings, store, add_item,
                                                                   monkeypatch):
    """tantivy: past FACET_EXACT matches facets are counted on the items whose id is a
    multiple of one of SAMPLES, the smallest that leaves at most FACET_SAMPLE matches,
    scaled and said to be estimates, for words, phrases and dates alike; the total stays
    exact."""
    from rabkor.search.engines import tantivy as engine

    if settings.search_engine != "tantivy":
        pytest.skip("Whoosh estimates a large result's total too: the test below")
    monkeypatch.setattr(engine, "SAMPLES", (2, 4, 8))
    ids = [add_item(f"Strike number {n}") for n in range(40)]
    update_index(settings, store)

    def kinds(q: str, exact: int, sample: int = 0) -> tuple[dict, bool]:
        monkeypatch.setattr(engine, "FACET_EXACT", exact)
        monkeypatch.setattr(engine, "FACET_SAMPLE", sample)
        service._facets.clear()
        results = search(settings, q, lang="en")
        assert results.total == 40 and not results.total_estimated
        return dict(results.facets["kind"]), results.facets_estimated

    def sampled(every: int) -> dict:
        return {"article": sum(1 for n in ids if n % every == 0) * every}

    for q in ("strike", '"strike number"', "strike -nothing", "after:2001", "number OR x"):
        assert kinds(q, 10, 20) == (sampled(2), True)  # 40 matches: one in two leaves 20
        assert kinds(q, 10, 10) == (sampled(4), True)
        assert kinds(q, 10, 1) == (sampled(8), True)  # the sparsest there is
        assert kinds(q, 40) == ({"article": 40}, False)


@pytest.fixture
def striped(settings, store, add_item, monkeypatch):
    """Whoosh counting a result past COUNT_EXACT on a sample of one document in four
    (stripes of one): 40 items in the order added, the even ones about a strike."""
    from rabkor.search.engines import whoosh as engine

    if settings.search_engine != "whoosh":
        pytest.skip("tantivy counts every match")
    ids = [add_item(f"Strike number {n}" if n % 2 == 0 else f"Dock news {n}")
           for n in range(40)]
    update_index(settings, store)
    monkeypatch.setattr(engine, "COUNT_EXACT", 10)
    monkeypatch.setattr(engine, "STRIPE", 1)
    monkeypatch.setattr(engine, "SAMPLE", 4)
    return engine, ids


def test_whoosh_estimates_a_very_large_result_from_a_sample_but_ranks_every_match(
        settings, striped, client):
    """The total and facets come from the sampled documents (0, 4, 8…: all of them
    strikes, so 10 × 4 = 40 for the 20 matches), said to be estimates and shown as "about";
    the page still comes from every match, not from the sample."""
    _, ids = striped
    results = search(settings, "strike", lang="en", per_page=30)
    assert results.total == 40 and results.total_estimated and results.facets_estimated
    assert dict(results.facets["kind"]) == {"article": 40}
    assert sorted(hit.item_id for hit in results.hits) == ids[::2]
    assert "about 40 results" in client.get("/en/search", params={"q": "strike"}).text
    assert "about 40 results" not in client.get("/en/search", params={"q": "dock"}).text
    assert client.get("/api/v1/search", params={"q": "strike"}).json()["total_estimated"]
    newest = search(settings, "strike", lang="en", sort="newest")  # sorted: every match
    assert newest.total == 20 and not newest.total_estimated


def test_whoosh_counts_a_result_exactly_when_its_sample_says_it_is_small(settings, striped,
                                                                         monkeypatch):
    """A result whose sample scales to fewer than COUNT_EXACT is counted on every match
    (an index whose words are common but whose matches are few, as the queue's)."""
    engine, _ = striped
    monkeypatch.setattr(engine, "COUNT_EXACT", 41)
    results = search(settings, "strike", lang="en")
    assert results.total == 20 and not results.total_estimated
    assert dict(results.facets["kind"]) == {"article": 20}


def test_whoosh_counts_the_matches_that_cannot_reach_the_page(settings, store, add_item,
                                                              monkeypatch):
    """The total counts every match: the items that have the word only in their bodies
    (weaker than the 25 with it in the title) too, which Whoosh's collector dropped
    once the page was full of better ones (with the tree of unions Whoosh matches an
    index of more than 5,000 documents with)."""
    from whoosh.query import Or

    if settings.search_engine != "whoosh":
        pytest.skip("a Whoosh collector's habit")
    monkeypatch.setattr(Or, "matcher_type", Or.DEFAULT_MATCHER)
    for n in range(25):  # the last five better than the first, raising the page's bar
        add_item(f"Strike {n}" if n >= 20 else f"Strike number {n} at the long port of Rotterdam")
    for n in range(15):
        add_item(f"Dock news {n}", summary=f"<p>Word of a strike, said at length {n}.</p>")
    update_index(settings, store)
    assert search(settings, "strike", lang="en").total == 40
