"""Small builders for the editor tests: real rows in the real store, and form tokens."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus, Source, Translation

PASSWORD = "a long password"
_numbers = itertools.count(1)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def add_item(
    store: Store,
    title: str = "",
    *,
    language: str = "es",
    published_at: datetime | None = None,
    status: ItemStatus = ItemStatus.PENDING,
    summary: str = "",
    url: str = "",
    translations: dict[tuple[str, str], str] | None = None,
    engine: str = "argos",
    human: bool = False,
    **fields: object,
) -> int:
    """Store an item from a source (a new one unless `source_id` names one), with
    translations keyed by (field, language); its id."""
    n = next(_numbers)
    with store.transaction() as s:
        source = (s.get(Source, fields.pop("source_id")) if "source_id" in fields else
                  Source(feed_url=f"http://example.org/feed/{n}", title=f"Source {n}",
                         language=language))
        item = Item(source=source, url=url or f"http://example.org/items/{n}",
                    title=title or f"Item {n}", summary=summary, language=language,
                    published_at=published_at, status=status, **fields)
        for (field, target), text in (translations or {}).items():
            item.translations.append(Translation(
                field=field, language=target, source_language=language, text=text,
                engine="human" if human else engine, is_human=human))
        s.add(item)
        s.flush()
        return item.id


def when(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def race(store: Store, act: Callable, user_ids: list[int], lost: type[Exception]
         ) -> dict[int, str]:
    """Each of `user_ids` runs `act(session, user_id)` at the same moment, each through
    its own store (its own connection); "won", or the message of the `lost` error."""
    start = threading.Barrier(len(user_ids))
    outcomes: dict[int, str] = {}

    def run(user_id: int) -> None:
        own = Store(store.settings)
        try:
            start.wait()
            with own.transaction() as s:
                act(s, user_id)
            outcomes[user_id] = "won"
        except lost as exc:
            outcomes[user_id] = str(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
