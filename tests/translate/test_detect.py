"""Texts already in the target language are recognised, on real sentences (Tatoeba)."""

from pathlib import Path

import pytest

from rabkor.translate.detect import already_in

SENTENCES = Path(__file__).parents[1] / "data" / "sentences"
SITE = ("en", "es", "de", "fr")


def _long_lines(code: str, n: int = 40) -> list[str]:
    lines = (SENTENCES / f"{code}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if len(line) >= 40][:n]


@pytest.mark.parametrize(("written", "other"), [("en", "es"), ("es", "en")])
def test_sentences_are_recognised_in_their_own_language_only(written, other):
    lines = _long_lines(written)
    recognised = sum(already_in(line, written, SITE) for line in lines)
    assert recognised >= 0.8 * len(lines)
    assert not any(already_in(line, other, SITE) for line in lines)


def test_a_german_items_english_title_is_already_english():
    title = "Workers across Europe strike against the new pension reform"
    assert already_in(title, "en", (*SITE, "de"))
    assert not already_in(title, "de", (*SITE, "de"))


def test_short_or_unknown_is_never_confident():
    assert not already_in("OK, Berlin!", "en", SITE)  # too short to tell
    assert not already_in("The workers of the world unite today", "xx", SITE)
