"""Import argostranslate without letting it touch the user's home directory.

`argostranslate.settings` reads ARGOS_* and XDG_* variables and a settings.json when it
is imported, and creates ~/.local/share/argos-translate and friends; with
ARGOS_CHUNK_TYPE=SPACY its `sbd` module even downloads a model at import time. Rabkor
keeps its own packages under `settings.models_dir` and passes everything explicitly,
so we import argostranslate once, with those variables pointing into Rabkor's data
directory and Argos's own switches cleared. `argostranslate.translate` imports stanza
and torch (seconds), so it is imported only when a translation is actually needed.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from pathlib import Path
from types import ModuleType

from rabkor.core.settings import Settings

_lock = threading.Lock()
_CLEARED_PREFIXES = ("ARGOS_", "SNAP")
_PINNED = {"ARGOS_CHUNK_TYPE": "MINISBD", "ARGOS_DEVICE_TYPE": "cpu"}


def runtime_dir(settings: Settings) -> Path:
    """Where argostranslate may create its directories (never used for packages)."""
    return settings.models_dir / "argos-runtime"


def argos_module(settings: Settings, name: str) -> ModuleType:
    """`argostranslate.<name>`, imported the first time under Rabkor's environment."""
    full = f"argostranslate.{name}"
    if full in sys.modules:
        return sys.modules[full]
    with _lock:
        changes = _isolated_environment(runtime_dir(settings))
        saved = {key: os.environ.get(key) for key in changes}
        try:
            _apply(changes)
            return importlib.import_module(full)
        finally:
            _apply(saved)


def _isolated_environment(base: Path) -> dict[str, str | None]:
    """Variable → value (None: unset) that keeps argostranslate inside `base`."""
    changes: dict[str, str | None] = dict.fromkeys(
        (k for k in os.environ if k.startswith(_CLEARED_PREFIXES)), None)
    changes.update(_PINNED)
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache")):
        changes[var] = str(base / sub)
    return changes


def _apply(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
