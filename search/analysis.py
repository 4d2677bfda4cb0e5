"""Text made ready for either engine, the same way for documents and for queries: Chinese
cut into words (jieba's dictionary and algorithm, as jieba-rs through `rjieba`: the same
words as Python's jieba on Tatoeba's Chinese, 25 times faster, and no 1 s dictionary load;
Python's jieba cut 185,000 characters a second, which made Chinese translations of full
texts the slowest part of indexing), Japanese kana and kanji into overlapping pairs,
Arabic normalised (hamza and alef forms, tatweel, diacritics). Both engines then split at spaces and
punctuation, lower-case, stem with the language's Snowball stemmer and fold accents.

Doing this before the engines keeps them interchangeable: neither engine's tokenizer
knows Chinese words (Whoosh's n-grams split a query's prefix, so `econom*` failed on a
site with Chinese), and Arabic needs the same normalisation in both.
"""

from __future__ import annotations

import re

import rjieba

# Snowball stemmers both engines have (tantivy's rust-stemmers; Whoosh's snowball)
STEMMERS = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian",
    "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}
# Whoosh 2.7.4's Arabic (ISRI) stemmer fails on Python 3 ("bad escape \u"): the Whoosh
# engine leaves Arabic unstemmed, normalised only
WORD = re.compile(r"[^\W_]+")  # what both engines' tokenizers take as a word: letters, digits

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = r"\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff"
_CJK_RUN = re.compile(f"[{_HAN}{_KANA}\u30fc]+")
_SPLIT = re.compile(f"[{_HAN}{_KANA}\u30fc]+|[^{_HAN}{_KANA}\u30fc]+")
_KANA_CHAR = re.compile(f"[{_KANA}]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_SPECIAL = re.compile(f"[\u0600-\u06ff{_HAN}{_KANA}\u30fc]")  # either of the two, one scan
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي",
                                 "ة": "ه", "ؤ": "و", "ئ": "ي"})


def prepare(text: str, lang: str | None = None) -> str:
    """`text` with its Chinese and Japanese runs cut into space-separated words and its
    Arabic normalised; other text comes back as it is (one scan, most text has none)."""
    if not _SPECIAL.search(text):
        return text
    if _ARABIC.search(text):
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    if not _CJK_RUN.search(text):
        return text
    return _CJK_RUN.sub(lambda run: f" {_cut(run.group(), lang)} ", text)


def _cut(run: str, lang: str | None) -> str:
    """A run of Han or kana: Japanese (kana in it, or the text is Japanese) as overlapping
    pairs of characters, which need no dictionary; Chinese in jieba's words and the
    shorter words inside them, so that 工人 finds 工人阶级."""
    if lang == "ja" or _KANA_CHAR.search(run):
        if len(run) == 1:
            return run
        return " ".join(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(w for w in rjieba.cut_for_search(run) if w.strip())


def query_words(text: str, lang: str | None = None) -> list[str]:
    """A query word prepared as documents are: the pieces it becomes (one for most words,
    jieba's words of a Chinese one, the pairs of a Japanese one)."""
    return readings(text, lang)[0]


def readings(text: str, lang: str | None = None) -> list[list[str]]:
    """The ways a query word can have been indexed, each as its pieces. Han characters
    alone can be Chinese (jieba's words) or Japanese (pairs): an original in the other
    language's fields is found either way; kana make it Japanese."""
    if not _CJK_RUN.search(text):
        return [WORD.findall(prepare(text, lang))]
    japanese = WORD.findall(" ".join(_cut(run.group(), "ja") if _CJK_RUN.fullmatch(run.group())
                                     else run.group() for run in _SPLIT.finditer(text)))
    if lang == "ja" or _KANA_CHAR.search(text):
        return [japanese]
    chinese = [w for w in rjieba.cut(text) if WORD.fullmatch(w)]
    return [chinese] if lang == "zh" or chinese == japanese else [chinese, japanese]


def is_unspaced(text: str) -> bool:
    """Written without spaces between words (Han, kana): a prefix of one character is a word."""
    return bool(_CJK_RUN.search(text))
