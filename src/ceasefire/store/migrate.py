"""Bringing a database's schema up to date with the Alembic migrations shipped in the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ceasefire.store.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database) -> None:
    """Apply every migration not yet applied (safe to run on every start)."""
    with db.engine.begin() as conn:
        config = _config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(conn: Any) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def is_current(db: Database) -> bool:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def revision(db: Database, message: str) -> None:
    """Developer helper: autogenerate a migration against `db` (used to write the next one)."""
    with db.engine.begin() as conn:
        config = _config()
        config.attributes["connection"] = conn
        command.revision(config, message=message, autogenerate=True)
