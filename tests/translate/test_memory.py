"""The translation memory on a real store: keyed by normalized sentence, pair and version."""

from sqlalchemy import select

from rabkor.core.store.models import TranslationMemoryEntry
from rabkor.translate.memory import HUMAN, lookup, normalize, remember, remember_many


def test_normalized_sentences_hit_and_count(any_store):
    store = any_store
    with store.transaction() as s:
        remember_many(s, "en", "es", "m1", [("Read  more.", "Leer más."),
                                            ("Share this.", "Compartir.")])
    with store.transaction() as s:
        found = lookup(s, "en", "es", "m1", [" Read more.\n", "Unknown."])
    assert found == {normalize("Read more."): "Leer más."}
    with store.read() as s:
        hits = dict(s.execute(select(TranslationMemoryEntry.source_text,
                                     TranslationMemoryEntry.hits)).tuples().all())
    assert hits == {"Read more.": 1, "Share this.": 0}


def test_another_pair_or_model_version_misses(any_store):
    store = any_store
    with store.transaction() as s:
        remember(s, "en", "es", "m1", "Workers unite.", "Trabajadores, uníos.")
    with store.transaction() as s:
        assert lookup(s, "en", "es", "m2", ["Workers unite."]) == {}
        assert lookup(s, "en", "de", "m1", ["Workers unite."]) == {}
        assert lookup(s, "es", "en", "m1", ["Workers unite."]) == {}


def test_human_translations_win_and_can_be_corrected(any_store):
    store = any_store
    with store.transaction() as s:
        remember(s, "en", "es", "m1", "Workers unite.", "Trabajadores unen.")
        remember(s, "en", "es", HUMAN, "Workers unite.", "¡Trabajadores, uníos!")
    with store.transaction() as s:
        assert lookup(s, "en", "es", "m1", ["Workers unite."]) == {
            "Workers unite.": "¡Trabajadores, uníos!"}
        remember(s, "en", "es", HUMAN, "Workers unite.", "¡Proletarios, uníos!")
        remember(s, "en", "es", "m1", "Workers unite.", "otra cosa")  # machine never replaces
    with store.transaction() as s:
        assert lookup(s, "en", "es", "m1", ["Workers unite."]) == {
            "Workers unite.": "¡Proletarios, uníos!"}
        assert lookup(s, "en", "es", "m9", ["Workers unite."]) == {
            "Workers unite.": "¡Proletarios, uníos!"}


def test_many_sentences_in_one_call(any_store):
    store = any_store
    pairs = [(f"Sentence number {n}.", f"Frase número {n}.") for n in range(1200)]
    with store.transaction() as s:
        remember_many(s, "en", "es", "m1", pairs)
    with store.transaction() as s:
        found = lookup(s, "en", "es", "m1", [p[0] for p in pairs])
    assert len(found) == 1200 and found["Sentence number 7."] == "Frase número 7."
