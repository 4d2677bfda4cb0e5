"""Sentence-level batching: many items' sentences go to the model in one batched call.

One `translate()` per item leaves CTranslate2 decoding a handful of sentences at a
time; here every document of a pair is split into sentences offline, the translation
memory answers what it knows, the distinct remaining sentences go to the engine in one
call, and the documents are put back together. For Argos the call is CTranslate2's
`translate_batch` over length-sorted sentences with token-based batches, int8 weights
and one thread per core (GPU when one is present).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rabkor.core.text.sentences import bounded_sentences
from rabkor.translate.engine import EngineError
from rabkor.translate.memory import normalize
from rabkor.translate.placeholders import PLACEHOLDER, has_words

logger = logging.getLogger(__name__)

SentenceTranslator = Callable[[list[str]], list[str]]


class Document(Protocol):
    """Text to translate as runs (`texts()`), rebuilt around their translations.

    A document may also have `fallback(translations) -> list[str]`: more runs to
    translate before rendering (then `render(translations, fallback_translations)`).
    """

    def texts(self) -> list[str]: ...

    def render(self, translations: list[str]) -> str: ...


@dataclass(frozen=True)
class BatchOptions:
    beam_size: int = 2
    max_batch_tokens: int = 4096  # CTranslate2 max_batch_size with batch_type="tokens"
    max_decoding_length: int = 256  # bounds the output of a model that never stops


def ctranslate2_options() -> dict[str, Any]:
    """Translator arguments for this machine: GPU if CTranslate2 sees one, else int8 CPU."""
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        return {"device": "cuda", "compute_type": "int8_float16"}
    return {"device": "cpu", "compute_type": "int8", "inter_threads": 1,
            "intra_threads": os.cpu_count() or 1}


def argos_translate_sentences(package: Any, translator: Any, sentences: list[str],
                              options: BatchOptions) -> list[str]:
    """Argos's tokenization and target prefix around one CTranslate2 `translate_batch`."""
    if not sentences:
        return []
    tokens = [package.tokenizer.encode(s) for s in sentences]
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    prefix = package.target_prefix
    results = translator.translate_batch(
        [tokens[i] for i in order],
        target_prefix=[[prefix]] * len(order) if prefix else None,
        max_batch_size=options.max_batch_tokens,
        batch_type="tokens",
        beam_size=options.beam_size,
        max_decoding_length=options.max_decoding_length,
        replace_unknowns=True,
        length_penalty=0.2,
    )
    out = [""] * len(sentences)
    for i, result in zip(order, results, strict=True):
        value = package.tokenizer.decode(result.hypotheses[0])
        if prefix and value.startswith(prefix):
            value = value[len(prefix):]
        out[i] = value.strip()
    return out


@dataclass
class Outcome:
    """Per document: the translation, or the error that stopped it (a readable reason)."""

    texts: list[str | None]
    errors: list[Exception | None]
    learned: dict[str, str]  # normalized sentence → new machine translation (for memory)


class BadTranslation(ValueError):
    """An engine's answer for one text that cannot be used (empty, runaway, unchanged)."""


MAX_GROWTH = 4  # a translation this many times longer than its source (+ slack) is a runaway
GROWTH_SLACK = 40
FRAGMENT_WORDS = 2  # an empty translation of a piece this short is an answer ("se" → "")
UNCHANGED_WORDS = 6  # a text this long that comes back unchanged was not translated
_WORD = re.compile(r"\w+", re.UNICODE)


def sentences_of(documents: Sequence[Document], whole: bool = False) -> list[str]:
    """Every distinct normalized sentence the documents hold (for the memory lookup)."""
    seen: dict[str, None] = {}
    for doc in documents:
        for run in _split(doc.texts(), whole):
            seen.update(dict.fromkeys(run))
    return list(seen)


def translate_documents(documents: Sequence[Document], translate: SentenceTranslator,
                        known: dict[str, str], whole: bool = False) -> Outcome:
    """Translate all documents with one engine call (two when some need a fallback).

    Runs are split into sentences, unless `whole` (for an engine that reads a paragraph
    better in one piece, as Apertium does: its context then matches the raw engine's).
    `known` (normalized sentence → translation, from the memory) is never sent to the
    engine. The engine's answer is checked sentence by sentence: an empty, runaway or
    missing translation fails the documents holding that sentence, with the reason, and
    no other. When the engine call itself fails, the batch is halved until the failing
    sentences are found (a bounded number of calls), so the rest still goes through.
    A document may ask for a second round (`fallback`: an HTML block whose inline
    markup did not survive is translated run by run); it is batched across documents too.
    """
    done: dict[str, str] = dict(known)
    failed: dict[str, Exception] = {}
    learned: dict[str, str] = {}
    split = [_split(doc.texts(), whole) for doc in documents]
    _translate_into(translate, [s for runs in split for run in runs for s in run],
                    done, failed, learned)
    texts: list[str | None] = [None] * len(documents)
    errors: list[Exception | None] = [None] * len(documents)
    first: list[list[str] | None] = [None] * len(documents)
    second: list[list[list[str]]] = [[] for _ in documents]
    for i, (doc, runs) in enumerate(zip(documents, split, strict=True)):
        error = _first_failure(runs, failed) or _unchanged(runs, done)
        if error is not None:
            errors[i] = error
            continue
        first[i] = [_join(done, run) for run in runs]
        fallback = getattr(doc, "fallback", None)
        second[i] = _split(fallback(first[i]), whole) if fallback else []
    _translate_into(translate, [s for runs in second for run in runs for s in run],
                    done, failed, learned)
    for i, doc in enumerate(documents):
        if first[i] is None:
            continue
        error = _first_failure(second[i], failed)
        if error is not None:
            errors[i] = error
            continue
        try:
            if second[i]:
                texts[i] = doc.render(first[i], [_join(done, run) for run in second[i]])
            else:
                texts[i] = doc.render(first[i])
        except Exception as exc:  # a document that cannot be rebuilt fails alone
            errors[i] = exc
    return Outcome(texts, errors, learned)


