"""What the readership page needs from the statistics stage, which the editor may not
import: the combined server (rabkor.app.server) hands it an object with these methods
(rabkor.stats.readership). A report is the plain mapping `rabkor stats report --format
json` prints, so the page and the command line show the same figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Readership(Protocol):
    def months(self) -> list[str]:
        """Every month with statistics, newest first."""

    def report(self, month: str | None) -> Mapping[str, Any]:
        """The month's report (the newest without `month`); RabkorError if it has none."""
