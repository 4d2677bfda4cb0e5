"""Translation throughput: Rabkor's batched pipeline against the alternatives, in one run.

    .venv/bin/python -m bench.translate [--sentences 2500] [--vocab 32000] [--repeat 3]

Model and workload: see bench/translate/workload.py (Argos's real size, int8, random
weights; a few thousand real sentences, the same for every path). Paths, each timed
`--repeat` times, interleaved, medians reported:

- naive: one `argostranslate.translate.apply_packaged_translation` per title/summary
  paragraph, with Argos's own defaults (its settings' beam size and batch size, its
  translator options) — what an Argos user's `translate()` loop gets;
- per-item, pipeline settings: the same loop through Rabkor's translator and decoding
  settings (shows how much of the gain is batching, how much the beam);
- raw CTranslate2: one `translate_batch` over the same sentences, with the pipeline's
  translator and decoding settings — over every sentence, and over the distinct ones
  (what the pipeline actually decodes: like with like);
- Rabkor pipeline: `translate_pending` on the items in a fresh SQLite store, then the
  translation-memory hit path (the same items again, as a re-crawl);
- Apertium en→es, when installed.

Every path decodes with CTranslate2's max_decoding_length 256 (Argos passes none, so
it gets CTranslate2's default, 256; the pipeline and raw paths pass 256). Tokens/s
counts produced target tokens. Peak memory (VmHWM) is measured in fresh processes:
imports only, then one, then three models (en→es, en→de, en→fr) loaded and used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.translate.workload import TARGETS, Item, items, models, sentences
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item as StoredItem
from rabkor.translate import packages
from rabkor.translate.argos import ArgosEngine
from rabkor.translate.argoslib import argos_module
from rabkor.translate.batching import BatchOptions, argos_translate_sentences
from rabkor.translate.jobs import translate_pending


class Counting:
    """A CTranslate2 translator that counts what it decodes (negligible overhead)."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.sentences = 0
        self.tokens = 0
        self.seconds = 0.0  # spent inside translate_batch

    def translate_batch(self, source, *args, **kwargs):
        start = time.perf_counter()
        results = self.translator.translate_batch(source, *args, **kwargs)
        self.seconds += time.perf_counter() - start
        self.sentences += len(source)
        self.tokens += sum(len(r.hypotheses[0]) for r in results)
        return results

    def reset(self) -> None:
        self.sentences = self.tokens = 0
        self.seconds = 0.0


