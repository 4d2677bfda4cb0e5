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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rabkor.core.text.sentences import bounded_sentences
from rabkor.translate.memory import normalize

logger = logging.getLogger(__name__)

SentenceTranslator = Callable[[list[str]], list[str]]


class Document(Protocol):
    """Text to translate as runs (`texts()`), rebuilt around their translations."""

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
    """Per document: the translation, or the error that stopped it."""

    texts: list[str | None]
    errors: list[Exception | None]
    learned: dict[str, str]  # normalized sentence → new machine translation (for memory)


def sentences_of(documents: Sequence[Document]) -> list[str]:
    """Every distinct normalized sentence the documents hold (for the memory lookup)."""
    seen: dict[str, None] = {}
    for doc in documents:
        for run in doc.texts():
            seen.update(dict.fromkeys(normalize(s) for s in bounded_sentences(run)))
    return list(seen)


def translate_documents(documents: Sequence[Document], translate: SentenceTranslator,
                        known: dict[str, str]) -> Outcome:
    """Translate all documents with one engine call; if it fails, document by document.

    `known` (normalized sentence → translation, from the memory) is never sent to the
    engine. A document whose own sentences fail gets its error; the others go on.
    """
    split = [[[normalize(s) for s in bounded_sentences(run)] for run in doc.texts()]
             for doc in documents]
    learned: dict[str, str] = {}
    missing = _missing(split, known)
    try:
        learned.update(_call(translate, missing))
    except Exception as exc:  # isolate the failing documents below
        logger.warning("batch of %d sentences failed, retrying per document error=%s",
                       len(missing), exc)
    texts: list[str | None] = []
    errors: list[Exception | None] = []
    for doc, runs in zip(documents, split, strict=True):
        try:
            learned.update(_call(translate, _missing([runs], {**known, **learned})))
            done = {**known, **learned}
            texts.append(doc.render([" ".join(done[s] for s in run) for run in runs]))
            errors.append(None)
        except Exception as exc:  # this document fails alone
            texts.append(None)
            errors.append(exc)
    return Outcome(texts, errors, learned)


def _missing(split: list[list[list[str]]], known: dict[str, str]) -> list[str]:
    wanted = dict.fromkeys(s for runs in split for run in runs for s in run)
    return [s for s in wanted if s not in known]


def _call(translate: SentenceTranslator, sentences: list[str]) -> dict[str, str]:
    if not sentences:
        return {}
    out = translate(sentences)
    if len(out) != len(sentences):
        raise ValueError(f"{len(out)} translations for {len(sentences)} sentences")
    empty = [s for s, t in zip(sentences, out, strict=True) if not t.strip()]
    if empty:
        raise ValueError(f"empty translation of {empty[0][:80]!r}")
    return dict(zip(sentences, out, strict=True))
