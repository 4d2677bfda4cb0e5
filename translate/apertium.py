"""Apertium (rule-based, Debian packages): pairs from `apertium -l`, text through `apertium -u`.

Apertium modes use ISO 639-3 codes (eng-spa) and sometimes a variant suffix (spa-eng_US);
Rabkor speaks ISO 639-1. Many texts go through one process, separated by a marker line
between blank lines. The blank lines matter: Apertium's text deformatter ends a sentence
at a blank line, so the tagger and the transfer rules start afresh after it, while a
marker on a plain line was read as a word of the text around it (124 of 578 es→en
sentences came out differently from the same sentences alone, "y también tengo tos"
losing its "I"). With blank lines, batched output equals isolated output
(tests/translate/test_apertium.py, on Tatoeba sentences). If the pieces do not come back
one per text, the batch fails and the caller halves it (batching.py). Every run has a
hard timeout that grows with the input.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from rabkor.translate.engine import EngineError, EngineUnavailable

logger = logging.getLogger(__name__)

ISO3_TO_1 = {
    "afr": "af", "ara": "ar", "arg": "an", "bel": "be", "bre": "br", "bul": "bg", "cat": "ca",
    "ces": "cs", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo",
    "eus": "eu", "fas": "fa", "fin": "fi", "fra": "fr", "gle": "ga", "glg": "gl", "heb": "he",
    "hin": "hi", "hbs": "sh", "isl": "is", "ita": "it", "kaz": "kk", "mkd": "mk", "mlt": "mt",
    "nld": "nl", "nno": "nn", "nob": "nb", "oci": "oc", "pol": "pl", "por": "pt", "ron": "ro",
    "rus": "ru", "slk": "sk", "slv": "sl", "spa": "es", "srd": "sc", "swe": "sv", "tat": "tt",
    "tur": "tr", "ukr": "uk", "urd": "ur", "zho": "zh",
}
ISO1_TO_3 = {v: k for k, v in ISO3_TO_1.items()}
SEPARATOR = "@@RABKOR-SEPARATOR@@"
JOINER = f"\n\n{SEPARATOR}\n\n"
LIST_TIMEOUT = 10.0
TIMEOUT = 20.0  # seconds for any run, plus a second per CHARS_PER_SECOND of input
CHARS_PER_SECOND = 10_000  # Apertium does ~80,000 on one busy core


def iso3(code: str) -> str:
    """The ISO 639-3 code Apertium uses for a site language (the code itself if unknown)."""
    return ISO1_TO_3.get(code, code)


class ApertiumEngine:
    """Translates with the locally installed Apertium pairs; none installed means no pairs."""

    name = "apertium"

    def __init__(self, timeout: float = TIMEOUT,
                 chars_per_second: float = CHARS_PER_SECOND) -> None:
        self.timeout = timeout
        self.chars_per_second = chars_per_second
        self._modes = _list_modes()
        self._versions: dict[tuple[str, str], str] = {}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._modes)

    def model_version(self, src: str, tgt: str) -> str:
        if (src, tgt) not in self._versions:
            self._versions[(src, tgt)] = _package_version(iso3(src), iso3(tgt))
        return self._versions[(src, tgt)]

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        mode = self._modes.get((src, tgt))
        if mode is None:
            raise EngineUnavailable(f"apertium has no {src}→{tgt} pair")
        if not texts:
            return []
        pieces = _split(self._run(mode, JOINER.join(texts)))
        if len(pieces) != len(texts):
            raise EngineError(f"apertium {mode}: {len(pieces)} pieces came back for "
                              f"{len(texts)} texts (a text held the separator?)")
        return pieces

    def _run(self, mode: str, text: str) -> str:
        timeout = self.timeout + len(text) / self.chars_per_second
        try:
            done = subprocess.run(["apertium", "-u", mode], input=text, capture_output=True,
                                  text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"apertium {mode} timed out after {timeout:.0f} s on "
                              f"{len(text)} characters") from None
        except OSError as exc:
            raise EngineError(f"apertium {mode}: {exc}") from None
        if done.returncode != 0:
            raise EngineError(f"apertium {mode} exited {done.returncode}: {done.stderr[:300]}")
        return done.stdout


def _split(output: str) -> list[str]:
    pieces: list[list[str]] = [[]]
    for line in output.split("\n"):
        if line.strip() == SEPARATOR:
            pieces.append([])
        else:
            pieces[-1].append(line)
    return ["\n".join(p).strip() for p in pieces]


def _list_modes() -> dict[tuple[str, str], str]:
    """(src, tgt) in ISO 639-1 → Apertium mode; a plain mode beats a variant (spa-eng_US)."""
    if shutil.which("apertium") is None:
        return {}
    try:
        out = subprocess.run(["apertium", "-l"], capture_output=True, text=True,
                             timeout=LIST_TIMEOUT, check=False).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("cannot list apertium pairs error=%s", exc)
        return {}
    modes: dict[tuple[str, str], str] = {}
    for mode in sorted(out.split(), key=len, reverse=True):
        codes = mode.split("_")[0].split("-")
        if len(codes) == 2:
            pair = (ISO3_TO_1.get(codes[0], codes[0]), ISO3_TO_1.get(codes[1], codes[1]))
            modes[pair] = mode  # shortest mode written last wins
    return modes


def _package_version(src3: str, tgt3: str) -> str:
    """`apertium-eng-spa 0.8.1-2` from dpkg when it knows the pair, else the mode name."""
    for package in (f"apertium-{src3}-{tgt3}", f"apertium-{tgt3}-{src3}"):
        try:
            done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                                  capture_output=True, text=True, timeout=LIST_TIMEOUT,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            break
        if done.returncode == 0 and done.stdout.strip():
            return f"{package} {done.stdout.strip()}"
    return f"{src3}-{tgt3}"
