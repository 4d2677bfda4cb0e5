"""The public site in process: a real store, a real Whoosh index, a TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from rabkor.core.store.models import Item, ItemStatus, Source, Translation
from rabkor.site.app import create_app

AddItem = Callable[..., int]


@pytest.fixture
def settings(settings):
    """The shared settings, with the name TestClient addresses the app by trusted."""
    return settings.with_(trusted_hosts=("testserver",))

@pytest.fixture
def client(settings, store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as client:
        yield client


@pytest.fixture
def add_item(store) -> AddItem:
    """Store an item (approved unless told) with translations {(field, lang): text}."""
    counter = iter(range(1, 10_000))

    def add(title: str, *, language: str = "en", status: ItemStatus = ItemStatus.APPROVED,
            translations: dict[tuple[str, str], str] | None = None, human: bool = False,
            published: datetime | None = None, **fields: object) -> int:
        n = next(counter)
        with store.transaction() as s:
            source = (s.get(Source, fields.pop("source_id")) if "source_id" in fields else
                      s.query(Source).filter_by(feed_url="http://example.org/feed").first())
            if source is None:
                source = Source(feed_url="http://example.org/feed", title="Example Source")
                s.add(source)
            item = Item(source=source, url=fields.pop("url", f"http://example.org/{n}"),
                        title=title, language=language, status=status,
                        published_at=published or datetime(2024, 1, n % 28 + 1, tzinfo=UTC),
                        **fields)
            for (field, lang), text in (translations or {}).items():
                item.translations.append(Translation(
                    field=field, language=lang, source_language=language, text=text,
                    engine="human" if human else "argos", model_version="1.9",
                    is_human=human))
            s.add(item)
            s.flush()
            return item.id

    return add
