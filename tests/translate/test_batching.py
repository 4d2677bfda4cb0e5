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


def test_empty_runaway_or_missing_translations_fail_their_document_alone():
    def translate(sentences: list[str]) -> list[str]:
        return ["" if s.startswith("Empty") else s.upper() * 20 if s.startswith("Runaway")
                else s.upper() for s in sentences]

    docs = [PlainDocument("Fine here. Empty answer for this whole sentence."),
            PlainDocument("Runaway model output on this one."), PlainDocument("Also fine.")]
    outcome = translate_documents(docs, translate, {})
    assert outcome.texts == [None, None, "ALSO FINE."]
    assert "empty translation: 'Empty answer for this whole sentence.'" in str(outcome.errors[0])
    assert "times as long as its source" in str(outcome.errors[1])
    assert outcome.learned == {"Fine here.": "FINE HERE.", "Also fine.": "ALSO FINE."}
    outcome = translate_documents([PlainDocument("One. Two.")], lambda s: [], {})
    assert outcome.texts == [None] and "0 translations for 1" in str(outcome.errors[0])


def test_an_empty_fragment_is_an_answer_but_an_empty_text_is_not():
    # Apertium es→en turns a lone reflexive "se" into nothing: right for a fragment
    outcome = translate_documents([PlainDocument("se"), PlainDocument("One.")],
                                  lambda s: [""] * len(s), {})
    assert outcome.texts[0] is None and outcome.texts[1] is None
    assert "empty translation of the whole text" in str(outcome.errors[0])
    doc = PlainDocument("Antes se\nla gente")
    outcome = translate_documents([doc], lambda s: ["" if x == "Antes se" else "people"
                                                   for x in s], {})
    assert outcome.texts == ["\npeople"] and outcome.errors == [None]


def test_a_text_given_back_unchanged_is_recorded_not_stored():
    text = "Dit is een Nederlandse zin van acht woorden lang."
    outcome = translate_documents([PlainDocument(text), PlainDocument("Barack Obama")],
                                  lambda s: list(s), {})
    assert outcome.texts == [None, "Barack Obama"]  # a name may stay as it is
    assert "unchanged" in str(outcome.errors[0])


def test_a_failing_engine_call_is_halved_not_retried_document_by_document():
    calls: list[list[str]] = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(sentences)
        if "Poison 13." in sentences:
            raise RuntimeError("model broke")
        return [s.upper() for s in sentences]

    docs = [PlainDocument(f"Sentence {n}. Poison {n}.") for n in range(64)]
    outcome = translate_documents(docs, translate, {})
    assert [i for i, t in enumerate(outcome.texts) if t is None] == [13]
    assert "model broke" in str(outcome.errors[13])
    assert len(calls) <= 2 * 7 + 1  # halving: about two calls per level, not one per document


def test_an_engine_that_cannot_translate_the_pair_is_not_halved():
    from rabkor.translate.engine import EngineUnavailable

    calls: list[list[str]] = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(sentences)
        raise EngineUnavailable("cannot load the model; reinstall it")

    outcome = translate_documents([PlainDocument(f"Text {n}.") for n in range(50)], translate, {})
    assert len(calls) == 1 and outcome.texts == [None] * 50
    assert all("reinstall" in str(e) for e in outcome.errors)


def test_an_engine_failing_on_everything_costs_a_bounded_number_of_calls():
    calls: list[list[str]] = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(sentences)
        raise RuntimeError("timed out")

    outcome = translate_documents([PlainDocument(f"Text {n}.") for n in range(1000)],
                                  translate, {})
    assert outcome.texts == [None] * 1000 and len(calls) <= 2 * 10 + 2


def test_sentences_without_words_never_reach_the_engine():
    calls: list[list[str]] = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(sentences)
        return [s.upper() for s in sentences]

    outcome = translate_documents([PlainDocument("2024. Good news.\n— 12,5 %")], translate, {})
    assert calls == [["Good news."]] and outcome.texts == ["2024. GOOD NEWS.\n— 12,5 %"]


def test_cpu_options_are_int8_with_a_thread_per_core(monkeypatch: pytest.MonkeyPatch):
    ctranslate2 = pytest.importorskip("ctranslate2")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    monkeypatch.setattr(batching.os, "cpu_count", lambda: 6)
    assert batching.ctranslate2_options() == {"device": "cpu", "compute_type": "int8",
                                              "inter_threads": 1, "intra_threads": 6}
