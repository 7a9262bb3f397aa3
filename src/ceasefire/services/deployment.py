"""The running deployment: its database, its scenario and its settings, as services need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ceasefire.config import Settings
from ceasefire.domain.scenario import Scenario
from ceasefire.store import migrate
from ceasefire.store.db import Database
from ceasefire.store.deployment import load_scenario, save_scenario
from ceasefire.store.files import AttachmentFiles


def utcnow() -> datetime:
    return datetime.now(UTC)


class NotInitialised(Exception):
    """The database has no scenario yet: run `ceasefire init`."""


@dataclass
class Deployment:
    db: Database
    scenario: Scenario
    files: AttachmentFiles
    future_tolerance: timedelta
    max_attachment_bytes: int


def open_deployment(settings: Settings, db: Database | None = None) -> Deployment:
    """Connect to an initialised deployment (schema up to date, scenario loaded)."""
    db = db or Database(settings.resolved_database_url)
    migrate.upgrade(db)
    with db.read() as conn:
        scenario = load_scenario(conn)
    if scenario is None:
        raise NotInitialised("no scenario is loaded: run `ceasefire init`")
    return Deployment(
        db=db,
        scenario=scenario,
        files=AttachmentFiles(settings.attachments_dir),
        future_tolerance=settings.future_tolerance,
        max_attachment_bytes=settings.max_attachment_bytes,
    )


def install_scenario(db: Database, scenario: Scenario) -> None:
    """Bring the schema up to date and load (or reload) the scenario's reference data."""
    migrate.upgrade(db)
    with db.begin() as conn:
        save_scenario(conn, scenario, utcnow())
