"""Queries on the civilian desk's cases (the resident's identity stays sealed here)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from ceasefire.domain.cases import FINISHED, CaseStatus
from ceasefire.domain.desk import Priority
from ceasefire.store.tables import case_events, cases, resident_messages

FINISHED_VALUES = [s.value for s in FINISHED]


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
    owner: str | None
    merged_into: str | None
    escalated: int
    """0: on time; 1: told that it missed its first response; 2: its resolution"""
    handover: dict[str, Any] | None
    links: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class CaseEvent:
    """One version of a case: what was done, by whom, and the state it left."""

    case_id: str
    version: int
    at: datetime
    actor: str
    action: str
    status: CaseStatus
    priority: Priority
    owner: str | None
    acts: tuple[str, ...]
    inform: tuple[str, ...]
    other_side_first: bool
    details: dict[str, Any]
    notes: str | None
    """Sealed: {"to_resident": ..., "internal": ...}"""


@dataclass(frozen=True)
class ResidentMessage:
    id: str
    case_id: str
    version: int
    follows: str | None
    """The case this one was merged into, whose version the message is about; None: this"""
    channel: str
    sealed_to: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def insert_case(conn: Connection, **values: Any) -> None:
    conn.execute(insert(cases).values(**values))


def get_case(conn: Connection, case_id: str, for_update: bool = False) -> Case | None:
    query = select(cases).where(cases.c.id == case_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _case(row) if row is not None else None


def insert_event(conn: Connection, **values: Any) -> None:
    conn.execute(insert(case_events).values(**values))


def events_of(conn: Connection, case_id: str) -> list[CaseEvent]:
    rows = conn.execute(
        select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.version)
    )
    return [_event(row) for row in rows]


def all_events(conn: Connection) -> Iterator[CaseEvent]:
    for row in conn.execute(select(case_events)):
        yield _event(row)


def open_duplicate(
    conn: Connection, phone_index: str, category: str, place_id: str | None
) -> Case | None:
    """An open case from the same number, about the same thing in the same village."""
    c = cases.c
    row = conn.execute(
        select(cases)
        .where(
            c.phone_index == phone_index,
            c.category == category,
            c.place_id == place_id if place_id is not None else c.place_id.is_(None),
            c.status.not_in(FINISHED_VALUES),
        )
        .order_by(c.created_at)
        .limit(1)
    ).first()
    return _case(row) if row is not None else None


def overdue(conn: Connection, now: datetime) -> list[Case]:
    """Open cases past their first-response time without one, or past their resolution
    time, that have not been escalated for it yet."""
    c = cases.c
    rows = conn.execute(
        select(cases).where(
            c.status.not_in(FINISHED_VALUES),
            or_(
                and_(c.escalated < 1, c.first_response_at.is_(None), c.first_response_due <= now),
                and_(c.escalated < 2, c.resolution_due <= now),
            ),
        )
    )
    return [_case(row) for row in rows]


def merged_into(conn: Connection, case_id: str) -> list[Case]:
    """The cases merged into this one."""
    rows = conn.execute(select(cases).where(cases.c.merged_into == case_id).order_by(cases.c.id))
    return [_case(row) for row in rows]


def handed_over(
    conn: Connection, categories: list[str], since: datetime | None, until: datetime
) -> list[tuple[Case, CaseEvent]]:
    """Cases of these categories handed over to a working group after `since`, up to `until`
    (each with the version that handed it over)."""
    e = case_events.c
    query = (
        select(case_events)
        .join(cases, e.case_id == cases.c.id)
        .where(e.action == "handed_over", e.at <= until, cases.c.category.in_(categories))
        .order_by(e.at, e.case_id)
    )
    if since is not None:
        query = query.where(e.at > since)
    events = [_event(row) for row in conn.execute(query)]
    found = [(get_case(conn, event.case_id), event) for event in events]
    return [(item, event) for item, event in found if item is not None]


def open_of_categories(conn: Connection, categories: list[str]) -> list[Case]:
    rows = conn.execute(
        select(cases)
        .where(cases.c.category.in_(categories), cases.c.status.not_in(FINISHED_VALUES))
        .order_by(cases.c.created_at, cases.c.id)
    )
    return [_case(row) for row in rows]


def insert_message(conn: Connection, **values: Any) -> None:
    conn.execute(insert(resident_messages).values(**values))


def claim_messages(
    conn: Connection, now: datetime, lease: timedelta, limit: int
) -> list[ResidentMessage]:
    """Take up to `limit` due messages to residents (call in a short transaction)."""
    m = resident_messages.c
    rows = conn.execute(
        select(resident_messages)
        .where(m.status.in_(["pending", "retrying", "sending"]), m.next_attempt_at <= now)
        .order_by(m.next_attempt_at, m.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = [ResidentMessage(**row._mapping) for row in rows]
    if claimed:
        conn.execute(
            update(resident_messages)
            .where(m.id.in_([x.id for x in claimed]))
            .values(status="sending", next_attempt_at=now + lease)
        )
    return claimed


def update_message(conn: Connection, message_id: str, **values: Any) -> None:
    conn.execute(
        update(resident_messages).where(resident_messages.c.id == message_id).values(**values)
    )


def messages_of(conn: Connection, case_id: str) -> list[ResidentMessage]:
    m = resident_messages.c
    rows = conn.execute(
        select(resident_messages).where(m.case_id == case_id).order_by(m.created_at, m.version)
    )
    return [ResidentMessage(**row._mapping) for row in rows]


def by_reference(conn: Connection, reference: str) -> Case | None:
    row = conn.execute(select(cases).where(cases.c.reference == reference)).first()
    return _case(row) if row is not None else None


def open_cases(conn: Connection, limit: int, post: str | None = None) -> list[Case]:
    """Cases still to be done (of one post's, if given): most urgent first, then the soonest
    due."""
    order = case({p.value: i for i, p in enumerate(Priority)}, value=cases.c.priority)
    query = select(cases).where(cases.c.status.not_in(FINISHED_VALUES))
    if post is not None:
        query = query.where(cases.c.nearest_post == post)
    rows = conn.execute(query.order_by(order, cases.c.first_response_due, cases.c.id).limit(limit))
    return [_case(row) for row in rows]


def count_cases(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def active_between(conn: Connection, start: datetime, end: datetime) -> list[Case]:
    """Cases filed before `end` and not resolved before `start`: those a report of [start,
    end) counts as opened, closed or overdue (callers keep what the reader may read)."""
    c = cases.c
    query = select(cases).where(
        c.created_at < end, or_(c.resolved_at.is_(None), c.resolved_at >= start)
    )
    return [_case(row) for row in conn.execute(query.order_by(c.created_at, c.id))]


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
        owner=row.owner,
        merged_into=row.merged_into,
        escalated=row.escalated,
        handover=row.handover,
        links=tuple(row.links),
    )


def _event(row: Any) -> CaseEvent:
    return CaseEvent(
        case_id=row.case_id,
        version=row.version,
        at=row.at,
        actor=row.actor,
        action=row.action,
        status=CaseStatus(row.status),
        priority=Priority(row.priority),
        owner=row.owner,
        acts=tuple(row.acts),
        inform=tuple(row.inform),
        other_side_first=row.other_side_first,
        details=dict(row.details),
        notes=row.notes,
    )
