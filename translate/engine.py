"""The engine interface, the error an engine raises, and the engines in configured order."""

from __future__ import annotations

from typing import Protocol

from rabkor.core.errors import ConfigError, RabkorError
from rabkor.core.settings import Settings


class EngineError(RabkorError):
    """An engine failed on a batch (crash, timeout, unreadable output); others go on, and
    the batch is retried later."""

    status = 503
    isolate = True  # whether halving the batch may find the texts at fault


class EngineUnavailable(EngineError):
    """The engine cannot translate this pair at all (its model does not load, the pair is
    not installed): every text of the pair fails alike, so the batch is not halved."""

    isolate = False


class Engine(Protocol):
    """Translates batches of plain texts between ISO 639-1 languages."""

    name: str

    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) pairs this engine can translate right now."""
        ...

    def model_version(self, src: str, tgt: str) -> str:
        """What produced the translation, recorded with it (provenance, cache keys)."""
        ...

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """One translation per text, in order; raises EngineError when it cannot."""
        ...


KNOWN = ("argos", "apertium", "libretranslate")


def make_engines(settings: Settings) -> list[Engine]:
    """One engine per name in `settings.engines`, in that order (the order of preference)."""
    # Imported here because each engine module imports EngineError from this one.
    from rabkor.translate.apertium import ApertiumEngine
    from rabkor.translate.argos import ArgosEngine
    from rabkor.translate.libretranslate import LibreTranslateEngine

    engines: list[Engine] = []
    for name in settings.engines:
        if name == "argos":
            engines.append(ArgosEngine(settings))
        elif name == "apertium":
            engines.append(ApertiumEngine())
        elif name == "libretranslate":
            engines.append(LibreTranslateEngine(settings))
        else:
            raise ConfigError(f"unknown translation engine {name!r}; known: {', '.join(KNOWN)}")
    return engines