@dataclass
class Path_:
    name: str
    covered: int  # workload sentences this path translates
    seconds: list[float] = field(default_factory=list)
    outside: list[float] = field(default_factory=list)  # seconds outside translate_batch
    cpu: list[float] = field(default_factory=list)  # CPU seconds of this process
    decoded: int = 0  # sentences the model decoded
    tokens: int = 0  # target tokens produced


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-every", type=int, default=4,
                        help="the two per-item loops take every Nth item (they are slow)")
    parser.add_argument("--beam", type=int, default=None,
                        help="pipeline beam size (default: Rabkor's translate_beam_size)")
    parser.add_argument("--probe-memory", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_memory:
        probe_memory(args)
        return
    with tempfile.TemporaryDirectory(dir=_out()) as tmp:
        run(Path(tmp), args)


def _out() -> Path:
    from bench.translate.workload import OUT

    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


def _settings(data_dir: Path, beam: int | None, db: str | None = None) -> Settings:
    extra = {} if beam is None else {"translate_beam_size": beam}
    return Settings(data_dir=data_dir, languages=("es",), engines=("argos",),
                    secret_key="bench", database_url=db, **extra)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(tmp: Path, args: argparse.Namespace) -> None:
    # Random weights answer with up to ~230 tokens of nonsense, which the pipeline rejects
    # as a runaway translation; the throughput paths must all decode the same sentences.
    from rabkor.translate import batching

    batching.MAX_GROWTH = 10**9
    data_dir = tmp / "data"
    settings = _settings(data_dir, args.beam)
    for path in models(args.vocab).values():
        packages.install_file(settings, path)
    sample = items(args.sentences)
    texts = [t for item in sample for t in item.texts()]
    every = [s for t in texts for s in sentences(t)]
    loop_texts = [t for item in sample[::args.loop_every] for t in item.texts()]
    loop_count = sum(len(sentences(t)) for t in loop_texts)
    distinct = list(dict.fromkeys(every))
    engine = ArgosEngine(settings)
    loaded = engine._load("en", "es")
    tokenizer = loaded.package.tokenizer
    source_tokens = sum(len(tokenizer.encode(s)) for s in every)
    options = BatchOptions(beam_size=settings.translate_beam_size,
                           max_batch_tokens=settings.translate_batch_tokens)
    argos_settings = argos_module(settings, "settings")
    print(f"{len(sample)} items, {len(texts)} texts, {len(every)} sentences "
          f"({len(distinct)} distinct), {source_tokens} source tokens; "
          f"vocab {_vocab(loaded.package)}; {os.cpu_count()} cores", flush=True)
    print(f"pipeline: beam {options.beam_size}, batches of {options.max_batch_tokens} tokens, "
          f"max_decoding_length {options.max_decoding_length}, translator "
          f"{_translator_options(loaded.translator)}", flush=True)
    print(f"naive (Argos defaults): beam {argos_settings.beam_size}, batches of "
          f"{argos_settings.batch_size} tokens, translator inter_threads "
          f"{argos_settings.inter_threads} intra_threads {argos_settings.intra_threads} "
          f"compute_type {argos_settings.compute_type}", flush=True)

    import ctranslate2

    from rabkor.translate.argos_sbd import OfflineSentencizer

    model_dir = str(Path(loaded.package.package_path) / "model")
    argos_translator = Counting(ctranslate2.Translator(
        model_dir, device="cpu", inter_threads=argos_settings.inter_threads,
        intra_threads=argos_settings.intra_threads, compute_type=argos_settings.compute_type))
    sentencizer = OfflineSentencizer(loaded.package)
    apply = argos_module(settings, "translate").apply_packaged_translation
    counting = Counting(loaded.translator)
    loaded.translator = counting  # the pipeline's engine now counts what it decodes

    def naive() -> None:
        for text in loop_texts:
            for paragraph in text.split("\n"):
                if paragraph.strip():
                    apply(loaded.package, paragraph, argos_translator, sentencizer,
                          num_hypotheses=1)

    def per_item() -> None:
        for text in loop_texts:
            argos_translate_sentences(loaded.package, counting, sentences(text), options)

    def raw(batch: list[str]) -> Callable[[], None]:
        encoded = [tokenizer.encode(s) for s in batch]
        prefix = loaded.package.target_prefix

        def go() -> None:
            counting.translate_batch(
                encoded, target_prefix=[[prefix]] * len(encoded) if prefix else None,
                max_batch_size=options.max_batch_tokens, batch_type="tokens",
                beam_size=options.beam_size, max_decoding_length=options.max_decoding_length,
                replace_unknowns=True, length_penalty=0.2)
        return go

    from rabkor.translate.apertium import ApertiumEngine

    apertium = ApertiumEngine()
    has_apertium = ("en", "es") in apertium.pairs()
    print(f"per-item loops: every {args.loop_every}th item, {loop_count} sentences", flush=True)
    paths = {key: Path_(name, covered=loop_count if key in ("naive", "per_item") else len(every))
             for key, name in (
        ("naive", "naive Argos loop (Argos defaults)"),
        ("per_item", "per-item loop, pipeline settings"),
        ("raw_all", "raw CTranslate2, all sentences"),
        ("raw_distinct", "raw CTranslate2, distinct sentences"),
        ("pipeline", "Rabkor pipeline (store, batched)"),
        ("memory", "Rabkor memory hits (re-crawl)"),
        ("apertium", "Apertium en→es"),
    )}
    if not has_apertium:
        del paths["apertium"]
    steps: list[tuple[str, Counting | None, Callable[[], Any]]] = [
        ("naive", argos_translator, naive),
        ("per_item", counting, per_item),
        ("raw_all", counting, raw(every)),
        ("raw_distinct", counting, raw(distinct)),
    ]
    for rep in range(args.repeat):
        print(f"— run {rep + 1}/{args.repeat}, {load()}", flush=True)
        for key, counter, step in steps:
            _timed(paths[key], counter, step)
        store = Store(_settings(data_dir, args.beam, f"sqlite:///{tmp / f'run{rep}.db'}"))
        store.migrate()
        _add(store, sample, "a")
        report = _timed(paths["pipeline"], counting,
                        lambda store=store: translate_pending(settings, store, engines=[engine]))
        assert not report.errors and report.texts == len(texts), report
        _add(store, sample, "b")
        report = _timed(paths["memory"], counting,
                        lambda store=store: translate_pending(settings, store, engines=[engine]))
        assert report.texts == len(texts) and counting.sentences == 0, report
        store.close()
        if has_apertium:
            _timed(paths["apertium"], None, lambda: apertium.translate(texts, "en", "es"))
    print(f"— done, {load()}", flush=True)
    _table(paths, len(every), source_tokens)
    print(f"\nCPU seconds (less sensitive to other processes on a shared machine):\n"
          f"{'path':<38} {'CPU s':>8} {'CPU s/sentence':>15} {'× naive':>8} {'÷ raw':>6}")
    naive_cpu = statistics.median(paths["naive"].cpu) / paths["naive"].covered
    for key, path in paths.items():
        per = statistics.median(path.cpu) / path.covered
        raw_key = "raw_distinct" if key in ("pipeline", "memory") else "raw_all"
        raw = statistics.median(paths[raw_key].cpu) / paths[raw_key].covered
        print(f"{path.name:<38} {statistics.median(path.cpu):8.2f} {per * 1000:12.1f} ms "
              f"{naive_cpu / per:8.2f} {per / raw:6.2f}")
    for key in ("pipeline", "memory"):
        print(f"{paths[key].name}: median {statistics.median(paths[key].outside):.2f} s "
              "outside translate_batch (splitting, memory, store)", flush=True)
    print(f"source tokens per sentence: {source_tokens / len(every):.1f}", flush=True)
    _memory(data_dir, args)


def _vocab(package: Any) -> int:
    import sentencepiece

    model = str(Path(package.package_path) / "sentencepiece.model")
    return sentencepiece.SentencePieceProcessor(model_file=model).get_piece_size()


def _translator_options(translator: Any) -> str:
    from rabkor.translate.batching import ctranslate2_options

    return (f"{translator.device} {translator.compute_type}, "
            + ", ".join(f"{k} {v}" for k, v in ctranslate2_options().items()
                        if k not in ("device", "compute_type")))


def _timed(path: Path_, counter: Counting | None, step: Callable[[], Any]) -> Any:
    if counter is not None:
        counter.reset()
    start, cpu = time.perf_counter(), time.process_time()
    result = step()
    seconds = time.perf_counter() - start
    path.seconds.append(seconds)
    path.cpu.append(time.process_time() - cpu)
    if counter is not None:
        path.decoded, path.tokens = counter.sentences, counter.tokens
        path.outside.append(seconds - counter.seconds)
    extra = f"  ({path.outside[-1]:.2f} s outside CTranslate2)" if path.outside else ""
    print(f"  {path.name:<38} {seconds:8.2f} s, CPU {path.cpu[-1]:7.2f} s{extra}", flush=True)
    return result


def _table(paths: dict[str, Path_], n_sentences: int, source_tokens: int) -> None:
    median = {k: statistics.median(p.seconds) for k, p in paths.items()}
    print(f"\nmedians of {len(paths['naive'].seconds)} runs; workload {n_sentences} sentences, "
          f"{source_tokens} source tokens")
    naive = paths["naive"].covered / median["naive"]
    print(f"{'path':<38} {'seconds':>8} {'sentences':>9} {'decoded':>8} {'sent/s':>9} "
          f"{'out tok/s':>10} {'× naive':>8} {'time ÷ raw':>10}")
    for key, path in paths.items():
        seconds = median[key]
        raw_key = "raw_distinct" if key in ("pipeline", "memory") else "raw_all"
        raw = median[raw_key] / paths[raw_key].covered * path.covered
        tokens = f"{path.tokens / seconds:10.0f}" if path.tokens else f"{'–':>10}"
        rate = path.covered / seconds
        print(f"{path.name:<38} {seconds:8.2f} {path.covered:>9} {path.decoded or '–':>8} "
              f"{rate:9.1f} {tokens} {rate / naive:8.2f} {seconds / raw:10.2f}")
    print("sent/s: sentences (every occurrence) per second. decoded: sentences the "
          "model decoded.\ntime ÷ raw: against raw CTranslate2 over the same decoded "
          "sentences (distinct for the pipeline rows, all for the others).", flush=True)


def _memory(data_dir: Path, args: argparse.Namespace) -> None:
    print("\npeak memory (VmHWM, fresh process each):", flush=True)
    for count in (1, 3):
        done = subprocess.run(
            [sys.executable, "-m", "bench.translate", "--probe-memory", str(count),
             "--data-dir", str(data_dir), "--sentences", str(args.sentences)]
            + ([] if args.beam is None else ["--beam", str(args.beam)]),
            capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {count} model(s): after imports {figures['imports']:.0f} MB, "
              f"after loading and translating {figures['peak']:.0f} MB", flush=True)


def probe_memory(args: argparse.Namespace) -> None:
    """In a fresh process: VmHWM after imports, then with `--probe-memory` models used."""
    settings = _settings(args.data_dir, args.beam)
    engine = ArgosEngine(settings)
    argos_module(settings, "translate")
    import ctranslate2  # noqa: F401

    imports = _vmhwm()
    batch = list(dict.fromkeys(
        s for item in items(args.sentences) for t in item.texts() for s in sentences(t)))[:300]
    options = BatchOptions(beam_size=settings.translate_beam_size,
                           max_batch_tokens=settings.translate_batch_tokens)
    for tgt in TARGETS[:args.probe_memory]:
        engine.translate_sentences(batch, "en", tgt, options)
    print(json.dumps({"imports": imports, "peak": _vmhwm()}))


def _vmhwm() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _add(store: Store, sample: list[Item], tag: str) -> None:
    with store.transaction() as session:
        for n, item in enumerate(sample):
            session.add(StoredItem(url=f"https://bench.example/{tag}/{n}", title=item.title,
                                   summary=item.summary, language="en"))


if __name__ == "__main__":
    main()
