"""The Apertium engine on the installed eng-spa pair, and engine order in the stage."""

import pytest
from sqlalchemy import select

from rabkor.core.store.models import Translation
from rabkor.translate import packages
from rabkor.translate.apertium import ApertiumEngine
from rabkor.translate.jobs import translate_pending
from tests.translate.conftest import add_item

pytestmark = pytest.mark.requires_apertium


def test_pairs_use_iso_639_1_codes():
    assert {("en", "es"), ("es", "en")} <= ApertiumEngine().pairs()


def test_a_batch_comes_back_one_translation_per_text():
    engine = ApertiumEngine()
    out = engine.translate(["The workers of the world unite.", "It rains\nin Spain.", "Hello"],
                           "en", "es")
    assert len(out) == 3
    assert "trabajadores" in out[0]
    assert "\n" in out[1] and "España" in out[1]
    assert engine.model_version("en", "es").startswith("apertium-eng-spa ")


@pytest.mark.parametrize(("order", "expected"), [(("apertium", "argos"), "apertium"),
                                                 (("argos", "apertium"), "argos")])
def test_first_configured_engine_with_the_pair_wins(settings, store, en_es_model, order,
                                                    expected):
    settings = settings.with_(engines=order, languages=("en", "es"))
    packages.install_file(settings, en_es_model)
    add_item(store, "en", "The workers of the world unite.")
    add_item(store, "es", "Los trabajadores del mundo")  # es→en: only Apertium has it
    report = translate_pending(settings, store)
    assert report.missing_pairs == {} and not report.errors
    with store.read() as session:
        rows = {(r.source_language, r.language): r for r in session.scalars(select(Translation))}
    assert rows[("en", "es")].engine == expected
    assert rows[("es", "en")].engine == "apertium"
    assert "workers" in rows[("es", "en")].text
