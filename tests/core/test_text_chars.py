"""Controls and bidirectional overrides never enter the store; what scripts need stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from rabkor.core.text.chars import printable
from rabkor.core.text.html import clean_html, plain_text
from rabkor.crawler.parse.feed import parse_feed

TEXT = Path(__file__).parents[1] / "data" / "text"


@pytest.mark.parametrize("name", ["persian-zwnj.txt", "malayalam-zwj.txt", "hindi.txt"])
def test_real_sentences_with_joiners_are_left_as_they_are(name):
    for line in (TEXT / name).read_text(encoding="utf-8").splitlines():
        assert printable(line) == line
        assert plain_text(line) == " ".join(line.split())


@pytest.mark.parametrize(("raw", "kept"), [
    ("Workers\u202e win", "Workers win"),  # right-to-left override
    ("\u2066isolated\u2069 text", "isolated text"),  # isolates
    ("\u202aembedded\u202c", "embedded"),
    ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
    ("nul\x00byte", "nulbyte"),
    ("c1\x85\x9bcontrols", "c1controls"),
    ("mark\u200fstays", "mark\u200fstays"),  # RLM changes no order but its own
    ("\ufeffbom inside\ufeff", "bom inside"),
])
def test_titles_lose_controls_and_overrides(raw, kept):
    assert plain_text(raw) == kept
    assert clean_html(f"<p>{raw}</p>") == f"<p>{kept}</p>"


def test_lines_stay_in_notes():
    assert printable("one\r\ntwo\rthree\n\tfour\x00", lines=True) == "one\ntwo\nthree\n\tfour"


def test_a_feed_title_with_an_override_is_stored_without_it():
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Ch\u202eannel</title>'
            "<link>https://e.org/</link><item><title>gpj.\u202eexe</title><author>A\x1bB"
            "</author><link>https://e.org/1</link></item></channel></rss>").encode()
    feed = parse_feed(body, url="https://e.org/feed")
    assert feed.title == "Channel"
    [item] = feed.items
    assert (item.title, item.author) == ("gpj.exe", "AB")
