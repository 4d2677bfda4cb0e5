"""Routing a pair: configured order, chains over any installed pairs (shortest, best rated,
English on ties), across engines; the stage stores the pivots, --status draws the graph."""

import pytest

from rabkor.translate import packages
from rabkor.translate.argos import ArgosEngine
from rabkor.translate.engine import EngineError
from rabkor.translate.libretranslate import LibreTranslateEngine
from rabkor.translate.routing import route
from tests.argos_model import _fixture_lines, build_argosmodel, train_sentencepiece
from tests.libretranslate_server import LibreTranslateServer, fake_translation


@pytest.fixture(scope="module")
def pivot_models(tmp_path_factory):
    """Fixture Argos packages es→en and en→de: no direct es→de."""
    root = tmp_path_factory.mktemp("pivot")
    return [build_argosmodel(root / f"{a}_{b}.argosmodel", a, b) for a, b in (("es", "en"),
                                                                              ("en", "de"))]


@pytest.fixture
def argos(settings, pivot_models):
    for model in pivot_models:
        packages.install_file(settings, model)
    return ArgosEngine(settings)


@pytest.fixture
def libre(settings):
    server = LibreTranslateServer().start()
    yield LibreTranslateEngine(settings.with_(libretranslate_url=server.url))
    server.stop()


def test_a_direct_pair_has_no_pivot(argos):
    r = route([argos], "es", "en")
    assert (r.engine, r.pivot, r.model_version) == ("argos", None, "es_en-0.0.1")
    assert route([argos], "en", "es") is None  # neither direct nor through English
    assert route([argos], "en", "en") is None


def test_argos_pivots_through_english(argos):
    r = route([argos], "es", "de")
    assert (r.src, r.tgt, r.pivot, r.engine) == ("es", "de", "en", "argos")
    assert r.model_version == "es_en-0.0.1 + en_de-0.0.1"
    direct_en = argos.translate(["El pueblo unido.", "Hola"], "es", "en")
    assert r.translate(["El pueblo unido.", "Hola"]) == argos.translate(direct_en, "en", "de")


def test_the_legs_may_use_different_engines_in_configured_order(argos, libre):
    r = route([argos, libre], "es", "fr")  # es→en: Argos first; en→fr: only LibreTranslate
    assert (r.engine, r.pivot) == ("argos+libretranslate", "en")
    host = libre.url.split("//")[1]
    assert r.model_version == f"es_en-0.0.1 + libretranslate@{host}"
    english = argos.translate(["Trabajadores del mundo"], "es", "en")
    assert r.translate(["Trabajadores del mundo"]) == [fake_translation(english[0], "fr")]


def test_a_direct_pair_beats_a_pivot_and_order_decides(argos, libre):
    assert route([argos, libre], "es", "en").engine == "argos"
    assert route([libre, argos], "es", "en").engine == "libretranslate"
    both_legs_remote = route([argos, libre], "fr", "es")
    assert (both_legs_remote.engine, both_legs_remote.pivot) == ("libretranslate", "en")


def test_a_failing_leg_fails_the_route(argos, libre, settings):
    dead = LibreTranslateEngine(settings.with_(libretranslate_url="http://127.0.0.1:9"))
    r = route([argos, libre], "es", "fr")
    libre.url = dead.url  # the server went away after routing
    with pytest.raises(EngineError):
        r.translate(["Hola"])


def test_the_stage_stores_the_pivot_and_status_lists_it(settings, store, argos, capsys):
    from sqlalchemy import select

    from rabkor.app.cli import _print_translation_status
    from rabkor.core.store.models import Translation
    from rabkor.translate.jobs import status, translate_pending
    from tests.translate.conftest import add_item

    settings = settings.with_(engines=("argos",), languages=("en", "de"))
    add_item(store, "es", "Los trabajadores del puerto van a la huelga")
    report = translate_pending(settings, store)
    assert not report.errors and report.missing_pairs == {}
    with store.read() as session:
        rows = {r.language: r for r in session.scalars(select(Translation))}
    assert (rows["en"].engine, rows["en"].pivot, rows["en"].model_version) == (
        "argos", None, "es_en-0.0.1")
    assert (rows["de"].engine, rows["de"].pivot, rows["de"].model_version) == (
        "argos", "en", "es_en-0.0.1 + en_de-0.0.1")
    assert rows["de"].source_language == "es"
    assert {(s.target, s.engine, s.pivot) for s in status(settings, store)} == {
        ("en", "argos", None), ("de", "argos", "en")}
    _print_translation_status(settings, store)
    out = capsys.readouterr().out
    assert "es→de: argos (via English)" in out and "es→en: argos\n" in out
    assert "argos: en→de es→en" in out  # the graph


