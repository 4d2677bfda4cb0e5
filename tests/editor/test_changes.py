"""Marking a volunteer's changes to the machine's text, word by word."""

from rabkor.editor.changes import MAX_TOKENS, Piece, marked


def test_a_replaced_word_is_marked_on_both_sides_and_the_rest_kept():
    machine, human = marked("And also have cough.", "And also I have a cough.")
    assert "".join(p.text for p in machine) == "And also have cough."
    assert "".join(p.text for p in human) == "And also I have a cough."
    assert [p.text for p in human if p.changed] == ["I", "a"]
    assert not any(p.changed for p in machine)


def test_script_without_spaces_and_right_to_left_text_keep_their_characters():
    machine, human = marked("العمال يضربون اليوم", "العمال يضربون غدا")
    assert [p.text for p in machine if p.changed] == ["اليوم"]
    assert [p.text for p in human if p.changed] == ["غدا"]


def test_a_segment_too_long_to_compare_is_shown_unmarked():
    long = "word " * (MAX_TOKENS + 1)
    assert marked(long, long + "more") == ([Piece(long, False)], [Piece(long + "more", False)])
