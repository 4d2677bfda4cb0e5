"""The statistics as the editor's report page reads them: the editor may not import this
stage, so the combined server (rabkor.app.server) hands it this object, which answers its
`Readership` interface (rabkor.editor.readership)."""

from __future__ import annotations

import threading
import time

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.stats import report

FRESH = 60.0  # seconds an open month's report is reused (the page and its four charts)


class Readership:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self._kept: dict[str | None, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def months(self) -> list[str]:
        with self.store.read() as session:
            return report.months(session)

    def report(self, month: str | None) -> dict:
        """The month's report (the newest month's without one); RabkorError when the month
        has no statistics. An open month's is computed at most once a minute."""
        with self._lock:
            kept = self._kept.get(month)
            if kept is not None and time.monotonic() - kept[0] < FRESH:
                return kept[1]
        with self.store.read() as session:
            found = report.report(session, month)
        with self._lock:
            self._kept[month] = (time.monotonic(), found)
        return found
