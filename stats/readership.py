"""The statistics as the editor's report page reads them: the editor may not import this
stage, so the combined server (rabkor.app.server) hands it this object, which answers its
`Readership` interface (rabkor.editor.readership)."""

from __future__ import annotations

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.stats import report


class Readership:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store

    def months(self) -> list[str]:
        with self.store.read() as session:
            return report.months(session)

    def report(self, month: str | None) -> dict:
        """The month's report (the newest month's without one); RabkorError when the month
        has no statistics."""
        with self.store.read() as session:
            return report.report(session, self.settings, month)
