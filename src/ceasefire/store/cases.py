"""Queries on the civilian desk's cases (the resident's identity stays sealed here)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select

from ceasefire.domain.cases import CaseStatus
from ceasefire.domain.desk import Priority
from ceasefire.store.tables import cases


@dataclass(frozen=True)
class Case:
    id: str
    reference: str
    secret_hash: str
    version: int
    status: CaseStatus
    category: str
    priority: Priority
    place_id: str | None
    zone: str | None
    nearest_post: str | None
    acts: tuple[str, ...]
    inform: tuple[str, ...]
    other_side_first: bool
    mandate_rule: int | None
    language: str
    channel: str
    affected: int
    signatories: int
    sealed: str
    phone_index: str | None
    source: str
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None


def insert_case(conn: Connection, **values: Any) -> None:
    conn.execute(insert(cases).values(**values))


def get_case(conn: Connection, case_id: str) -> Case | None:
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    return _case(row) if row is not None else None


def by_reference(conn: Connection, reference: str) -> Case | None:
    row = conn.execute(select(cases).where(cases.c.reference == reference)).first()
    return _case(row) if row is not None else None


def open_cases(conn: Connection, limit: int) -> list[Case]:
    """Cases not resolved or closed: most urgent first, then the soonest due."""
    order = case({p.value: i for i, p in enumerate(Priority)}, value=cases.c.priority)
    rows = conn.execute(
        select(cases)
        .where(cases.c.status.not_in([CaseStatus.resolved.value, CaseStatus.closed.value]))
        .order_by(order, cases.c.first_response_due, cases.c.id)
        .limit(limit)
    )
    return [_case(row) for row in rows]


def count_cases(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def all_cases(conn: Connection) -> Iterator[Case]:
    for row in conn.execute(select(cases)):
        yield _case(row)


def _case(row: Any) -> Case:
    return Case(
        id=row.id,
        reference=row.reference,
        secret_hash=row.secret_hash,
        version=row.version,
        status=CaseStatus(row.status),
        category=row.category,
        priority=Priority(row.priority),
        place_id=row.place_id,
        zone=row.zone,
        nearest_post=row.nearest_post,
        acts=tuple(row.acts),
        inform=tuple(row.inform),
        other_side_first=row.other_side_first,
        mandate_rule=row.mandate_rule,
        language=row.language,
        channel=row.channel,
        affected=row.affected,
        signatories=row.signatories,
        sealed=row.sealed,
        phone_index=row.phone_index,
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_response_due=row.first_response_due,
        resolution_due=row.resolution_due,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
    )
