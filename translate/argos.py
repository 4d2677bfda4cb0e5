"""Argos Translate engine: installed packages through Argos's own translation path.

Each paragraph goes through `argostranslate.translate.apply_packaged_translation` with
the package's tokenizer, as Argos's `translate()` does, but with Rabkor's package
directory, one cached CTranslate2 translator per package, and an offline sentencizer.

Every call has a hard timeout, in process: the work runs on a worker thread (CTranslate2
releases the GIL), and a call that outlives its time raises EngineError at once. The
thread cannot be killed; CTranslate2's max_decoding_length bounds how long it goes on,
and its translator is dropped (loaded afresh for the next call) so a stuck one is never
waited on twice. A package that cannot load fails every call of its pair with the same
readable reason, without trying to load it again, until the engine is made anew.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from rabkor.core.settings import Settings
from rabkor.translate.argoslib import argos_module
from rabkor.translate.batching import BatchOptions, argos_translate_sentences, ctranslate2_options
from rabkor.translate.engine import EngineError, EngineUnavailable
from rabkor.translate.packages import InstalledPackage, installed

logger = logging.getLogger(__name__)

TIMEOUT = 60.0  # seconds for any call, plus SECONDS_PER_SENTENCE for each sentence
SECONDS_PER_SENTENCE = 0.5  # a busy core decodes a sentence of a real model in ~0.02-0.1 s
T = TypeVar("T")


@dataclass
class _Loaded:
    package: Any  # argostranslate.package.Package
    translator: Any  # ctranslate2.Translator
    sentencizer: Any  # rabkor.translate.argos_sbd.OfflineSentencizer


class ArgosEngine:
    """Loads a package's model the first time its pair is asked for, then keeps it."""

    name = "argos"

    def __init__(self, settings: Settings, *, timeout: float = TIMEOUT,
                 seconds_per_sentence: float = SECONDS_PER_SENTENCE) -> None:
        self.settings = settings
        self.timeout = timeout
        self.seconds_per_sentence = seconds_per_sentence
        self._packages = {(p.from_code, p.to_code): p for p in installed(settings)}
        self._loaded: dict[tuple[str, str], _Loaded] = {}
        self._broken: dict[tuple[str, str], EngineError] = {}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._packages)

    def model_version(self, src: str, tgt: str) -> str:
        package = self._package(src, tgt)
        return f"{package.from_code}_{package.to_code}-{package.version}"

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        loaded = self._load(src, tgt)
        apply = argos_module(self.settings, "translate").apply_packaged_translation
        size = sum(len(t.split("\n")) for t in texts)
        return self._bounded(src, tgt, size,
                             lambda: [_translate_text(apply, loaded, text) for text in texts])

    def translate_sentences(self, sentences: list[str], src: str, tgt: str,
                            options: BatchOptions | None = None) -> list[str]:
        """Many items' sentences in one batched CTranslate2 call (see batching.py)."""
        loaded = self._load(src, tgt)
        return self._bounded(src, tgt, len(sentences), lambda: argos_translate_sentences(
            loaded.package, loaded.translator, sentences, options or BatchOptions()))

    def _bounded(self, src: str, tgt: str, sentences: int, work: Callable[[], T]) -> T:
        """`work()` on a worker thread, given up after the call's timeout."""
        timeout = self.timeout + self.seconds_per_sentence * sentences
        future: Future = Future()

        def run() -> None:
            try:
                future.set_result(work())
            except BaseException as exc:  # handed to the caller below
                future.set_exception(exc)

        threading.Thread(target=run, name=f"argos-{src}-{tgt}", daemon=True).start()
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            self._loaded.pop((src, tgt), None)  # never wait on this translator again
            logger.warning("argos timed out pair=%s-%s sentences=%d timeout=%.1f",
                           src, tgt, sentences, timeout)
            raise EngineError(f"argos {src}→{tgt} timed out after {timeout:.1f} s on "
                              f"{sentences} sentences") from None
        except Exception as exc:  # CTranslate2 and tokenizers raise plain RuntimeErrors
            raise EngineError(f"argos {src}→{tgt}: {exc}") from exc

    def _package(self, src: str, tgt: str) -> InstalledPackage:
        try:
            return self._packages[(src, tgt)]
        except KeyError:
            raise EngineUnavailable(f"no Argos package installed for {src}→{tgt}") from None

    def _load(self, src: str, tgt: str) -> _Loaded:
        if (src, tgt) in self._broken:
            raise self._broken[(src, tgt)]
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
                error = EngineUnavailable(
                    f"cannot load Argos package {installed_package.path} ({exc}); "
                    f"reinstall it with `rabkor models install {src} {tgt}`")
                self._broken[(src, tgt)] = error
                raise error from exc
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
