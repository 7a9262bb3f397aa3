"""Queries on movements through the corridor and their versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from ceasefire.domain.incidents import STORED
from ceasefire.domain.movements import MovementDraft, MovementStatus
from ceasefire.store.tables import movement_versions, movements, users


@dataclass(frozen=True)
class Movement:
    id: str
    version: int
    status: MovementStatus
    owner_org: str
    author_id: int
    author: str
    draft: MovementDraft
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MovementVersion:
    movement_id: str
    version: int
    at: datetime
    author_org: str
    change: str
    """registered, or checkpoint"""
    status: MovementStatus
    content: dict[str, Any]
    incident_id: str | None = None


def insert_movement(
    conn: Connection,
    *,
    movement_id: str,
    draft: MovementDraft,
    owner_org: str,
    author_id: int,
    at: datetime,
) -> None:
    conn.execute(
        insert(movements).values(
            id=movement_id,
            version=1,
            status=MovementStatus.planned.value,
            classification=draft.classification.value,
            owner_org=owner_org,
            author_id=author_id,
            planned_at=draft.planned_at,
            content=draft.model_dump(mode="json"),
            created_at=at,
            updated_at=at,
        )
    )


def insert_version(conn: Connection, version: MovementVersion) -> None:
    conn.execute(
        insert(movement_versions).values(
            movement_id=version.movement_id,
            version=version.version,
            at=version.at,
            author_org=version.author_org,
            change=version.change,
            status=version.status.value,
            content=version.content,
            incident_id=version.incident_id,
        )
    )


def _select() -> Any:
    return select(movements, users.c.username).join(users, users.c.id == movements.c.author_id)


def get_movement(
    conn: Connection, movement_id: str, *, for_update: bool = False
) -> Movement | None:
    query = _select().where(movements.c.id == movement_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=movements)
    row = conn.execute(query).first()
    return _movement(row) if row is not None else None


def recent_movements(conn: Connection, limit: int) -> list[Movement]:
    """The latest planned movements, newest first (callers keep those the reader may read)."""
    c = movements.c
    rows = conn.execute(_select().order_by(c.planned_at.desc(), c.id.desc()).limit(limit))
    return [_movement(row) for row in rows]


def planned_between(conn: Connection, start: datetime, end: datetime) -> list[Movement]:
    """Movements planned in [start, end), soonest first (callers keep what the reader may
    read)."""
    c = movements.c
    query = _select().where(c.planned_at >= start, c.planned_at < end)
    return [_movement(row) for row in conn.execute(query.order_by(c.planned_at, c.id))]


def versions_of(conn: Connection, movement_id: str) -> list[MovementVersion]:
    v = movement_versions.c
    rows = conn.execute(
        select(movement_versions).where(v.movement_id == movement_id).order_by(v.version)
    )
    return [_version(row) for row in rows]


def movement_of_incident(conn: Connection, incident_id: str) -> str | None:
    """The movement whose checkpoint report became this incident, if any."""
    v = movement_versions.c
    found = conn.execute(select(v.movement_id).where(v.incident_id == incident_id)).first()
    return found.movement_id if found else None


def all_versions(conn: Connection) -> Iterator[MovementVersion]:
    for row in conn.execute(select(movement_versions)):
        yield _version(row)


def _version(row: Any) -> MovementVersion:
    return MovementVersion(
        movement_id=row.movement_id,
        version=row.version,
        at=row.at,
        author_org=row.author_org,
        change=row.change,
        status=MovementStatus(row.status),
        content=row.content,
        incident_id=row.incident_id,
    )


def _movement(row: Any) -> Movement:
    return Movement(
        id=row.id,
        version=row.version,
        status=MovementStatus(row.status),
        owner_org=row.owner_org,
        author_id=row.author_id,
        author=row.username,
        draft=MovementDraft.model_validate(row.content, context=STORED),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
