"""Apertium (rule-based, Debian packages): pairs from `apertium -l`, text through the pair's mode.

Apertium modes use ISO 639-3 codes (eng-spa) and sometimes a variant suffix (spa-eng_US);
Rabkor speaks ISO 639-1. A text must come out as `apertium -u` gives it alone, whatever
else went through with it: some stages carry context from one sentence to the next. The
part-of-speech tagger's choice between near-equal readings depends on everything it read
before, even across a separator and blank lines (Portuguese "Foi estancada a hemorragia."
gave "a hemorragia" instead of "la hemorragia" when "Nós todos conhecemos o Tom." had gone
through first; 3 of 180 Tatoeba blocks pt→es), and Constraint Grammar and anaphora
resolution look back by design. So each text is deformatted alone, the stages that carry
context (STATEFUL: tagger, cg-proc, anaphora, ~15 ms a process) run once per text, and
the large dictionaries and transfer stages run once for many texts with Apertium's own
NUL flush between them (`apertium-wblank-mode -z`: the same pipeline `apertium` runs).
Texts holding placeholders (an HTML block's inline markup, placeholders.py) go through
Apertium's HTML mode, the placeholders as spans Apertium binds to the words inside them.
If the pieces do not come back one per text, the batch fails and the caller halves it
(batching.py). Every run has a hard timeout that grows with the input.
"""

from __future__ import annotations

