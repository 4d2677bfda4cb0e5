"""Apertium (rule-based, Debian packages): pairs from `apertium -l`, text through `apertium -u`.

Apertium modes use ISO 639-3 codes (eng-spa) and sometimes a variant suffix (spa-eng_US);
Rabkor speaks ISO 639-1. Many texts go through one process, separated by a marker line
between blank lines. The blank lines matter: Apertium's text deformatter ends a sentence
at a blank line, so the tagger and the transfer rules start afresh after it, while a
marker on a plain line was read as a word of the text around it (124 of 578 es→en
sentences came out differently from the same sentences alone, "y también tengo tos"
losing its "I"). A process takes at most BATCH_CHARS of text (processes run side by
side, one per core): in longer streams some words still came out differently from the
same text alone (3 of 60 summaries in one stream of 12,000 characters, none in streams
of 2,000). With both, batched output equals isolated output (tests/translate/
test_apertium.py, on Tatoeba sentences). Texts holding placeholders (an HTML block's
inline markup, placeholders.py) go through Apertium's HTML mode, the placeholders as
spans Apertium binds to the words inside them, separated by paragraphs (in HTML mode a
blank line is no sentence end). If the pieces do not come back one per text, the batch
fails and the caller halves it (batching.py). Every run has a hard timeout that grows
with the input.
"""

from __future__ import annotations

import html
import itertools
import logging
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import lxml.html
from lxml import etree

from rabkor.translate.engine import EngineError, EngineUnavailable
from rabkor.translate.placeholders import CLOSE, OPEN, PLACEHOLDER, TOKEN

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
HTML_SEPARATOR = f"<p>{SEPARATOR}</p>"  # in HTML mode a blank line is no sentence end; </p> is
HTML_JOINER = f"</p>\n{HTML_SEPARATOR}\n<p>"
# chrF / 100 of each pair on Tatoeba (60 four-sentence summaries each, the pipeline and raw
# `apertium -u` alike: `python -m bench.translate.quality`, 2026-12-01); pairs without
# English have no human reference there and get routing's default
RATINGS = {("en", "es"): 0.538, ("es", "en"): 0.533, ("en", "ca"): 0.514, ("ca", "en"): 0.495}
# Debian's pairs that reach most of the default site languages from English, through Spanish
SUGGESTED_PACKAGES = ("apertium-eng-spa", "apertium-fr-es", "apertium-es-pt", "apertium-eng-cat")
BATCH_CHARS = 2000  # per process: longer streams drift from what each text gives alone
LIST_TIMEOUT = 10.0
TIMEOUT = 20.0  # seconds for any run, plus a second per CHARS_PER_SECOND of input
CHARS_PER_SECOND = 10_000  # Apertium does ~80,000 on one busy core


def iso3(code: str) -> str:
    """The ISO 639-3 code Apertium uses for a site language (the code itself if unknown)."""
    return ISO1_TO_3.get(code, code)


