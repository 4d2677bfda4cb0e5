"""The in-process Argos path under a hard timeout, and a package that cannot load, on the
real fixture model (tests/argos_model.py)."""

import pytest

from rabkor.translate import packages
from rabkor.translate.argos import ArgosEngine
from rabkor.translate.batching import BatchOptions
from rabkor.translate.engine import EngineError, EngineUnavailable
from tests.argos_model import build_argosmodel

SENTENCES = [f"The workers of factory number {n} went on strike today." for n in range(300)]


def test_a_call_past_its_time_raises_at_once_and_the_next_call_works(argos_settings):
    engine = ArgosEngine(argos_settings, timeout=0.0, seconds_per_sentence=0.0)
    engine._load("en", "es")  # loading is not what is timed here
    with pytest.raises(EngineError, match=r"timed out after 0\.0 s on 300 sentences"):
        engine.translate_sentences(SENTENCES, "en", "es", BatchOptions())
    with pytest.raises(EngineError, match="timed out"):
        engine.translate(SENTENCES[:50], "en", "es")
    engine.timeout = 600.0
    out = engine.translate_sentences(SENTENCES[:3], "en", "es", BatchOptions())
    assert len(out) == 3  # a fresh translator, not the abandoned one


def test_a_package_that_cannot_load_says_why_once_and_is_not_loaded_again(settings, tmp_path):
    settings = settings.with_(engines=("argos",))
    model = build_argosmodel(tmp_path / "en_fr.argosmodel", "en", "fr")
    installed = packages.install_file(settings, model)
    (installed.path / "model" / "model.bin").write_bytes(b"not a model")
    engine = ArgosEngine(settings)
    with pytest.raises(EngineUnavailable, match="rabkor models install en fr") as first:
        engine.translate_sentences(["Hello."], "en", "fr")
    (installed.path / "model").rename(installed.path / "gone")  # a reload would now differ
    with pytest.raises(EngineUnavailable) as second:
        engine.translate(["Hello."], "en", "fr")
    assert str(first.value) == str(second.value)
