"""The LibreTranslate engine against a local server that speaks LibreTranslate's API."""

import pytest

from rabkor.core.errors import ConfigError
from rabkor.translate.engine import EngineError, make_engines
from rabkor.translate.libretranslate import LibreTranslateEngine
from tests.libretranslate_server import LibreTranslateServer


@pytest.fixture
def lt_server():
    server = LibreTranslateServer(api_key="sesame").start()
    yield server
    server.stop()


@pytest.fixture
def lt_settings(settings, lt_server):
    return settings.with_(engines=("libretranslate",), libretranslate_url=lt_server.url + "/",
                          libretranslate_api_key="sesame")


def test_pairs_come_from_each_languages_targets(lt_settings):
    engine = LibreTranslateEngine(lt_settings)
    assert engine.pairs() == {("en", "es"), ("en", "fr"), ("es", "en"), ("fr", "en")}
    host = lt_settings.libretranslate_url.split("//")[1].rstrip("/")
    assert engine.model_version("en", "es") == f"libretranslate@{host}"


def test_a_batch_is_sent_as_a_list_with_the_key_and_comes_back_in_order(lt_settings, lt_server):
    engine = LibreTranslateEngine(lt_settings, max_texts=2)
    out = engine.translate(["one", "two", "three"], "en", "es")
    assert out == ["ONE [es]", "TWO [es]", "THREE [es]"]
    assert [r["q"] for r in lt_server.requests] == [["one", "two"], ["three"]]
    assert {(r["source"], r["target"], r["format"], r["api_key"]) for r in lt_server.requests} \
        == {("en", "es", "text", "sesame")}


def test_html_format_is_passed_through(lt_settings, lt_server):
    LibreTranslateEngine(lt_settings).translate(["<p>hi</p>"], "en", "es", fmt="html")
    assert lt_server.requests[-1]["format"] == "html"


@pytest.mark.parametrize(("key", "message"), [("wrong", "HTTP 403: Invalid API key"),
                                              ("", "HTTP 400: Please contact the server")])
def test_a_refused_key_is_an_engine_error_with_the_servers_words(lt_settings, key, message):
    engine = LibreTranslateEngine(lt_settings.with_(libretranslate_api_key=key))
    with pytest.raises(EngineError, match=message):
        engine.translate(["one"], "en", "es")


def test_server_errors_and_rate_limits_are_engine_errors(lt_settings, lt_server):
    engine = LibreTranslateEngine(lt_settings)
    lt_server.fail_with = (429, {"error": "Slowdown: 10 per 1 minute"})
    with pytest.raises(EngineError, match="HTTP 429: Slowdown"):
        engine.translate(["one"], "en", "es")
    lt_server.fail_with = (500, b"<html>Internal Server Error</html>")
    with pytest.raises(EngineError, match=r"HTTP 500$"):
        engine.translate(["one"], "en", "es")
    lt_server.fail_with = (200, {"translatedText": ["only one"]})
    with pytest.raises(EngineError, match="expected 2 translations"):
        engine.translate(["one", "two"], "en", "es")
    lt_server.fail_with = None
    with pytest.raises(EngineError, match="HTTP 400: de is not supported"):
        engine.translate(["eins"], "de", "en")


def test_an_unreachable_server_has_no_pairs_and_fails_batches(settings):
    dead = settings.with_(libretranslate_url="http://127.0.0.1:9")
    engine = LibreTranslateEngine(dead)
    assert engine.pairs() == set()
    with pytest.raises(EngineError, match="ConnectError"):
        engine.translate(["one"], "en", "es")


def test_an_engine_without_a_url_is_a_config_error(settings):
    with pytest.raises(ConfigError, match="libretranslate_url"):
        make_engines(settings.with_(engines=("libretranslate",), libretranslate_url=""))


def test_the_api_key_never_shows_in_settings_repr(lt_settings):
    assert "sesame" not in repr(lt_settings)