class ApertiumEngine:
    """Translates with the locally installed Apertium pairs; none installed means no pairs."""

    name = "apertium"
    whole_texts = True  # paragraphs in one piece: the same context as `apertium` alone

    def __init__(self, timeout: float = TIMEOUT,
                 chars_per_second: float = CHARS_PER_SECOND) -> None:
        self.timeout = timeout
        self.chars_per_second = chars_per_second
        self._modes = _list_modes()
        self._versions: dict[tuple[str, str], str] = {}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._modes)

    def rating(self, src: str, tgt: str) -> float | None:
        """How well the pair translates, as measured (RATINGS), for choosing among routes."""
        return RATINGS.get((src, tgt))

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
        groups = []  # (indices, format), each at most BATCH_CHARS of text
        for fmt in ("txt", "html-noent"):
            indices = [i for i, t in enumerate(texts)
                       if bool(PLACEHOLDER.search(t)) == (fmt != "txt")]
            group: list[int] = []
            size = 0
            for i in indices:
                if group and size + len(texts[i]) > BATCH_CHARS:
                    groups.append((group, fmt))
                    group, size = [], 0
                group.append(i)
                size += len(texts[i])
            if group:
                groups.append((group, fmt))
        out = [""] * len(texts)
        with ThreadPoolExecutor(min(len(groups), os.cpu_count() or 1)) as pool:
            for (indices, _), pieces in zip(groups, pool.map(
                    lambda g: self._batch(mode, [texts[i] for i in g[0]], g[1]), groups),
                    strict=True):
                for i, piece in zip(indices, pieces, strict=True):
                    out[i] = piece
        return out

    def _batch(self, mode: str, texts: list[str], fmt: str) -> list[str]:
        if fmt == "txt":
            pieces = _split(self._run(mode, JOINER.join(texts)))
        else:
            joined = HTML_JOINER.join(to_html(t) for t in texts)
            pieces = _split_html(self._run(mode, f"<p>{joined}</p>", fmt))
        if len(pieces) != len(texts):
            raise EngineError(f"apertium {mode}: {len(pieces)} pieces came back for "
                              f"{len(texts)} texts (a text held the separator?)")
        if fmt == "txt":
            return pieces
        return [from_html(piece, text) for piece, text in zip(pieces, texts, strict=True)]

    def _run(self, mode: str, text: str, fmt: str = "txt") -> str:
        timeout = self.timeout + len(text) / self.chars_per_second
        try:
            done = subprocess.run(["apertium", "-u", "-f", fmt, mode], input=text,
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"apertium {mode} timed out after {timeout:.0f} s on "
                              f"{len(text)} characters") from None
        except OSError as exc:
            raise EngineError(f"apertium {mode}: {exc}") from None
        if done.returncode != 0:
            raise EngineError(f"apertium {mode} exited {done.returncode}: {done.stderr[:300]}")
        return done.stdout


def to_html(text: str) -> str:
    """Placeholders as markup Apertium's HTML mode carries: a pair as a `<span>` (Apertium
    binds it to each word inside, so it follows them when they move); an opening or closing
    whose partner is in another sentence as a span to the end or from the start of this
    one; a lone placeholder (⟦#n⟧) or an empty pair as a comment, a blank between words
    (an `<img>` or an empty element would end the sentence)."""
    tokens = list(TOKEN.finditer(text))
    opens = {m.group(2) for m in tokens if m.group(1) == ""}
    closes = {m.group(2) for m in tokens if m.group(1) == "/"}
    out = [f'<span data-r="{m.group(2)}" data-half="close">' for m in reversed(tokens)
           if m.group(1) == "/" and m.group(2) not in opens]
    tail: list[str] = []
    start = 0
    empty = {m.group(2) for m, after in itertools.pairwise(tokens)
             if m.group(1) == "" and after.group(1) == "/" and after.group(2) == m.group(2)
             and not text[m.end():after.start()].strip()}
    for m in tokens:
        out.append(html.escape(text[start:m.start()], quote=False))
        start = m.end()
        kind, n = m.group(1), m.group(2)
        if n in empty:  # an empty element: a blank, as an empty <span> would end the sentence
            out.append(f"<!--e{n}-->" if kind == "" else "")
        elif kind == "#":
            out.append(f"<!--r{n}-->")
        elif kind == "/":
            out.append("</span>")
        elif n in closes:
            out.append(f'<span data-r="{n}">')
        else:
            out.append(f'<span data-r="{n}" data-half="open">')
            tail.append("</span>")
    out.append(html.escape(text[start:], quote=False))
    return "".join(out + tail)


