"""Search at the design's scale: both engines and raw SQLite FTS5 on the same corpus and
queries, in one run.

    .venv/bin/python -m bench.search [--items 100000] [--queries 200] [--engines tantivy,whoosh]
                                     [--store-items 5000]

Corpus: real text, the Tatoeba sentences of the LASER test set (shared/data/langid/
tatoeba-laser: English, Spanish, French, German, Portuguese, Russian, Chinese, Arabic,
1,000 human-written sentences each). An item is written in one of the eight languages
(a title of one sentence, a body of six) and carries a text in each of the seven others,
as a translated item does (sentences of that language: real words, not the item's
meaning). Documents are prepared as documents.py prepares them (jieba, Arabic
normalisation) and written through the engine's writer: "items/s" is that. Queries, 200
of them, drawn from the corpus: single words, two words, phrases, a word with lang:,
prefixes (four letters and *), with kind: and after:, Chinese and Arabic words, each
in a reader's language; each runs through `rabkor.search.service.search` exactly as the
site calls it (facets on, one page of 20). FTS5: one table of the reader-language and
original columns, unicode61 without diacritics, the same words as MATCH expressions
(its filters and facets are not counted: a floor, not a like-for-like).

`--store-items` also times the indexer end to end (`rebuild_index`: the store read,
documents built, written) on a SQLite store of that many items with their translations.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).parents[2]
TATOEBA = Path("/work/shared/data/langid/tatoeba-laser")
LANGS = {"en": "eng", "es": "spa", "fr": "fra", "de": "deu", "pt": "por", "ru": "rus",
         "zh": "cmn", "ar": "ara"}
SEED = 7


def sentences() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang, iso3 in LANGS.items():
        if lang == "en":
            out[lang] = _lines(TATOEBA / "tatoeba.spa-eng.eng") + _lines(
                TATOEBA / "tatoeba.fra-eng.eng")
        else:
            out[lang] = _lines(TATOEBA / f"tatoeba.{iso3}-eng.{iso3}")
    return out


def _lines(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]


def documents(n: int, corpus: dict[str, list[str]]):
    from rabkor.search.analysis import prepare
    from rabkor.search.documents import SearchDocument

    rng = random.Random(SEED)
    langs = list(LANGS)
    weights = [30, 20, 10, 8, 8, 10, 7, 7]
    kinds = ["article"] * 8 + ["audio", "video", "lecture"]
    topics = ["labour", "housing", "health", "climate", "education", "", "", ""]
    start = datetime(2015, 1, 1, tzinfo=UTC).timestamp()
    span = 11 * 365 * 86400
    for i in range(1, n + 1):
        lang = rng.choices(langs, weights)[0]
        texts = {}
        for site_lang in langs:
            pool = corpus[site_lang]
            title = rng.choice(pool)
            body = " ".join(rng.choice(pool) for _ in range(6))
            texts[site_lang] = (prepare(title, site_lang), prepare(body, site_lang),
                                "original" if site_lang == lang else "machine")
        title, body, _ = texts[lang]
        topic = rng.choice(topics)
        yield SearchDocument(item_id=i, language=lang, kind=rng.choice(kinds),
                             source_id=rng.randrange(1, 2000), source_name=f"Source {i % 2000}",
                             topics=(topic,) if topic else (),
                             published=int(start + rng.random() * span), title=title,
                             body=body, texts=texts)


def queries(n: int, corpus: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(reader language, query, kind of query)."""
    import rjieba

    rng = random.Random(SEED + 1)
    out = []
    words = {lang: [w.strip(".,!?¿¡«»\"'()") for s in pool for w in s.split()]
             for lang, pool in corpus.items() if lang not in ("zh",)}
    words = {lang: [w for w in ws if len(w) > 3 and w.isalpha()] for lang, ws in words.items()}
    zh = [w for s in corpus["zh"] for w in rjieba.cut(s) if len(w) >= 2 and w.isalpha()]
    kinds = ["term", "two", "phrase", "lang", "prefix", "kind", "after", "zh", "ar", "or"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        lang = rng.choice([lg for lg in LANGS if lg not in ("zh", "ar")])
        pick = lambda lg=lang: rng.choice(words[lg])  # noqa: E731
        if kind == "term":
            q = pick()
        elif kind == "two":
            q = f"{pick()} {pick()}"
        elif kind == "phrase":
            sentence = rng.choice(corpus[lang]).split()
            j = rng.randrange(max(len(sentence) - 1, 1))
            q = '"' + " ".join(w.strip(".,!?¿¡«»\"'()") for w in sentence[j:j + 2]) + '"'
        elif kind == "lang":
            q = f"{pick()} lang:{rng.choice(list(LANGS))}"
        elif kind == "prefix":
            q = pick()[:4] + "*"
        elif kind == "kind":
            q = f"{pick()} kind:audio"
        elif kind == "after":
            q = f"{pick()} after:2022"
        elif kind == "zh":
            lang, q = "zh", rng.choice(zh)
        elif kind == "ar":
            lang, q = "ar", rng.choice(words["ar"])
        else:
            q = f"{pick()} OR {pick()}"
        out.append((lang, q, kind))
    return out


def build(engine_name: str, directory: Path, n: int, corpus) -> tuple[float, int]:
    from rabkor.core.settings import DEFAULT_LANGUAGES
    from rabkor.search.engine import open_engine
    from rabkor.search.indexer import BATCH

    engine = open_engine(engine_name, directory, DEFAULT_LANGUAGES, create=True)
    docs = documents(n, corpus)
    seconds = 0.0  # in the engine only: documents are made between its calls
    chunk = BATCH * 10
    with engine.writer() as writer:  # one commit at the end, as a rebuild does
        for start in range(0, n, chunk):
            prepared = [next(docs) for _ in range(min(chunk, n - start))]
            begun = time.perf_counter()
            writer.add(prepared, replace=False)
            seconds += time.perf_counter() - begun
        begun = time.perf_counter()
    seconds += time.perf_counter() - begun  # the writer's close: the commit, merges
    rate = n / seconds
    engine.close()
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return rate, size


def run_queries(settings, qs, cpu: list[float] | None = None) -> list[float]:
    """Each query's wall time in ms; its CPU time too into `cpu`, which a busy machine
    inflates less than the wall (the engines answer on the calling thread)."""
    from rabkor.core.errors import QueryError
    from rabkor.search.service import search

    times = []
    for lang, q, _ in qs:
        start, start_cpu = time.perf_counter(), time.process_time()
        with contextlib.suppress(QueryError):
            search(settings, q, lang=lang)
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return times


def fts5(directory: Path, n: int, corpus, qs) -> tuple[list[float], float]:
    db = sqlite3.connect(directory / "fts.db")
    cols = [f"title_{lg}, body_{lg}" for lg in LANGS]
    db.execute(f"create virtual table docs using fts5(lang unindexed, {', '.join(cols)}, "
               "tokenize='unicode61 remove_diacritics 2')")
    start = time.perf_counter()
    rows = ((d.language, *[t for lg in LANGS for t in d.texts[lg][:2]])
            for d in documents(n, corpus))
    db.executemany(f"insert into docs values ({', '.join('?' * 17)})", rows)
    db.commit()
    rate = n / (time.perf_counter() - start)
    times = []
    for lang, q, _ in qs:
        words = [w for w in q.replace('"', " ").split() if ":" not in w and w != "OR"]
        expr = " ".join('"' + w.rstrip("*").replace('"', "") + '"' + ("*" if w.endswith("*")
                                                                        else "")
                        for w in words)
        expr = f"{{title_{lang} body_{lang}}} : ({expr})" if expr else '""'
        start = time.perf_counter()
        try:
            db.execute("select rowid from docs where docs match ? order by rank limit 20",
                       (expr,)).fetchall()
            db.execute("select count(*) from docs where docs match ?", (expr,)).fetchone()
        except sqlite3.OperationalError:
            pass
        times.append((time.perf_counter() - start) * 1000)
    db.close()
    return times, rate


def store_rate(items: int, corpus) -> float:
    """`rebuild_index` end to end on a SQLite store of `items` items and translations."""
    from rabkor.core.settings import DEFAULT_LANGUAGES, Settings
    from rabkor.core.store.db import open_store
    from rabkor.core.store.models import Item, ItemStatus, Source, Translation
    from rabkor.search.indexer import rebuild_index

    folder = Path(tempfile.mkdtemp(prefix="rabkor-bench-store-"))
    settings = Settings(data_dir=folder, languages=DEFAULT_LANGUAGES, secret_key="x")
    store = open_store(settings)
    rng = random.Random(SEED)
    with store.transaction() as s:
        source = Source(feed_url="https://example.org/feed", title="Example")
        s.add(source)
        s.flush()
        for i in range(items):
            lang = rng.choice(list(LANGS))
            item = Item(source_id=source.id, url=f"https://example.org/{i}",
                        title=rng.choice(corpus[lang]), language=lang,
                        summary=" ".join(rng.choice(corpus[lang]) for _ in range(2)),
                        content=" ".join(rng.choice(corpus[lang]) for _ in range(4)),
                        status=ItemStatus.APPROVED)
            for other in LANGS:
                if other != lang:
                    for field, k in (("title", 1), ("summary", 2), ("content", 4)):
                        item.translations.append(Translation(
                            field=field, language=other, source_language=lang,
                            text=" ".join(rng.choice(corpus[other]) for _ in range(k)),
                            engine="bench"))
            s.add(item)
    start = time.perf_counter()
    rebuild_index(settings, store)
    rate = items / (time.perf_counter() - start)
    shutil.rmtree(folder, ignore_errors=True)
    return rate


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * p), len(ordered) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="tantivy,whoosh")
    parser.add_argument("--store-items", type=int, default=5000)
    parser.add_argument("--no-fts5", action="store_true")
    parser.add_argument("--keep", type=Path, help="build each engine's index once under "
                        "this folder and reuse it on later runs (to study queries)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from rabkor.core.settings import DEFAULT_LANGUAGES, Settings
    from rabkor.search import service
    from rabkor.search.indexer import MANIFEST, _swap, manifest

    corpus = sentences()
    qs = queries(args.queries, corpus)
    print(f"{args.items:,} items, {len(qs)} queries, languages {','.join(LANGS)}", flush=True)
    print("| engine | items/s | index MB | bytes/item/language | p50 ms | p95 ms | p99 ms | "
          "max ms | peak RSS MB |", flush=True)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", flush=True)
    for name in args.engines.split(","):
        if args.keep:
            folder = args.keep / f"{name}-{args.items}"
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(tempfile.mkdtemp(prefix=f"rabkor-bench-{name}-"))
        settings = Settings(data_dir=folder, languages=DEFAULT_LANGUAGES, secret_key="x",
                            search_engine=name)
        version = folder / "index-bench"
        if (version / MANIFEST).exists():
            rate, size = float("nan"), sum(p.stat().st_size for p in version.rglob("*")
                                           if p.is_file())
        else:
            rate, size = build(name, version, args.items, corpus)
            (version / MANIFEST).write_text(__import__("json").dumps(manifest(settings)))
            _swap(settings.index_dir, version)
        run_queries(settings, qs[:20])  # the process opens the index once, as the site does
        service._facets.clear()  # distinct queries: no query's facets come from the cache
        cpu: list[float] = []
        times = run_queries(settings, qs, cpu)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {name} | {rate:,.0f} | {size / 1e6:,.0f} | "
              f"{size / args.items / len(LANGS):,.0f} | {statistics.median(times):.2f} | "
              f"{pct(times, .95):.2f} | {pct(times, .99):.2f} | {max(times):.1f} | "
              f"{rss:,.0f} |", flush=True)
        print(f"    CPU ms of the same queries: p50 {statistics.median(cpu):.2f}, p95 "
              f"{pct(cpu, .95):.2f}, p99 {pct(cpu, .99):.2f}, max {max(cpu):.1f}; load "
              f"average {os.getloadavg()[0]:.1f}", flush=True)
        slow = sorted(zip(times, qs, strict=True), reverse=True)[:3]
        print("    slowest: " + "; ".join(f"{q!r} ({lang}) {t:.1f} ms"
                                          for t, (lang, q, _) in slow), flush=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if not args.no_fts5:
        folder = Path(tempfile.mkdtemp(prefix="rabkor-bench-fts5-"))
        times, rate = fts5(folder, args.items, corpus, qs)
        print(f"| SQLite FTS5 (raw) | {rate:,.0f} | "
              f"{(folder / 'fts.db').stat().st_size / 1e6:,.0f} | | "
              f"{statistics.median(times):.2f} | {pct(times, .95):.2f} | "
              f"{pct(times, .99):.2f} | {max(times):.1f} | |", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    if args.store_items:
        print(f"indexer end to end (rebuild_index from a SQLite store of {args.store_items:,} "
              f"items, 8 languages): {store_rate(args.store_items, corpus):,.0f} items/s",
              flush=True)


if __name__ == "__main__":
    main()
