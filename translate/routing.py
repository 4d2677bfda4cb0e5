"""Which engine(s) translate a language pair: directly, or over a chain of installed pairs.

The installed pairs of all engines make a graph; each pair is served by the first engine
in the configured order that has it. A pair no engine has directly is reached over the
shortest chain of pairs (en→es→fr with Apertium's eng-spa and fr-es), the best rated
among the shortest (an engine may rate its pairs: Apertium's ratings are the chrF its
pairs scored on Tatoeba, bench/translate/quality.py), through English on ties, then
the engines first in the configured order. A Route records what produced a translation
— engine names, model versions and the pivots — so it can be stored with it and shown
to readers ("via Spanish").
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from rabkor.translate.batching import BatchOptions
from rabkor.translate.engine import Engine, EngineError

PIVOT = "en"


@dataclass(frozen=True)
class Leg:
    """One engine translating one pair: a route has one leg, or two through the pivot."""

    engine: Engine
    src: str
    tgt: str

    def translate(self, texts: list[str]) -> list[str]:
        return self._checked(texts, self.engine.translate(texts, self.src, self.tgt))

    def translate_sentences(self, sentences: list[str], options: BatchOptions) -> list[str]:
        """The engine's batched sentence path when it has one (Argos), else translate()."""
        batched = getattr(self.engine, "translate_sentences", None)
        if batched is None:
            return self.translate(sentences)
        return self._checked(sentences, batched(sentences, self.src, self.tgt, options))

    def _checked(self, texts: list[str], out: list[str]) -> list[str]:
        if len(out) != len(texts):
            raise EngineError(f"{self.engine.name} {self.src}→{self.tgt}: {len(out)} "
                              f"translations for {len(texts)} texts")
        return out


@dataclass(frozen=True)
class Route:
    legs: tuple[Leg, ...]

    @property
    def src(self) -> str:
        return self.legs[0].src

    @property
    def tgt(self) -> str:
        return self.legs[-1].tgt

    @property
    def pivots(self) -> tuple[str, ...]:
        """The languages translated through, in order (none for a direct translation)."""
        return tuple(leg.tgt for leg in self.legs[:-1])

    @property
    def pivot(self) -> str | None:
        """The pivots as stored with a translation: "es", "en,es"; None when direct."""
        return ",".join(self.pivots) or None

    @property
    def engine(self) -> str:
        """"argos", or "argos+apertium" when the two legs use different engines."""
        names = [leg.engine.name for leg in self.legs]
        return "+".join(dict.fromkeys(names))

    @property
    def whole_texts(self) -> bool:
        """Whether every leg's engine reads whole paragraphs better than sentence by sentence
        (Apertium: its rules and tagger see the sentence's neighbours, as its users' do)."""
        return all(getattr(leg.engine, "whole_texts", False) for leg in self.legs)

    @cached_property
    def model_version(self) -> str:
        """Each leg's model version, joined by " + " (asked once: Apertium asks dpkg)."""
        return " + ".join(leg.engine.model_version(leg.src, leg.tgt) for leg in self.legs)

    def translate(self, texts: list[str]) -> list[str]:
        """One translation per text, in order; raises EngineError when a leg fails."""
        for leg in self.legs:
            texts = leg.translate(texts)
        return texts

    def translate_sentences(self, sentences: list[str], options: BatchOptions) -> list[str]:
        """Already split sentences through each leg's batched path (see batching.py)."""
        for leg in self.legs:
            sentences = leg.translate_sentences(sentences, options)
        return sentences


MAX_LEGS = 4  # a longer chain loses too much to be worth showing
DEFAULT_RATING = 0.5  # an engine that does not rate its pairs (chrF / 100 where measured)


@dataclass(frozen=True)
class Graph:
    """Each (src, tgt) pair some engine serves, with the first engine in configured order
    that serves it: the edges routes are found on."""

    edges: dict[tuple[str, str], Engine]
    order: dict[str, int]  # engine name → its place in the configured order

    @classmethod
    def of(cls, engines: Sequence[Engine]) -> Graph:
        edges: dict[tuple[str, str], Engine] = {}
        for engine in engines:
            for pair in sorted(engine.pairs()):
                edges.setdefault(pair, engine)
        return cls(edges, {e.name: i for i, e in enumerate(engines)})

    def leg(self, src: str, tgt: str) -> Leg:
        return Leg(self.edges[(src, tgt)], src, tgt)

    def rating(self, src: str, tgt: str) -> float:
        rate = getattr(self.edges[(src, tgt)], "rating", None)
        value = rate(src, tgt) if rate else None
        return DEFAULT_RATING if value is None else value

    def route(self, src: str, tgt: str) -> Route | None:
        """The shortest chain of pairs from src to tgt; among the shortest, the best rated
        (the product of its legs' ratings), then the one through English, then the one
        whose engines come first in the configured order."""
        if src == tgt:
            return None
        paths = self._shortest(src, tgt)
        if not paths:
            return None
        best = min(paths, key=self._preference)
        return Route(tuple(self.leg(a, b) for a, b in itertools.pairwise(best)))

    def _preference(self, path: tuple[str, ...]) -> tuple:
        legs = list(itertools.pairwise(path))
        rating = 1.0
        for a, b in legs:
            rating *= self.rating(a, b)
        pivots = path[1:-1]
        return (-round(rating, 6), sum(p != PIVOT for p in pivots),
                sum(self.order[self.edges[leg].name] for leg in legs), pivots)

    def _shortest(self, src: str, tgt: str) -> list[tuple[str, ...]]:
        """Every shortest path of at most MAX_LEGS legs (breadth first, no language twice)."""
        forward: dict[str, list[str]] = {}
        for a, b in self.edges:
            forward.setdefault(a, []).append(b)
        frontier: list[tuple[str, ...]] = [(src,)]
        for _ in range(MAX_LEGS):
            grown = [(*path, b) for path in frontier for b in forward.get(path[-1], ())
                     if b not in path]
            done = [path for path in grown if path[-1] == tgt]
            if done:
                return done
            frontier = [path for path in grown if path[-1] != tgt]
            if not frontier:
                break
        return []

    def reachable(self, languages: Sequence[str]) -> dict[tuple[str, str], Route | None]:
        """Every ordered pair of `languages` with its route (None: unreachable)."""
        return {(a, b): self.route(a, b) for a in languages for b in languages if a != b}


def route(engines: Sequence[Engine], src: str, tgt: str) -> Route | None:
    """The route for src→tgt over every engine's pairs, or None when no chain serves it."""
    return Graph.of(engines).route(src, tgt)
