"""Sentence-level batching: order kept through length sorting, one call for many
documents, distinct sentences only, memory answers never sent, failures kept local."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rabkor.translate import batching
from rabkor.translate.batching import (
    BatchOptions,
    argos_translate_sentences,
    sentences_of,
    translate_documents,
)
from rabkor.translate.plaintext import PlainDocument


class _Tokenizer:
    def encode(self, sentence: str) -> list[str]:
        return sentence.split()

    def decode(self, tokens: list[str]) -> str:
        return " ".join(tokens)


class _Translator:
    """Upper-cases tokens; records every call's sources and keyword arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[list[str]], dict]] = []

    def translate_batch(self, source, **kwargs):
        self.calls.append((source, kwargs))
        prefix = kwargs.get("target_prefix")
        return [SimpleNamespace(hypotheses=[(prefix[i] if prefix else []) + [t.upper() for t in s]])
                for i, s in enumerate(source)]


def _package(prefix: str = "") -> SimpleNamespace:
    return SimpleNamespace(tokenizer=_Tokenizer(), target_prefix=prefix)


def test_one_length_sorted_call_and_results_in_input_order():
    translator = _Translator()
    sentences = ["a b c d", "e", "f g"]
    options = BatchOptions(beam_size=3, max_batch_tokens=100, max_decoding_length=50)
    out = argos_translate_sentences(_package(), translator, sentences, options)
    assert out == ["A B C D", "E", "F G"]
    [(source, kwargs)] = translator.calls
    assert [len(s) for s in source] == [1, 2, 4]
    assert kwargs["beam_size"] == 3
    assert kwargs["max_batch_size"] == 100 and kwargs["batch_type"] == "tokens"
    assert kwargs["max_decoding_length"] == 50
    assert kwargs["target_prefix"] is None


def test_target_prefix_is_given_and_stripped():
    translator = _Translator()
    out = argos_translate_sentences(_package("__es__"), translator, ["x y", "z"], BatchOptions())
    assert out == ["X Y", "Z"]
    assert translator.calls[0][1]["target_prefix"] == [["__es__"], ["__es__"]]


def test_no_sentences_no_call():
    translator = _Translator()
    assert argos_translate_sentences(_package(), translator, [], BatchOptions()) == []
    assert translator.calls == []


def test_documents_share_one_call_of_distinct_sentences_without_memory_hits():
    calls: list[list[str]] = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(sentences)
        return [s.upper() for s in sentences]

    docs = [PlainDocument("Hello there. Good  day."), PlainDocument("Good day.\nBye now."),
            PlainDocument("Hello there.")]
    known = {"Bye now.": "ADIÓS."}
    outcome = translate_documents(docs, translate, known)
    assert calls == [["Hello there.", "Good day."]]
    assert outcome.texts == ["HELLO THERE. GOOD DAY.", "GOOD DAY.\nADIÓS.", "HELLO THERE."]
    assert outcome.errors == [None, None, None]
    assert outcome.learned == {"Hello there.": "HELLO THERE.", "Good day.": "GOOD DAY."}
    assert sentences_of(docs) == ["Hello there.", "Good day.", "Bye now."]


def test_a_failing_sentence_fails_only_its_document():
    def translate(sentences: list[str]) -> list[str]:
        if "Poison." in sentences:
            raise RuntimeError("model broke")
        return [s.upper() for s in sentences]

    docs = [PlainDocument("Fine. Poison."), PlainDocument("Also fine.")]
    outcome = translate_documents(docs, translate, {})
    assert outcome.texts == [None, "ALSO FINE."]
    assert isinstance(outcome.errors[0], RuntimeError) and outcome.errors[1] is None


def test_empty_or_missing_translations_are_errors():
    outcome = translate_documents([PlainDocument("One.")], lambda s: [""], {})
    assert outcome.texts == [None] and "empty translation" in str(outcome.errors[0])
    outcome = translate_documents([PlainDocument("One. Two.")], lambda s: ["x"], {})
    assert outcome.texts == [None] and "1 translations for 2" in str(outcome.errors[0])


def test_cpu_options_are_int8_with_a_thread_per_core(monkeypatch: pytest.MonkeyPatch):
    ctranslate2 = pytest.importorskip("ctranslate2")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    monkeypatch.setattr(batching.os, "cpu_count", lambda: 6)
    assert batching.ctranslate2_options() == {"device": "cpu", "compute_type": "int8",
                                              "inter_threads": 1, "intra_threads": 6}
