"""Argos Translate engine: installed packages through Argos's own translation path.

Each paragraph goes through `argostranslate.translate.apply_packaged_translation` with
the package's tokenizer, as Argos's `translate()` does, but with Rabkor's package
directory, one cached CTranslate2 translator per package, and an offline sentencizer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rabkor.core.settings import Settings
from rabkor.translate.argoslib import argos_module
from rabkor.translate.batching import BatchOptions, argos_translate_sentences, ctranslate2_options
from rabkor.translate.engine import EngineError
from rabkor.translate.packages import InstalledPackage, installed

logger = logging.getLogger(__name__)


@dataclass
class _Loaded:
    package: Any  # argostranslate.package.Package
    translator: Any  # ctranslate2.Translator
    sentencizer: Any  # rabkor.translate.argos_sbd.OfflineSentencizer


class ArgosEngine:
    """Loads a package's model the first time its pair is asked for, then keeps it."""

    name = "argos"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._packages = {(p.from_code, p.to_code): p for p in installed(settings)}
        self._loaded: dict[tuple[str, str], _Loaded] = {}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._packages)

    def model_version(self, src: str, tgt: str) -> str:
        package = self._package(src, tgt)
        return f"{package.from_code}_{package.to_code}-{package.version}"

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        loaded = self._load(src, tgt)
        apply = argos_module(self.settings, "translate").apply_packaged_translation
        try:
            return [_translate_text(apply, loaded, text) for text in texts]
        except Exception as exc:  # CTranslate2 and tokenizers raise plain RuntimeErrors
            raise EngineError(f"argos {src}→{tgt}: {exc}") from exc

    def translate_sentences(self, sentences: list[str], src: str, tgt: str,
                            options: BatchOptions | None = None) -> list[str]:
        """Many items' sentences in one batched CTranslate2 call (see batching.py)."""
        loaded = self._load(src, tgt)
        try:
            return argos_translate_sentences(loaded.package, loaded.translator, sentences,
                                             options or BatchOptions())
        except Exception as exc:  # CTranslate2 and tokenizers raise plain RuntimeErrors
            raise EngineError(f"argos {src}→{tgt}: {exc}") from exc

    def _package(self, src: str, tgt: str) -> InstalledPackage:
        try:
            return self._packages[(src, tgt)]
        except KeyError:
            raise EngineError(f"no Argos package installed for {src}→{tgt}") from None

    def _load(self, src: str, tgt: str) -> _Loaded:
        if (src, tgt) not in self._loaded:
            installed_package = self._package(src, tgt)
            argos_module(self.settings, "translate")  # before argos_sbd imports argostranslate
            import ctranslate2

            from rabkor.translate.argos_sbd import OfflineSentencizer

            try:
                package = argos_module(self.settings, "package").Package(installed_package.path)
                translator = ctranslate2.Translator(str(installed_package.path / "model"),
                                                    **ctranslate2_options())
                loaded = _Loaded(package, translator, OfflineSentencizer(package))
            except Exception as exc:  # a damaged package on disk: say which
                raise EngineError(
                    f"cannot load Argos package {installed_package.path} ({exc}); "
                    f"reinstall it with `rabkor models install {src} {tgt}`"
                ) from exc
            logger.info("loaded Argos model pair=%s-%s path=%s", src, tgt, installed_package.path)
            self._loaded[(src, tgt)] = loaded
        return self._loaded[(src, tgt)]


def _translate_text(apply, loaded: _Loaded, text: str) -> str:
    """Paragraph by paragraph (newline-separated), as Argos's PackageTranslation does."""
    out = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            out.append(paragraph)
            continue
        hypotheses = apply(loaded.package, paragraph, loaded.translator, loaded.sentencizer,
                           num_hypotheses=1)
        out.append(hypotheses[0].value)
    return "\n".join(out)
