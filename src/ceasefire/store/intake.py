"""Queries on the submissions field apps sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ceasefire.store.tables import submissions


@dataclass(frozen=True)
class Submission:
    id: str
    instance_id: str | None
    form_id: str | None
    form_version: str
    username: str
    organisation_id: str
    received_at: datetime
    updated_at: datetime
    status: str
    """received (not mapped yet), created, or quarantined"""
    record_kind: str | None
    record_id: str | None
    reason: str | None
    content: str
    files: list[dict[str, Any]]


def insert_submission(conn: Connection, user_id: int | None, **values: Any) -> None:
    conn.execute(insert(submissions).values(user_id=user_id, **values))


def set_outcome(conn: Connection, submission_id: str, **values: Any) -> None:
    conn.execute(update(submissions).where(submissions.c.id == submission_id).values(**values))


def get_submission(conn: Connection, submission_id: str) -> Submission | None:
    row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).first()
    return _submission(row) if row is not None else None


def by_instance(conn: Connection, instance_id: str) -> Submission | None:
    query = select(submissions).where(submissions.c.instance_id == instance_id)
    row = conn.execute(query).first()
    return _submission(row) if row is not None else None


def recent(conn: Connection, limit: int, status: str | None = None) -> list[Submission]:
    c = submissions.c
    query = select(submissions).order_by(c.received_at.desc(), c.id).limit(limit)
    if status is not None:
        query = query.where(c.status == status)
    return [_submission(row) for row in conn.execute(query)]


def _submission(row: Any) -> Submission:
    return Submission(
        id=row.id,
        instance_id=row.instance_id,
        form_id=row.form_id,
        form_version=row.form_version,
        username=row.username,
        organisation_id=row.organisation_id,
        received_at=row.received_at,
        updated_at=row.updated_at,
        status=row.status,
        record_kind=row.record_kind,
        record_id=row.record_id,
        reason=row.reason,
        content=row.content,
        files=list(row.files),
    )
