"""Apertium (rule-based, Debian packages): pairs from `apertium -l`, text through `apertium -u`.

Apertium modes use ISO 639-3 codes (eng-spa) and sometimes a variant suffix (spa-eng_US);
Rabkor speaks ISO 639-1. Many texts go through one process, separated by a marker line
that Apertium leaves alone; if the pieces do not come back one per text, each text is
translated on its own.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

from rabkor.translate.engine import EngineError

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
LIST_TIMEOUT = 10.0


def iso3(code: str) -> str:
    """The ISO 639-3 code Apertium uses for a site language (the code itself if unknown)."""
    return ISO1_TO_3.get(code, code)


class ApertiumEngine:
    """Translates with the locally installed Apertium pairs; none installed means no pairs."""

    name = "apertium"

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout
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
            raise EngineError(f"apertium has no {src}→{tgt} pair")
        if not texts:
            return []
        joined = f"\n{SEPARATOR}\n".join(texts)
        pieces = _split(self._run(mode, joined))
        if len(pieces) == len(texts):
            return pieces
        logger.warning("apertium separator lost mode=%s texts=%d pieces=%d; one call per text",
                       mode, len(texts), len(pieces))
        return [self._run(mode, text).strip() for text in texts]

    def _run(self, mode: str, text: str) -> str:
        try:
            done = subprocess.run(["apertium", "-u", mode], input=text, capture_output=True,
                                  text=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
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