def from_html(markup: str, source: str) -> str:
    """Apertium's HTML answer back to text with placeholders: each pair around the words
    that carry its span, from the first to the last (placeholders.parse checks the rest).
    A pair whose words all vanished (Spanish drops "I": "⟦1⟧I⟦/1⟧ love her" → "le quiero")
    comes back empty, where its words stood in the source, proportionally."""
    if not markup.strip():
        return ""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    text: list[str] = []
    spans: dict[str, list[int]] = {}
    halves: dict[str, str] = {}
    marks: list[tuple[int, str]] = []

    def walk(element: etree._Element) -> None:
        text.append(element.text or "")
        for child in element:
            if not isinstance(child.tag, str):  # a comment: a placeholder of its own
                body = (child.text or "").strip()
                if body.startswith("r"):
                    marks.append((_length(text), f"#{body[1:]}"))
                elif body.startswith("e"):
                    spans[body[1:]] = [_length(text), _length(text)]
            else:
                n = child.get("data-r")
                start = _length(text)
                walk(child)
                if n is not None:
                    span = _trimmed("".join(text), start, _length(text))
                    if n in spans:
                        span = [min(spans[n][0], span[0]), max(spans[n][1], span[1])]
                    spans[n] = span
                    if child.get("data-half"):
                        halves[n] = child.get("data-half")
            text.append(child.tail or "")

    walk(root)
    out = "".join(text)
    for n, where in _vanished(source, spans, {m for _, m in marks}).items():
        at = _word_boundary(out, round(where * len(out)))
        spans[n] = [at, at]
    return _with_placeholders(out, spans, halves, marks).strip()


def _vanished(source: str, spans: dict[str, list[int]], marks: set[str]) -> dict[str, float]:
    """Pairs of `source` absent from the answer → where they began, as a share of the text."""
    length = max(1, len(PLACEHOLDER.sub("", source)))
    found: dict[str, float] = {}
    removed = 0
    for m in TOKEN.finditer(source):
        n = m.group(2)
        if m.group(1) != "#" and n not in spans and f"#{n}" not in marks and n not in found:
            found[n] = (m.start() - removed) / length
        removed += len(m.group())
    return found


def _word_boundary(text: str, at: int) -> int:
    at = max(0, min(len(text), at))
    while 0 < at < len(text) and not text[at - 1].isspace():
        at += 1
    return at


def _length(parts: list[str]) -> int:
    return sum(map(len, parts))


def _trimmed(text: str, start: int, end: int) -> list[int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [start, end]


def _with_placeholders(text: str, spans: dict[str, list[int]], halves: dict[str, str],
                       marks: list[tuple[int, str]]) -> str:
    """`text` with ⟦n⟧ … ⟦/n⟧ around each span and the marks at their offsets; at one
    offset closings come first (inner ones first), then empty pairs and marks, then
    openings (outer first)."""
    events: dict[int, list[tuple[int, int, str]]] = {}
    for n, (start, end) in spans.items():
        half = halves.get(n)
        if start == end and half is None:
            events.setdefault(start, []).append((1, -1, f"{OPEN}{n}{CLOSE}{OPEN}/{n}{CLOSE}"))
            continue
        if half != "close":
            events.setdefault(start, []).append((2, -end, f"{OPEN}{n}{CLOSE}"))
        if half != "open":
            events.setdefault(end, []).append((0, -start, f"{OPEN}/{n}{CLOSE}"))
    for i, (offset, token) in enumerate(marks):
        events.setdefault(offset, []).append((1, i, f"{OPEN}{token}{CLOSE}"))
    out, last = [], 0
    for offset in sorted(events):
        out.append(text[last:offset])
        out += [token for _, _, token in sorted(events[offset])]
        last = offset
    out.append(text[last:])
    return "".join(out)


def _split(output: str) -> list[str]:
    pieces: list[list[str]] = [[]]
    for line in output.split("\n"):
        if line.strip() == SEPARATOR:
            pieces.append([])
        else:
            pieces[-1].append(line)
    return ["\n".join(p).strip() for p in pieces]


def _split_html(output: str) -> list[str]:
    pieces = []
    for piece in output.split(HTML_SEPARATOR):
        piece = piece.strip()
        piece = piece[3:] if piece.startswith("<p>") else piece
        pieces.append(piece[:-4] if piece.endswith("</p>") else piece)
    return pieces


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
