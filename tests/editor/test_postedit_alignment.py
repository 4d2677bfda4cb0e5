"""How source and machine text are cut into segments, and joined back."""

from __future__ import annotations

import pytest

from rabkor.editor.alignment import MAX_SEGMENT, TextTooLong, join, segments, source_text


def pairs(source: str, machine: str) -> list[tuple[str, str]]:
    return [(s.source, s.machine) for s in segments(source, machine)]


def test_same_sentence_counts_pair_sentence_by_sentence():
    assert pairs("Uno. Dos.\nTres.", "One. Two.\nThree.") == [
        ("Uno.", "One."), ("Dos.", "Two."), ("Tres.", "Three.")]


def test_a_paragraph_whose_sentences_differ_becomes_one_segment():
    assert pairs("Uno. Dos.\nTres.", "One and two.\nThree.") == [
        ("Uno. Dos.", "One and two."), ("Tres.", "Three.")]


def test_merged_paragraphs_with_the_same_sentences_still_pair_by_sentence():
    layout = segments("Uno.\nDos.", "One. Two.")
    assert [(s.source, s.machine, s.paragraph) for s in layout] == [
        ("Uno.", "One.", 0), ("Dos.", "Two.", 1)]


def test_nothing_alignable_is_the_whole_text_beside_the_whole_output():
    assert pairs("Uno. Dos.\nTres.", "One, two and three.") == [
        ("Uno. Dos.\nTres.", "One, two and three.")]


def test_without_machine_output_every_sentence_is_a_segment():
    assert pairs("¿Uno? ¡Dos!", "") == [("¿Uno?", ""), ("¡Dos!", "")]


def test_join_keeps_paragraphs_and_drops_control_characters():
    layout = segments("Uno. Dos.\nTres.", "One. Two.\nThree.")
    assert join(layout, ["One\x00.", "  Two. ", "Three\r\n."]) == "One. Two.\nThree\n."
    assert join(layout, ["", "Two.", ""]) == "Two."
    with pytest.raises(ValueError, match="2 segments sent for 3"):
        join(layout, ["a", "b"])
    with pytest.raises(TextTooLong):
        join(layout, ["x" * (MAX_SEGMENT + 1), "", ""])


def test_joiners_that_scripts_need_survive():
    layout = segments("Uno.", "")
    assert join(layout, ["می\u200cخواهم"]) == "می\u200cخواهم"


def test_html_fields_become_one_paragraph_per_line():
    assert source_text("summary", "<p>Uno <b>dos</b>.</p><p>Tres.</p>") == "Uno dos.\nTres."
    assert source_text("title", "  Huelga \n general ") == "Huelga general"
