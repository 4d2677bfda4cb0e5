"""Which engine(s) translate a language pair: directly, or through English when none can.

The configured engine order decides: the first engine that has the pair serves it.
When no engine has it, the text goes to English with the first engine that has
src→en, then on with the first that has en→tgt (es→en→de, possibly two engines).
A Route records what produced a translation — engine names, model versions and the
pivot — so it can be stored with it and shown to readers.
"""

from __future__ import annotations

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
    def pivot(self) -> str | None:
        """The language translated through ("en"), or None for a direct translation."""
        return self.legs[0].tgt if len(self.legs) > 1 else None

    @property
    def engine(self) -> str:
        """"argos", or "argos+apertium" when the two legs use different engines."""
        names = [leg.engine.name for leg in self.legs]
        return "+".join(dict.fromkeys(names))

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


def route(engines: Sequence[Engine], src: str, tgt: str, pivot: str = PIVOT) -> Route | None:
    """The route for src→tgt following the engines' order, or None when none serves it."""
    if src == tgt:
        return None
    direct = _first(engines, src, tgt)
    if direct is not None:
        return Route((direct,))
    if pivot in (src, tgt):
        return None
    first, second = _first(engines, src, pivot), _first(engines, pivot, tgt)
    if first is None or second is None:
        return None
    return Route((first, second))


def _first(engines: Sequence[Engine], src: str, tgt: str) -> Leg | None:
    return next((Leg(e, src, tgt) for e in engines if (src, tgt) in e.pairs()), None)
