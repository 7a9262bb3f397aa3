"""Queries on the record of who took which report or export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from ceasefire.store.tables import exports


@dataclass(frozen=True)
class Export:
    id: str
    at: datetime
    username: str
    organisation_id: str
    kind: str
    parameters: dict[str, Any]
    sha256: str | None
    records: int


def insert_export(conn: Connection, user_id: int | None, export: Export) -> None:
    conn.execute(insert(exports).values(user_id=user_id, **export.__dict__))


def get_export(conn: Connection, export_id: str) -> Export | None:
    row = conn.execute(select(exports).where(exports.c.id == export_id)).first()
    return _export(row) if row is not None else None


def all_exports(conn: Connection) -> Iterator[Export]:
    for row in conn.execute(select(exports).order_by(exports.c.at, exports.c.id)):
        yield _export(row)


def recent_exports(conn: Connection, limit: int) -> list[Export]:
    rows = conn.execute(select(exports).order_by(exports.c.at.desc(), exports.c.id).limit(limit))
    return [_export(row) for row in rows]


def _export(row: Any) -> Export:
    return Export(
        id=row.id,
        at=row.at,
        username=row.username,
        organisation_id=row.organisation_id,
        kind=row.kind,
        parameters=row.parameters,
        sha256=row.sha256,
        records=row.records,
    )
