"""The migrations build exactly the schema the models describe (no forgotten column)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rabkor.core.store.models import Base


def test_models_and_migrations_agree(any_store):
    with any_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_sort_key_is_filled_for_old_rows_and_kept_for_new_ones(any_store):
    """0013's generated `sort_at`: the publication time, else the fetch time, for rows that
    were there before the upgrade and for rows written since, by the ORM or by a Core
    insert as the crawler's."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, select, text

    from rabkor.core.store.db import alembic_config
    from rabkor.core.store.models import Item

    config = alembic_config(any_store.engine)
    command.downgrade(config, "0012")
    published, fetched = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    with any_store.engine.begin() as conn:
        conn.execute(text("insert into items (url, title, summary, content, media_kind, "
                          "fetched_at, published_at, status, updated_at) values "
                          "('http://a/1', '', '', '', 'article', :f, :p, 'pending', :f), "
                          "('http://a/2', '', '', '', 'article', :f, null, 'pending', :f)"),
                     {"f": fetched, "p": published})
    command.upgrade(config, "head")
    with any_store.transaction() as s:
        s.add(Item(url="http://a/3", fetched_at=fetched))
        s.execute(insert(Item).values(url="http://a/4", fetched_at=fetched,
                                      published_at=published))
    with any_store.transaction() as s:
        s.execute(text("update items set published_at = :p where url = 'http://a/3'"),
                  {"p": datetime(2024, 7, 1, tzinfo=UTC)})
    with any_store.read() as s:
        got = dict(s.execute(select(Item.url, Item.sort_at)).tuples().all())
    assert got == {"http://a/1": published, "http://a/2": fetched,
                   "http://a/3": datetime(2024, 7, 1, tzinfo=UTC), "http://a/4": published}
