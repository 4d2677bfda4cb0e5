"""Language identification on real short sentences, word pairs and words (Tatoeba) and real
feeds: script first, the declared language as a prior, never against the script."""

from pathlib import Path

import pytest

from rabkor.crawler.analyse.language import UNDETERMINED, Identified, identify, identify_draft
from rabkor.crawler.parse.feed import parse_feed

LANGID = Path(__file__).parents[1] / "data" / "langid"
FEEDS = Path(__file__).parents[1] / "data" / "feeds"
ISO1 = {"eng": "en", "spa": "es", "deu": "de", "fra": "fr", "por": "pt", "rus": "ru",
        "ukr": "uk", "ara": "ar", "urd": "ur", "cmn": "zh", "jpn": "ja", "tur": "tr",
        "pol": "pl", "ita": "it", "nld": "nl", "hin": "hi", "kor": "ko", "ell": "el",
        "heb": "he", "tha": "th"}
# Tatoeba sentences are a few words long, a hard case: these floors are what lingua's
# low-accuracy mode reaches here with a margin; "und" counts as a miss.
FLOOR = 0.75


def test_short_sentences_are_identified_above_the_floor_in_every_language():
    scores = {}
    for code3, code1 in ISO1.items():
        lines = (LANGID / f"{code3}.txt").read_text(encoding="utf-8").splitlines()[:100]
        results = [identify(line).language for line in lines]
        scores[code1] = sum(r == code1 for r in results) / len(results)
        # wrong answers are rare; uncertainty is said as "und" rather than guessed
        assert sum(r not in (code1, UNDETERMINED) for r in results) <= 0.2 * len(results)
    print("accuracy on 100 Tatoeba sentences:",
          " ".join(f"{k}={v:.2f}" for k, v in sorted(scores.items())),
          f"mean={sum(scores.values()) / len(scores):.3f}")
    assert min(scores.values()) >= FLOOR - 0.15
    assert sum(scores.values()) / len(scores) >= FLOOR


def test_the_declared_language_decides_close_calls_and_not_clear_ones():
    # Spanish and Portuguese share many short sentences' words
    close = "A casa é muito grande e bonita"
    assert identify(close, "pt").language == "pt"
    german = "Die Bundesregierung hat am Montag neue Maßnahmen gegen die Inflation vorgestellt."
    assert identify(german, "en").language == "de"  # a wrong declaration does not win
    found = identify(german, "de")
    assert found.language == "de" and 0.5 < found.confidence <= 1


def _lines(code3: str, n: int = 100) -> list[str]:
    return (LANGID / f"{code3}.txt").read_text(encoding="utf-8").splitlines()[:n]


def _pair(line: str, unspaced: bool) -> str:
    if unspaced:  # Chinese and Japanese: two letters, punctuation left out
        return "".join(ch for ch in line if ch.isalpha())[:2]
    return " ".join(line.split()[:2])


@pytest.mark.parametrize(("code3", "code1", "unspaced", "floor"), [
    ("cmn", "zh", True, 0.95), ("jpn", "ja", True, 0.6), ("hin", "hi", False, 0.9),
    ("kor", "ko", False, 1.0), ("ell", "el", False, 1.0), ("heb", "he", False, 1.0),
    ("tha", "th", True, 1.0)])
def test_word_pairs_in_telling_scripts_are_identified(code3, code1, unspaced, floor):
    # two Han letters, a Devanagari pair with vowel signs: the script tells (raw lingua
    # gets zh 98 %, ja 74 %, hi 79 % here; Rabkor said "und" to nearly all before)
    pairs = [_pair(line, unspaced) for line in _lines(code3)]
    found = [identify(p).language for p in pairs if p]
    assert sum(f == code1 for f in found) >= floor * len(found), found


@pytest.mark.parametrize(("code3", "code1", "wrong"), [
    ("ara", "ar", "en"), ("rus", "ru", "en"), ("cmn", "zh", "en"), ("hin", "hi", "en"),
    ("ell", "el", "de"), ("ukr", "uk", "pl")])
def test_a_declared_language_never_stands_in_a_script_it_is_not_written_in(code3, code1,
                                                                           wrong):
    found = [identify(line, wrong).language for line in _lines(code3)]
    assert wrong not in found
    assert sum(f == code1 for f in found) >= 0.8 * len(found)


@pytest.mark.parametrize(("code3", "code1", "wrong", "floor"), [
    ("spa", "es", "en", 0.75), ("rus", "ru", "uk", 0.7), ("deu", "de", "nl", 0.85),
    ("eng", "en", "es", 0.8)])
def test_a_wrong_declared_language_is_a_prior_not_a_veto(code3, code1, wrong, floor):
    # before: Russian declared uk stayed uk on 10 % of sentences, Spanish declared en on 7 %
    lines = _lines(code3, 200)
    found = [identify(line, wrong).language for line in lines]
    assert sum(f == code1 for f in found) >= floor * len(lines)
    right = [identify(line, code1).language for line in lines]
    assert sum(f == code1 for f in right) >= 0.9 * len(lines)  # the right one still helps


def test_addresses_and_repeats_are_no_evidence():
    # a real YouTube description (tests/data/feeds/media/youtube.xml) came out Danish
    # from its link's query string
    text = ("Navigating with Quantum Entanglement. Check Out Weathered on PBS Terra "
            "https://www.youtube.com/watch?v=znSN7ZFIaOg&ab_channel=PBSTerra")
    assert identify(text).language == "en"
    assert identify("Цитата #17703 " * 12, "ru").language == "ru"


def test_too_little_text_is_undetermined_or_the_declared_language():
    assert identify("OK 2024") == Identified(UNDETERMINED, None)
    assert identify("OK 2024", "fr").language == "fr"
    assert identify("", None).language == UNDETERMINED


@pytest.mark.parametrize(("path", "expected"), [
    ("de/spiegel.xml", "de"), ("de/heise.atom", "de"), ("en/guardian.rss", "en"),
    ("es/lanacion.xml", "es"), ("pt/uol-noticias.rss", "pt"), ("ru/windows-1251.xml", "ru"),
    ("ur/bbc-urdu.xml", "ur"), ("zh/gb2312.xml", "zh"),
])
def test_real_feeds_items_get_their_language(path, expected):
    feed = parse_feed((FEEDS / path).read_bytes(), url="https://example.org/feed")
    found = [identify_draft(i) for i in feed.items]
    languages = [f.language for f in found]
    assert languages.count(expected) >= 0.8 * len(found), languages
    assert all(f.confidence is None or 0 <= f.confidence <= 1 for f in found)


def test_the_youtube_feeds_english_description_is_english():
    feed = parse_feed((FEEDS / "media" / "youtube.xml").read_bytes(),
                      url="https://example.org/feed")
    assert [identify_draft(i).language for i in feed.items] == ["en"] * len(feed.items)