@pytest.fixture(scope="module")
def chain_models(tmp_path_factory):
    """Fixture Argos packages es→en, en→fr, es→ca, ca→fr, fr→pt: two ways es→fr."""
    root = tmp_path_factory.mktemp("chain")
    tokenizer = train_sentencepiece(_fixture_lines(["en", "es"]), 300)
    return [build_argosmodel(root / f"{a}_{b}.argosmodel", a, b, tokenizer=tokenizer)
            for a, b in (("es", "en"), ("en", "fr"), ("es", "ca"), ("ca", "fr"), ("fr", "pt"))]


@pytest.fixture
def chains(settings, chain_models):
    for model in chain_models:
        packages.install_file(settings, model)
    return ArgosEngine(settings)


def test_the_shortest_chain_wins_and_english_breaks_ties(chains):
    r = route([chains], "es", "fr")
    assert (r.pivots, r.pivot) == (("en",), "en")  # es→ca→fr is as short and rated the same
    r = route([chains], "es", "pt")
    assert len(r.legs) == 3 and r.pivots in (("en", "fr"), ("ca", "fr"))
    assert r.pivots == ("en", "fr") and r.pivot == "en,fr"
    assert route([chains], "pt", "es") is None
    assert route([chains], "ca", "pt").pivots == ("fr",)


def test_a_better_rated_chain_beats_english(chains):
    class Rated(ArgosEngine):
        def rating(self, src, tgt):
            return {("es", "ca"): 0.9, ("ca", "fr"): 0.9}.get((src, tgt))

    rated = Rated(chains.settings)
    assert route([rated], "es", "fr").pivots == ("ca",)  # 0.81 against 0.5 × 0.5
    assert route([rated], "es", "pt").pivots == ("ca", "fr")


def test_a_chain_translates_leg_by_leg(chains):
    r = route([chains], "es", "pt")
    text = ["Los trabajadores del puerto."]
    expected = text
    for src, tgt in (("es", "en"), ("en", "fr"), ("fr", "pt")):
        expected = chains.translate(expected, src, tgt)
    assert r.translate(text) == expected


@pytest.mark.requires_apertium_pairs
def test_english_reaches_french_and_portuguese_via_spanish_with_apertium(settings, store,
                                                                        capsys):
    from sqlalchemy import select

    from rabkor.app.cli import _print_translation_status
    from rabkor.core.languages import language_name
    from rabkor.core.store.models import Translation
    from rabkor.translate.apertium import ApertiumEngine
    from rabkor.translate.jobs import translate_pending
    from tests.translate.conftest import add_item

    apertium = ApertiumEngine()
    for tgt in ("fr", "pt"):
        r = route([apertium], "en", tgt)
        assert r.pivots == ("es",) and r.engine == "apertium"  # eng-spa rates above eng-cat
    settings = settings.with_(engines=("apertium",), languages=("en", "fr", "pt"))
    add_item(store, "en", "The workers of the port are on strike.")
    report = translate_pending(settings, store)
    assert not report.errors and report.missing_pairs == {}
    with store.read() as session:
        rows = {r.language: r for r in session.scalars(select(Translation))}
    assert (rows["fr"].pivot, rows["pt"].pivot) == ("es", "es")
    assert "grève" in rows["fr"].text and "greve" in rows["pt"].text
    assert rows["fr"].model_version.startswith("apertium-eng-spa ")
    assert language_name(rows["fr"].pivot) == "Spanish"
    assert language_name("en,es") == "English, Spanish"
    _print_translation_status(settings, store)
    out = capsys.readouterr().out
    assert "en→fr: apertium (via Spanish)" in out and "en→pt: apertium (via Spanish)" in out
    assert "apertium: ca→en" in out  # the installed graph