import functools
import html
import itertools
import logging
import os
import shlex
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
ESCAPED_SEPARATOR = SEPARATOR.replace("@", "\\@")  # as in Apertium's stream, between texts
MODES_DIR = Path(os.environ.get("APERTIUM_DATADIR", "/usr/share/apertium")) / "modes"
TXT = ("apertium-destxt", "apertium-retxt")  # deformatter, reformatter, as `apertium` runs them
HTML = ("apertium-deshtml", "apertium-rehtml-noent")  # without Transfuse
HTML_SEPARATOR = f"<p>{SEPARATOR}</p>"
STATEFUL = {"apertium-tagger", "cg-proc", "apertium-anaphora"}
# chrF / 100 of each pair on Tatoeba (60 four-sentence summaries each, the pipeline and raw
# `apertium -u` alike: `python -m bench.translate.quality`, 2026-12-01); pairs without
# English have no human reference there and get routing's default
RATINGS = {("en", "es"): 0.538, ("es", "en"): 0.533, ("en", "ca"): 0.514, ("ca", "en"): 0.495}
# Debian's pairs that reach most of the default site languages from English, through Spanish
SUGGESTED_PACKAGES = ("apertium-eng-spa", "apertium-fr-es", "apertium-es-pt", "apertium-eng-cat")
BATCH_CHARS = 20_000  # per batch of processes: batches run side by side, one per core
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

    def __init__(self, timeout: float = TIMEOUT, chars_per_second: float = CHARS_PER_SECOND,
                 transfuse: bool | None = None) -> None:
        self.timeout = timeout
        self.chars_per_second = chars_per_second
        # HTML as `apertium -f html` reads it: through Transfuse where installed (Debian's
        # apertium depends on it), else Apertium's older deformatter
        self.transfuse = shutil.which("tf-extract") is not None if transfuse is None else transfuse
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
        for fmt in ("txt", "html-noent"):  # blank texts stay as they are
            indices = [i for i, t in enumerate(texts)
                       if t.strip() and bool(PLACEHOLDER.search(t)) == (fmt != "txt")]
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
        out = [t if not t.strip() else "" for t in texts]
        if not groups:
            return out
        with ThreadPoolExecutor(min(len(groups), os.cpu_count() or 1)) as pool:
            for (indices, _), pieces in zip(groups, pool.map(
                    lambda g: self._batch(mode, [texts[i] for i in g[0]], g[1]), groups),
                    strict=True):
                for i, piece in zip(indices, pieces, strict=True):
                    out[i] = piece
        return out

    def _batch(self, mode: str, texts: list[str], fmt: str) -> list[str]:
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            if fmt == "txt":
                return [out.strip() for out in self._alone(mode, texts, pool, *TXT)]
            html_texts = [f"<p>{to_html(t)}</p>" for t in texts]
            if self.transfuse:
                pieces = self._transfused(mode, html_texts, pool)
            else:
                pieces = self._alone(mode, html_texts, pool, *HTML)
        return [from_html(_unwrapped(piece), text) for piece, text in zip(pieces, texts,
                                                                          strict=True)]

    def _alone(self, mode: str, texts: list[str], pool: ThreadPoolExecutor,
               deformat: str, reformat: str) -> list[str]:
        """Each text deformatted alone (Apertium's own deformatters take no NUL flush), then
        the mode, then all reformatted at once, apart by the separator."""
        segments = list(pool.map(lambda t: self._call(mode, [deformat], t), texts))
        segments = self._through(mode, segments, range(len(segments)), pool)
        out = self._call(mode, [reformat], ESCAPED_SEPARATOR.join(segments))
        return self._pieces(mode, out.split(SEPARATOR), texts)

    def _transfused(self, mode: str, texts: list[str], pool: ThreadPoolExecutor
                    ) -> list[str]:
        """HTML as `apertium -f html` runs it when Transfuse is installed (Debian's apertium
        depends on it): one extraction, a NUL-flushed block per text and per separator."""
        with tempfile.TemporaryDirectory(prefix="rabkor-tf-") as state:
            stream = self._call(mode, [f"tf-extract -f html -d {shlex.quote(state)}"],
                                f"\n{HTML_SEPARATOR}\n".join(texts))
            segments = stream.rstrip("\0").split("\0")  # the state's header, then the blocks
            if len(segments) != 2 * len(texts):
                raise EngineError(f"apertium {mode}: {len(segments) - 1} blocks for "
                                  f"{len(texts)} texts")
            segments = self._through(mode, segments, range(1, len(segments), 2), pool)
            out = self._call(mode, [f"tf-inject -d {shlex.quote(state)}"],
                             "".join(s + "\0" for s in segments))
        return self._pieces(mode, out.split(HTML_SEPARATOR), texts)

    def _through(self, mode: str, segments: list[str], texts: range,
                 pool: ThreadPoolExecutor) -> list[str]:
        """The mode's stages over NUL-separated segments; a stage that carries context
        (STATEFUL) in a process of its own for each segment of a text (`texts`), so no text
        is read in the context of another, and in one process for the other segments (the
        separators, whose words only need to come through)."""
        for commands, stateful in _stages(mode):
            if not stateful:
                segments = self._flushed(mode, commands, segments)
                continue
            rest = sorted(set(range(len(segments))) - set(texts))
            jobs = [[i] for i in texts] + ([rest] if rest else [])
            done = list(pool.map(lambda job, c=commands, s=segments: self._flushed(
                mode, c, [s[i] for i in job]), jobs))
            for job, outs in zip(jobs, done, strict=True):
                for i, segment in zip(job, outs, strict=True):
                    segments[i] = segment
        return segments

    def _flushed(self, mode: str, commands: list[str], segments: list[str]) -> list[str]:
        out = self._call(mode, commands, "".join(s + "\0" for s in segments))
        flushed = out.rstrip("\0").split("\0")  # each stage adds a NUL at the very end
        if len(flushed) != len(segments):
            raise EngineError(f"apertium {mode}: {len(flushed)} pieces came back for "
                              f"{len(segments)}")
        return flushed

    @staticmethod
    def _pieces(mode: str, pieces: list[str], texts: list[str]) -> list[str]:
        if len(pieces) != len(texts):
            raise EngineError(f"apertium {mode}: {len(pieces)} pieces came back for "
                              f"{len(texts)} texts (a text held the separator?)")
        return pieces

    def _call(self, mode: str, commands: list[str], text: str) -> str:
        timeout = self.timeout + len(text) / self.chars_per_second
        try:
            done = subprocess.run(["bash", "-c", "set -o pipefail; " + " | ".join(commands)],
                                  input=text, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise EngineError(f"apertium {mode} timed out after {timeout:.0f} s on "
                              f"{len(text)} characters") from None
        except OSError as exc:
            raise EngineError(f"apertium {mode}: {exc}") from None
        if done.returncode != 0:
            raise EngineError(f"apertium {mode} exited {done.returncode}: {done.stderr[:300]}")
        return done.stdout


def _unwrapped(piece: str) -> str:
    piece = piece.strip()
    piece = piece[3:] if piece.startswith("<p>") else piece
    return piece[:-4] if piece.endswith("</p>") else piece


@functools.cache
def _stages(mode: str) -> tuple[tuple[list[str], bool], ...]:
    """The mode's pipeline (as `apertium` runs it, NUL-flushing, unknown words unmarked) in
    runs of stages that carry context from one text to the next and runs that do not."""
    path = MODES_DIR / f"{mode}.mode"
    try:
        line = subprocess.run(["apertium-wblank-mode", "-z", str(path)], capture_output=True,
                              text=True, timeout=LIST_TIMEOUT, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineUnavailable(f"apertium {mode}: cannot read its mode ({exc})") from None
    line = line.strip().replace("$1", "-n").replace("$2", "")
    stages: list[tuple[list[str], bool]] = []
    for command in (c.strip() for c in line.split(" | ")):
        stateful = command.split()[0] in STATEFUL
        if stages and stages[-1][1] == stateful:
            stages[-1][0].append(command)
        else:
            stages.append(([command], stateful))
    return tuple(stages)


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