def _split(runs: list[str], whole: bool = False) -> list[list[str]]:
    if whole:
        return [[normalize(run)] if normalize(run) else [] for run in runs]
    return [[normalize(s) for s in bounded_sentences(run)] for run in runs]


def _join(done: dict[str, str], run: list[str]) -> str:
    return " ".join(t for t in (done[s] for s in run) if t)


def _first_failure(runs: list[list[str]], failed: dict[str, Exception]) -> Exception | None:
    return next((failed[s] for run in runs for s in run if s in failed), None)


def _unchanged(runs: list[list[str]], done: dict[str, str]) -> Exception | None:
    """A text that came back empty, or of some length and word for word, was not translated."""
    sentences = [s for run in runs for s in run if has_words(s)]
    if sentences and not any(done[s].strip() for s in sentences):
        return BadTranslation("the engine returned an empty translation of the whole text")
    if (sentences and all(done[s] == s for s in sentences)
            and sum(len(_WORD.findall(s)) for s in sentences) >= UNCHANGED_WORDS):
        return BadTranslation("the engine gave the text back unchanged (is it written in the "
                              "item's language?)")
    return None


def _translate_into(translate: SentenceTranslator, sentences: list[str], done: dict[str, str],
                    failed: dict[str, Exception], learned: dict[str, str]) -> None:
    """Translate the sentences not yet in `done` or `failed`; file each result in one."""
    wanted = [s for s in dict.fromkeys(sentences) if s not in done and s not in failed]
    for s in [s for s in wanted if not has_words(s)]:
        done[s] = s  # nothing an engine could translate: kept as it is
    wanted = [s for s in wanted if s not in done]
    if not wanted:
        return
    budget = _Budget(2 * len(wanted).bit_length() + 2)  # about two failures per halving
    for s, result in _isolating(translate, wanted, budget).items():
        if isinstance(result, Exception):
            failed[s] = result
            continue
        problem = check(s, result)
        if problem:
            failed[s] = BadTranslation(f"{problem}: {s[:80]!r}")
        else:
            done[s] = result.strip()
            if result.strip():
                learned[s] = result.strip()


def check(source: str, translation: str) -> str | None:
    """Why an engine's translation of `source` cannot be used, or None when it can."""
    if not translation.strip():
        if len(_WORD.findall(PLACEHOLDER.sub(" ", source))) <= FRAGMENT_WORDS:
            return None  # a particle that the target language does without
        return "the engine returned an empty translation"
    if len(translation) > MAX_GROWTH * len(source) + GROWTH_SLACK:
        return (f"the translation is {len(translation) / max(1, len(source)):.0f} times as "
                "long as its source")
    return None


class _Budget:
    """Failed engine calls allowed while isolating, and the last failure seen."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.last: Exception | None = None


def _isolating(translate: SentenceTranslator, sentences: list[str],
               budget: _Budget) -> dict[str, str | Exception]:
    """One call; if it fails, halves until the failing sentences are alone or the budget of
    failed calls is spent (then the rest carries the last error, untried)."""
    if budget.calls <= 0 and budget.last is not None:
        return dict.fromkeys(sentences, budget.last)
    try:
        out = translate(sentences)
        if len(out) != len(sentences):
            raise EngineError(f"{len(out)} translations for {len(sentences)} sentences")
        return dict(zip(sentences, out, strict=True))
    except Exception as exc:  # any engine failure: isolated below
        budget.calls -= 1
        budget.last = exc
        if len(sentences) == 1 or budget.calls <= 0 or not getattr(exc, "isolate", True):
            logger.warning("engine failed on %d sentences error=%s", len(sentences), exc)
            return dict.fromkeys(sentences, exc)
        logger.info("engine failed on a batch of %d sentences, halving error=%s",
                    len(sentences), exc)
        half = len(sentences) // 2
        return {**_isolating(translate, sentences[:half], budget),
                **_isolating(translate, sentences[half:], budget)}
