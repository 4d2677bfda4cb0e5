"""The translation stage on the real Argos path, with the fixture en→es package."""

from sqlalchemy import select

from rabkor.core.store.models import Item, Translation
from rabkor.translate import packages
from rabkor.translate.jobs import status, translate_pending
from tests.argos_model import build_argosmodel
from tests.translate.conftest import add_item

TITLE = "The workers of the world unite. They have nothing to lose."
SUMMARY = "<p>A <b>general strike</b> began on Monday.</p><p>Unions say it will last.</p>"


def _translations(store):
    with store.read() as session:
        return session.scalars(select(Translation).order_by(Translation.id)).all()


def test_items_get_machine_translations_with_provenance(argos_settings, store):
    item_id = add_item(store, "en", TITLE, SUMMARY)
    seen = []
    report = translate_pending(argos_settings, store, progress=lambda d, t: seen.append((d, t)))
    rows = _translations(store)
    assert {(r.item_id, r.field, r.language) for r in rows} == {
        (item_id, "title", "es"), (item_id, "summary", "es")}
    for row in rows:
        assert (row.engine, row.model_version, row.source_language, row.is_human) == (
            "argos", "en_es-0.0.1", "en", False)
        assert row.text.strip()
        assert "<" not in row.text
    assert report.texts == 2 and report.items == 1 and not report.errors
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)
    with store.read() as session:
        assert session.get(Item, item_id).translated_at is not None


def test_a_second_run_adds_nothing(argos_settings, store):
    add_item(store, "en", TITLE, SUMMARY)
    translate_pending(argos_settings, store)
    before = [(r.id, r.text) for r in _translations(store)]
    report = translate_pending(argos_settings, store)
    assert report.texts == 0 and report.items == 0
    assert [(r.id, r.text) for r in _translations(store)] == before


def test_missing_pairs_are_reported_once_per_pair_and_unknown_languages_skipped(
        argos_settings, store):
    for n in range(3):
        add_item(store, "en", f"{TITLE} {n}")
    add_item(store, "es", "Los trabajadores del mundo")
    add_item(store, "und", "???")
    add_item(store, None, "no language")
    report = translate_pending(argos_settings, store)
    assert report.missing_pairs == {("en", "de"): 3, ("es", "en"): 1, ("es", "de"): 1}
    assert report.unknown_language == 2
    assert report.texts == 3  # three English titles into Spanish, nothing else
    assert {r.language for r in _translations(store)} == {"es"}


def test_item_already_in_the_target_language_gets_nothing(argos_settings, store):
    add_item(store, "es", "Ya está en español")
    report = translate_pending(argos_settings.with_(languages=("es",)), store)
    assert report.texts == 0 and report.missing_pairs == {}
    assert _translations(store) == []


def test_human_translation_is_never_overwritten(argos_settings, store):
    item_id = add_item(store, "en", TITLE, SUMMARY)
    with store.transaction() as session:
        session.add(Translation(item_id=item_id, field="title", language="es",
                                source_language="en", text="¡Trabajadores del mundo, uníos!",
                                engine="human", is_human=True))
    translate_pending(argos_settings, store)
    rows = {r.field: r for r in _translations(store)}
    assert rows["title"].is_human and rows["title"].text == "¡Trabajadores del mundo, uníos!"
    assert rows["summary"].engine == "argos"


def test_installing_a_package_later_fills_the_missing_language(settings, store, en_es_model):
    settings = settings.with_(engines=("argos",))
    add_item(store, "en", TITLE)
    first = translate_pending(settings, store)
    assert first.texts == 0 and first.missing_pairs[("en", "es")] == 1
    packages.install_file(settings, en_es_model)
    second = translate_pending(settings, store)
    assert second.texts == 1 and ("en", "es") not in second.missing_pairs


def test_limit_takes_the_newest_items_first(argos_settings, store):
    ids = [add_item(store, "en", f"{TITLE} {n}") for n in range(3)]
    translate_pending(argos_settings, store, limit=2)
    assert {r.item_id for r in _translations(store)} == set(ids[1:])


def test_a_failing_engine_batch_leaves_the_other_pairs_unharmed(argos_settings, store, tmp_path):
    broken = build_argosmodel(tmp_path / "de_es.argosmodel", "de", "es")
    installed = packages.install_file(argos_settings, broken)
    (installed.path / "model" / "model.bin").write_bytes(b"not a model")
    add_item(store, "de", "Arbeiter aller Länder")
    en_id = add_item(store, "en", TITLE)
    report = translate_pending(argos_settings, store)
    assert len(report.errors) == 1 and "de→es" in report.errors[0]
    assert [(r.item_id, r.language) for r in _translations(store)] == [(en_id, "es")]


def test_status_names_the_engine_or_how_to_install_one(settings, store, en_es_model):
    settings = settings.with_(engines=("argos",))
    packages.install_file(settings, en_es_model)
    add_item(store, "en", TITLE)
    rows = {(r.source, r.target): r for r in status(settings, store)}
    assert set(rows) == {("en", "es"), ("en", "de")}
    assert rows[("en", "es")].engine == "argos" and rows[("en", "es")].hint is None
    assert rows[("en", "de")].engine is None
    assert rows[("en", "de")].hint == "rabkor models install en de"
