"""The benchmark's inputs: a realistic model (cached) and a few thousand real sentences.

Model: Argos's real size — 6+6 layers, d_model 512, 8 heads, ffn 2048, int8 — with a
SentencePiece vocabulary (32k by default) trained on every Tatoeba sentence of the
LASER test set (112 languages and their English sides), random weights. Built once
per setting into bench/out/ (gitignored) and reused; the same inputs give the same
bytes (tests/argos_model.py).

Workload: items as the crawler stores them (a title and a summary): the English
feeds' entries in tests/data/feeds, then Tatoeba English sentences (tests/data/
sentences/en.txt, then the English sides of the LASER test set) grouped as a one-
sentence title and a four-sentence summary. Texts are given in the form the pipeline
translates them (titles with collapsed spaces, summaries as plain text) and no
sentence is longer than the pipeline's sentence bound, so every path sees exactly the
same sentences.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import feedparser

from rabkor.core.text.html import paragraphs
from rabkor.core.text.sentences import MAX_SENTENCE_CHARS, bounded_sentences, split_sentences
from rabkor.translate.memory import normalize
from rabkor.translate.plaintext import PlainDocument
from tests.argos_model import build_argosmodel, train_sentencepiece

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
OUT = ROOT / "bench" / "out"
TATOEBA = Path("/work/shared/data/langid/tatoeba-laser")
FEEDS = ("en/*", "media/bbc-in-our-time.xml", "media/youtube.xml")  # the English feeds
TARGETS = ("es", "de", "fr")  # three distinct pairs for the memory figure; en→es is timed


@dataclass(frozen=True)
class Item:
    title: str
    summary: str

    def texts(self) -> list[str]:
        return [t for t in (self.title, self.summary) if t]


def items(limit: int) -> list[Item]:
    """Items holding about `limit` sentences (titles and summaries counted)."""
    out: list[Item] = []
    n = 0
    for item in _feed_items() + _tatoeba_items():
        if n >= limit:
            break
        if all(_plain_split_is_bounded(t) for t in item.texts()):
            out.append(item)
            n += sum(len(s) for s in map(sentences, item.texts()))
    return out


def sentences(text: str) -> list[str]:
    """The normalized sentences the pipeline sends for one title or summary."""
    return [normalize(s) for run in PlainDocument(text).texts() for s in bounded_sentences(run)]


def _plain_split_is_bounded(text: str) -> bool:
    """Argos's sentencizer (split_sentences) and the pipeline agree on this text."""
    return all(len(s) <= MAX_SENTENCE_CHARS for line in text.split("\n")
               for s in split_sentences(line))


def _feed_items() -> list[Item]:
    out = []
    for pattern in FEEDS:
        for feed in sorted((DATA / "feeds").glob(pattern)):
            for entry in feedparser.parse(feed.read_bytes()).entries:
                title = " ".join(entry.get("title", "").split())
                summary = paragraphs(entry.get("summary", ""))
                if title or summary.strip():
                    out.append(Item(title, summary))
    return out


def _tatoeba_items() -> list[Item]:
    lines = (DATA / "sentences" / "en.txt").read_text(encoding="utf-8").splitlines()
    for path in sorted(TATOEBA.glob("tatoeba.*-eng.eng")):
        lines += path.read_text(encoding="utf-8").splitlines()
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    return [Item(lines[i], " ".join(lines[i + 1:i + 5])) for i in range(0, len(lines) - 4, 5)]


def corpus() -> list[str]:
    """Every Tatoeba sentence of the LASER test set, both sides, in a fixed order."""
    lines: list[str] = []
    for path in sorted(TATOEBA.glob("tatoeba.*")):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise SystemExit(f"no Tatoeba sentences in {TATOEBA}")
    return lines


def models(vocab: int) -> dict[str, Path]:
    """target → cached en→target .argosmodel of Argos's real size (built when missing)."""
    lines = corpus()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
    work = OUT / f"models-v{vocab}-{digest}"
    work.mkdir(parents=True, exist_ok=True)
    sp_path = work / "sentencepiece.model"
    if not sp_path.exists():
        print(f"training SentencePiece (vocab {vocab}) on {len(lines)} Tatoeba sentences…",
              flush=True)
        sp_path.write_bytes(train_sentencepiece(lines, vocab))
    tokenizer = sp_path.read_bytes()
    paths = {}
    for seed, tgt in enumerate(TARGETS):
        path = work / f"en_{tgt}.argosmodel"
        if not path.exists():
            print(f"building en→{tgt} (6+6 layers, d512, 8 heads, ffn 2048, int8)…", flush=True)
            partial = path.with_suffix(".partial")
            build_argosmodel(partial, "en", tgt, layers=6, d_model=512, heads=8, ffn=2048,
                             vocab_size=vocab, seed=seed, quantization="int8",
                             tokenizer=tokenizer)
            partial.rename(path)
        paths[tgt] = path
    return paths
