"""The migrations build exactly the schema the code declares (`store/tables.py`), on both
databases: a table or index added to one and not the other fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ceasefire.services.deployment import Deployment
from ceasefire.store.tables import metadata


def test_the_migrated_schema_is_the_declared_one(dep: Deployment) -> None:
    with dep.db.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    assert differences == []
