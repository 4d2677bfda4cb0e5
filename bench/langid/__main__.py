"""Language identification: `rabkor.crawler.analyse.language.identify` against raw lingua.

    .venv/bin/python -m bench.langid [--start 500 --lines 200] [--weights 2,5,10,20,50]

Labelled text: the Tatoeba sentences of the LASER test set (shared/data/langid/tatoeba-
laser, human-written, one language a file), lines `--start` to `--start + --lines` of
each of 20 languages in 13 scripts. Three kinds of text per line: the sentence, a word
pair (its first two words; for Chinese and Japanese, written without spaces, its first
two letters; Thai its first six) and a single word (its longest; one letter in Chinese
and Japanese, three in Thai). Each is identified with no declared language, the right
one, a wrong close one (Portuguese for Spanish, Ukrainian for Russian, Japanese for
Chinese…) and English (Spanish for English: a CMS default). Raw lingua: a detector over
all its languages in the same low-accuracy mode, `detect_language_of`, which knows no
declaration. A figure is the share of lines identified as their language ("und" and
None count as misses); `und` columns give the share left undetermined.

`--weights` also scores the prior's weight (PRIOR_WEIGHT) on these lines, for tuning:
tune on one range of lines (`--start 300`), report on another (the default).
"""

from __future__ import annotations

import argparse
import os
import string
import sys
import time
from pathlib import Path

from lingua import LanguageDetectorBuilder

from rabkor.core.languages import iso_code
from rabkor.crawler.analyse import language

TATOEBA = Path("/work/shared/data/langid/tatoeba-laser")
# ISO 639-1 → the LASER file's code, and the wrong close language declared for it
LANGUAGES = {
    "en": ("eng", "es"), "es": ("spa", "pt"), "pt": ("por", "es"), "fr": ("fra", "it"),
    "it": ("ita", "es"), "de": ("deu", "nl"), "nl": ("nld", "de"), "pl": ("pol", "cs"),
    "ru": ("rus", "uk"), "uk": ("ukr", "ru"), "ar": ("ara", "fa"), "fa": ("pes", "ar"),
    "ur": ("urd", "ar"), "hi": ("hin", "mr"), "zh": ("cmn", "ja"), "ja": ("jpn", "zh"),
    "ko": ("kor", "ja"), "el": ("ell", "en"), "he": ("heb", "ar"), "th": ("tha", "en"),
}
KINDS = ("sentence", "pair", "word")
DECLARED = ("none", "right", "close", "english")
_PUNCT = string.punctuation + "¿¡«»“”„‘’…—–。、！？，：；（）「」『』"


def lines(code: str, start: int, count: int) -> list[str]:
    three = LANGUAGES[code][0]
    name = f"tatoeba.{three}-eng.{three}" if code != "en" else "tatoeba.spa-eng.eng"
    found = (TATOEBA / name).read_text(encoding="utf-8").splitlines()[start:start + count]
    return [" ".join(line.split()) for line in found if line.strip()]


def kinds(code: str, line: str) -> dict[str, str]:
    if code in ("zh", "ja", "th"):
        letters = "".join(ch for ch in line if ch.isalpha() or (not ch.isascii()
                          and ch not in _PUNCT and not ch.isspace()))
        size = 3 if code == "th" else 1
        return {"sentence": line, "pair": letters[:2 * size], "word": letters[:size]}
    words = [w.strip(_PUNCT) for w in line.split()]
    words = [w for w in words if any(ch.isalpha() for ch in w)]
    return {"sentence": line, "pair": " ".join(words[:2]),
            "word": max(words, key=len) if words else ""}


def declaration(code: str, how: str) -> str | None:
    return {"none": None, "right": code, "close": LANGUAGES[code][1],
            "english": "es" if code == "en" else "en"}[how]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=int, default=500)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--weights", default="", help="prior weights to compare, e.g. 2,5,10")
    parser.add_argument("--identify-from", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.identify_from:  # another version of the module, for before/after figures
        global language
        import importlib.util

        spec = importlib.util.spec_from_file_location("identify_under_test", args.identify_from)
        language = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = language  # dataclasses look their module up
        spec.loader.exec_module(language)
    print(f"{os.cpu_count()} cores, load average "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    texts = {code: [kinds(code, line) for line in lines(code, args.start, args.lines)]
             for code in LANGUAGES}
    raw = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
    raw_scores: dict[tuple[str, str], float] = {}
    for code, rows in texts.items():
        for kind in KINDS:
            found = [raw.detect_language_of(r[kind]) for r in rows]
            raw_scores[(code, kind)] = sum(f is not None and iso_code(f) == code
                                           for f in found) / len(rows)
    if args.weights:
        for weight in [float(w) for w in args.weights.split(",")]:
            language.PRIOR_WEIGHT = weight
            table = _score(texts)
            print(f"PRIOR_WEIGHT {weight:g}: " + "  ".join(
                f"{kind}/{how} {_mean(table, kind, how):.1%}" for kind in KINDS
                for how in DECLARED[1:]), flush=True)
        return
    start = time.perf_counter()
    table = _score(texts)
    seconds = time.perf_counter() - start
    calls = sum(len(rows) for rows in texts.values()) * len(KINDS) * len(DECLARED)
    print(f"lines {args.start}–{args.start + args.lines} of each language; PRIOR_WEIGHT "
          f"{getattr(language, 'PRIOR_WEIGHT', '–')}; {calls} identifications in {seconds:.1f} s "
          f"({seconds / calls * 1000:.2f} ms each)\n")
    for kind in KINDS:
        print(f"### {kind}s: share identified as their language (und: left undetermined)\n")
        print("| language | raw lingua | none | und | right | close wrong | und | English | und |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for code in LANGUAGES:
            cells = [f"{raw_scores[(code, kind)]:.0%}"]
            for how in DECLARED:
                right, und = table[(code, kind, how)]
                cells.append(f"{right:.0%}")
                if how != "right":
                    cells.append(f"{und:.0%}")
            close = LANGUAGES[code][1]
            print(f"| {code} (close: {close}) | " + " | ".join(cells) + " |")
        mean_raw = sum(raw_scores[(c, kind)] for c in LANGUAGES) / len(LANGUAGES)
        print(f"| **mean** | {mean_raw:.1%} | " + " | ".join(
            f"{_mean(table, kind, how):.1%}" + (" | " if how != "right" else "")
            + (f"{_mean_und(table, kind, how):.1%}" if how != "right" else "")
            for how in DECLARED).replace(" |  | ", " | ") + " |\n", flush=True)
    print("done, load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def _score(texts) -> dict[tuple[str, str, str], tuple[float, float]]:
    table = {}
    for code, rows in texts.items():
        for kind in KINDS:
            for how in DECLARED:
                found = [language.identify(r[kind], declaration(code, how)).language
                         for r in rows]
                table[(code, kind, how)] = (sum(f == code for f in found) / len(rows),
                                            sum(f == language.UNDETERMINED for f in found)
                                            / len(rows))
    return table


def _mean(table, kind: str, how: str) -> float:
    return sum(table[(c, kind, how)][0] for c in LANGUAGES) / len(LANGUAGES)


def _mean_und(table, kind: str, how: str) -> float:
    return sum(table[(c, kind, how)][1] for c in LANGUAGES) / len(LANGUAGES)


if __name__ == "__main__":
    main()
