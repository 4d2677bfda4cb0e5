"""Translation quality: Rabkor's pipeline against the raw engine, chrF and BLEU (sacrebleu).

    .venv/bin/python -m bench.translate.quality [--units 60] [--directions en-es,es-en,…]

Parallel data: the Tatoeba sentences of the LASER test set (shared/data/langid/tatoeba-
laser: each language aligned with English, human translations), from line 300 on (the
lines before are test fixtures). Every direction with English on one side is measured
against the human side; a direction between two other languages (es→fr) has no human
reference there and is measured as part of the chains from and to English.

Paths, the same units for pipeline and raw engine:

- summary: a plain-text summary of four sentences (an item's summary) — the pipeline:
  `translate_documents` over `PlainDocument`s through the route, batched; the raw
  engine: `apertium -u MODE` on each unit alone, leg after leg for a chain;
- content: an HTML body of two paragraphs of three sentences, with inline markup
  (a link, emphasis, strong) placed on words of the sentences and an image whose `alt`
  is a further sentence — the pipeline: `HtmlDocument`s; the raw engine one segment at a
  time, as the pipeline reads the body: `apertium -u -f html MODE` on each paragraph
  alone and `apertium -u MODE` on each `alt` alone (also printed: `apertium -u -f html`
  on each body whole, where Apertium's tagger reads a paragraph in the context of the
  one before — the pipeline does not, so that a text translates the same wherever it
  stands, which its translation memory relies on). Scored on the visible text; `alt` is
  scored on its own, and "tags kept" counts units whose tags and attributes came back as
  sent.

A unit the pipeline fails on scores as an empty hypothesis (and is counted). Last, the
bad-item run: 200 Spanish bodies, one holding "<em>SARS-CoV-2 se</em>", timed through
the pipeline, with how many failed. Directions
are reached as the pipeline routes them (routing.py), the raw engine follows the same
legs. `--translate-from DIR` measures another checkout's translate/ folder with this
harness (for before/after figures).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
TATOEBA = Path("/work/shared/data/langid/tatoeba-laser")
ISO3 = {"en": "eng", "es": "spa", "fr": "fra", "pt": "por", "ca": "cat", "de": "deu"}
DIRECTIONS = ("en-es", "es-en", "en-ca", "ca-en", "en-fr", "fr-en", "en-pt", "pt-en")
SKIP = 300  # the first lines are copied into tests/data
LINKS = ("https://example.org/news/1", "https://example.org/news/2")


@dataclass
class Unit:
    source: str  # plain text or HTML
    reference: str  # the human translation of the visible text
    alts: list[str]  # source alt texts
    alt_references: list[str]


def parallel(src: str, tgt: str) -> list[tuple[str, str]]:
    """(source, human translation) sentence pairs for a direction with English on a side."""
    other = tgt if src == "en" else src
    base = TATOEBA / f"tatoeba.{ISO3[other]}-eng"
    english = Path(f"{base}.eng").read_text(encoding="utf-8").splitlines()
    foreign = Path(f"{base}.{ISO3[other]}").read_text(encoding="utf-8").splitlines()
    pairs = list(zip(english, foreign, strict=True))[SKIP:]
    pairs = [(e.strip(), f.strip()) for e, f in pairs if e.strip() and f.strip()]
    return pairs if src == "en" else [(f, e) for e, f in pairs]


def summaries(pairs: list[tuple[str, str]], n: int) -> list[Unit]:
    return [Unit(" ".join(s for s, _ in pairs[i:i + 4]), " ".join(r for _, r in pairs[i:i + 4]),
                 [], []) for i in range(0, 4 * n, 4)]


def _marked(sentence: str, k: int) -> str:
    """A sentence with inline markup on some of its words (varied by `k`)."""
    words = sentence.split(" ")
    if len(words) < 3:
        return f"<em>{sentence}</em>" if k % 2 else sentence
    mid = len(words) // 2
    if k % 3 == 0:
        words[mid - 1] = f'<a href="{LINKS[k % 2]}">{words[mid - 1]}'
        words[mid] = f"{words[mid]}</a>"
    elif k % 3 == 1:
        words[mid] = f"<em>{words[mid]}</em>"
    else:
        words[0] = f"<strong>{words[0]}"
        words[1] = f"{words[1]}</strong>"
    return " ".join(words)


def contents(pairs: list[tuple[str, str]], n: int) -> list[Unit]:
    units = []
    for u in range(n):
        chunk = pairs[7 * u:7 * u + 7]
        if len(chunk) < 7:
            break
        body = [chunk[0:3], chunk[3:6]]
        html = "".join("<p>" + " ".join(_marked(s, 3 * u + i + 6 * p) for i, (s, _) in
                                        enumerate(para)) + "</p>" for p, para in enumerate(body))
        alt_src, alt_ref = chunk[6]
        html += f'<figure><img src="/photo{u}.jpg" alt="{_attr(alt_src)}"></figure>'
        reference = " ".join(r for para in body for _, r in para)
        units.append(Unit(html, reference, [alt_src], [alt_ref]))
    return units


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def visible(html: str) -> str:
    import lxml.html

    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for block in root.iter("p", "li", "figure", "figcaption", "div", "br", "h1", "h2", "h3"):
        block.tail = " " + (block.tail or "")  # paragraphs are apart in what a reader sees
    return " ".join(root.text_content().split())


def alts(html: str) -> list[str]:
    import lxml.html

    if not html or not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [img.get("alt", "") for img in root.iter("img")]


def shape(html: str) -> list[tuple]:
    import lxml.html

    root = lxml.html.fragment_fromstring(html or "<div></div>", create_parent="div")
    return [(el.tag, tuple(sorted((k, v) for k, v in el.attrib.items() if k != "alt")))
            for el in root.iter() if isinstance(el.tag, str)]


def raw(modes: list[str], text: str, html: bool) -> str:
    """The raw engine on one unit: `apertium -u [-f html] MODE`, leg after leg."""
    for mode in modes:
        text = subprocess.run(["apertium", "-u", *(["-f", "html"] if html else []), mode],
                              input=text, capture_output=True, text=True, timeout=300,
                              check=True).stdout.strip()
    return text


def raw_segments(modes: list[str], body: str) -> str:
    """The raw engine one segment at a time, as the pipeline reads a body: each paragraph
    alone (`apertium -u -f html`), each `alt` alone (`apertium -u`), put back in place."""
    import lxml.html

    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for para in list(root.iter("p")):
        tail, para.tail = para.tail, None
        done = lxml.html.fragment_fromstring(
            raw(modes, lxml.html.tostring(para, encoding="unicode"), True))
        done.tail = tail
        para.getparent().replace(para, done)
    for img in root.iter("img"):
        img.set("alt", raw(modes, img.get("alt", ""), False))
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def pipeline(route, units: list[Unit], html: bool) -> tuple[list[str | None], list[str]]:
    from rabkor.translate.batching import BatchOptions, translate_documents

    if html:
        from rabkor.translate.markup import HtmlDocument as Doc
    else:
        from rabkor.translate.plaintext import PlainDocument as Doc
    docs = [Doc(u.source) for u in units]
    whole = getattr(route, "whole_texts", None)
    args = () if whole is None else (whole,)  # an older translate/ has no such choice
    outcome = translate_documents(
        docs, lambda sentences: route.translate_sentences(sentences, BatchOptions()), {}, *args)
    return outcome.texts, [str(e) for e in outcome.errors if e is not None]


def score(hypotheses: list[str], references: list[str]) -> tuple[float, float]:
    import sacrebleu

    return (sacrebleu.corpus_chrf(hypotheses, [references]).score,
            sacrebleu.corpus_bleu(hypotheses, [references]).score)


def measure(direction: str, n: int, engine, route_fn) -> list[dict]:
    src, tgt = direction.split("-")
    route = route_fn([engine], src, tgt)
    if route is None:
        print(f"{direction}: no route with the installed pairs", flush=True)
        return []
    modes = [engine._modes[(leg.src, leg.tgt)] for leg in route.legs]
    pairs = parallel(src, tgt)
    via = "+".join(getattr(route, "pivots", ()) or ([route.pivot] if route.pivot else []))
    rows = []
    for path, units in (("summary", summaries(pairs, n)), ("content", contents(pairs, n))):
        html = path == "content"
        start = time.perf_counter()
        outs, errors = pipeline(route, units, html)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            if html:  # the baseline: one segment at a time; and each body whole
                raws = list(pool.map(lambda u: raw_segments(modes, u.source), units))
                wholes = list(pool.map(lambda u: raw(modes, u.source, True), units))
            else:
                raws = list(pool.map(lambda u: raw(modes, u.source, False), units))
        raw_seconds = time.perf_counter() - start
        text = visible if html else (lambda s: " ".join((s or "").split()))
        refs = [u.reference for u in units]
        row = {"direction": direction, "path": path, "via": via or "direct",
               "units": len(units), "failed": sum(o is None for o in outs),
               "pipe": score([text(o or "") for o in outs], refs),
               "raw": score([text(r) for r in raws], refs),
               "same": sum(text(o or "") == text(r) for o, r in zip(outs, raws, strict=True)),
               "seconds": seconds, "raw_seconds": raw_seconds, "error": errors[:1]}
        if html:
            row["kept"] = sum(o is not None and shape(o) == shape(u.source)
                              for o, u in zip(outs, units, strict=True))
            row["raw_kept"] = sum(shape(r) == shape(u.source) for r, u in zip(raws, units,
                                                                              strict=True))
            alt_refs = [a for u in units for a in u.alt_references]
            pipe_alts = [[*alts(o or ""), ""][0] for o in outs]
            raw_alts = [[*alts(r), ""][0] for r in raws]
            row["alt"] = score(pipe_alts, alt_refs)[0]
            row["raw_alt"] = score(raw_alts, alt_refs)[0]
            row["whole"] = score([text(w) for w in wholes], refs)
        rows.append(row)
        _print_row(row)
    return rows


def _print_row(row: dict) -> None:
    (pc, pb), (rc, rb) = row["pipe"], row["raw"]
    extra = ""
    if "kept" in row:
        extra = (f"  tags kept {row['kept']}/{row['units']} (raw {row['raw_kept']}), "
                 f"alt chrF {row['alt']:.1f} (raw {row['raw_alt']:.1f})")
    if "whole" in row:
        (wc, wb) = row["whole"]
        extra += f"; raw on each body whole chrF {wc:.2f} BLEU {wb:.2f}"
    failed = f", {row['failed']} failed: {row['error'][0][:100]}" if row["failed"] else ""
    print(f"{row['direction']:<6} {row['path']:<8} {row['via']:<7} {row['units']:>4} units  "
          f"chrF {pc:5.1f} raw {rc:5.1f} ({pc - rc:+.2f})  BLEU {pb:5.1f} raw {rb:5.1f} "
          f"({pb - rb:+.2f})  same text {row['same']}/{row['units']}  "
          f"{row['seconds']:.1f} s vs {row['raw_seconds']:.1f} s"
          f"{extra}{failed}", flush=True)


def bad_item(engine, route_fn, n: int) -> None:
    """`n` Spanish HTML bodies through the pipeline, the first holding the issue's
    "<em>SARS-CoV-2 se</em>", whose lone "se" Apertium turned into nothing."""
    route = route_fn([engine], "es", "en")
    units = contents(parallel("es", "en"), n)
    units[0].source = ("<p>El <em>SARS-CoV-2 se</em> propaga por el aire y <strong>también "
                       "tengo tos</strong>.</p>") + units[0].source
    start = time.perf_counter()
    outs, errors = pipeline(route, units, True)
    print(f"bad item: {len(units)} es→en HTML bodies, one with <em>SARS-CoV-2 se</em>: "
          f"{time.perf_counter() - start:.1f} s, {sum(o is None for o in outs)} failed"
          + (f" ({errors[0][:80]})" if errors else ""), flush=True)


def _use_translate_from(folder: Path) -> None:
    """Measure another checkout's translate/ package (imported before anything of it)."""
    import rabkor.translate

    rabkor.translate.__path__[:] = [str(folder)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=60, help="units per direction and path")
    parser.add_argument("--directions", default=",".join(DIRECTIONS))
    parser.add_argument("--translate-from", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bad-item", type=int, default=200,
                        help="bodies in the bad-item run (0: none)")
    args = parser.parse_args(argv)
    if args.translate_from:
        _use_translate_from(args.translate_from)
    from rabkor.translate.apertium import ApertiumEngine
    from rabkor.translate.routing import route

    engine = ApertiumEngine()
    print(f"Apertium pairs: {' '.join(f'{a}→{b}' for a, b in sorted(engine.pairs()))}")
    print(f"{os.cpu_count()} cores, load average "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    directions = [d for d in args.directions.split(",") if d]
    rows = [row for d in directions for row in measure(d, args.units, engine, route)]
    if args.bad_item:
        bad_item(engine, route, args.bad_item)
    worse = [r for r in rows if r["pipe"][0] < r["raw"][0] or r["pipe"][1] < r["raw"][1]]
    print("done, load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("pipeline ≥ raw engine on every direction and path" if not worse else
          "pipeline BELOW the raw engine on: "
          + ", ".join(f"{r['direction']} {r['path']}" for r in worse))
    if worse:
        sys.exit(1)


if __name__ == "__main__":
    main()
