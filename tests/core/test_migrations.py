"""The migrations build exactly the schema the models describe (no forgotten column)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rabkor.core.store.models import Base


def test_models_and_migrations_agree(any_store):
    with any_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
