"""Argos's sentence splitting made offline, so translation never downloads a model.

Argos's own sentencizers fetch MiniSBD or stanza models at first use unless the package
bundles one. `OfflineSentencizer` uses the package's bundled MiniSBD model when there is
one, else Rabkor's rule-based splitter. Import this module only after `argoslib` has
imported `argostranslate.translate`: it subclasses an Argos class, and importing
argostranslate outside `argoslib` would let it write into the home directory.
"""

from __future__ import annotations

from pathlib import Path

from argostranslate.package import Package
from argostranslate.sbd import ISentenceBoundaryDetectionModel

from rabkor.core.text.sentences import split_sentences


class OfflineSentencizer(ISentenceBoundaryDetectionModel):
    """The package's MiniSBD model if it carries one, else `split_sentences`."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        model = bundled_minisbd(Path(pkg.package_path))
        self._detector = None
        if model is not None:
            from minisbd import SBDetect

            # A path (not a language code) makes MiniSBD load the file, never download.
            self._detector = SBDetect(str(model), use_gpu=False)

    def split_sentences(self, text: str) -> list[str]:
        if self._detector is not None:
            return self._detector.sentences(text)
        return split_sentences(text)


def bundled_minisbd(package_path: Path) -> Path | None:
    models = sorted((package_path / "minisbd").glob("*.onnx"))
    return models[0] if models else None
