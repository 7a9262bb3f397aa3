"""Queries on the humanitarian registry and what is done for it: households and people (their
personal data stays sealed here), the journal of versions, entitlements and deliveries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from ceasefire.store.tables import (
    aid_events,
    deliveries,
    entitlements,
    households,
    people,
)


@dataclass(frozen=True)
class Household:
    id: str
    reference: str
    version: int
    status: str
    source: str
    displacement: str
    origin_place_id: str | None
    current_place_id: str
    shelter: str
    home: str
    size: int
    served_by: tuple[str, ...]
    registered_by: str
    sealed: str
    phone_index: str | None
    merged_into: str | None
    registered_at: datetime
    updated_at: datetime
    verified_at: datetime | None


@dataclass(frozen=True)
class Person:
    id: str
    household_id: str
    number: int
    status: str
    merged_into: str | None
    born_index: str
    sealed: str


@dataclass(frozen=True)
class AidEvent:
    """One version of an assistance record, as the journal (and the log) keeps it."""

    kind: str
    record_id: str
    version: int
    at: datetime
    actor: str
    organisation: str
    action: str
    content: dict[str, Any]


def household_of(row: Any) -> Household:
    values = dict(row._mapping)
    values["served_by"] = tuple(o for o in values["served_by"].split(",") if o)
    return Household(**values)


def _person(row: Any) -> Person:
    return Person(**dict(row._mapping))


def _event(row: Any) -> AidEvent:
    values = dict(row._mapping)
    del values["id"]
    return AidEvent(**values)


# --- households and people ----------------------------------------------------------------


def insert_households(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(households), list(rows))


def insert_people(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(people), list(rows))


def get_household(
    conn: Connection, household_id: str, for_update: bool = False
) -> Household | None:
    query = select(households).where(households.c.id == household_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return household_of(row) if row is not None else None


def by_reference(conn: Connection, reference: str) -> Household | None:
    row = conn.execute(select(households).where(households.c.reference == reference)).first()
    return household_of(row) if row is not None else None


def people_of(conn: Connection, household_ids: Iterable[str]) -> dict[str, list[Person]]:
    """Each household's people, in their order."""
    found: dict[str, list[Person]] = {}
    ids = list(household_ids)
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(people)
            .where(people.c.household_id.in_(ids[start : start + 500]))
            .order_by(people.c.household_id, people.c.number)
        )
        for row in rows:
            found.setdefault(row.household_id, []).append(_person(row))
    return found


def get_person(conn: Connection, person_id: str) -> Person | None:
    row = conn.execute(select(people).where(people.c.id == person_id)).first()
    return _person(row) if row is not None else None


def set_person(conn: Connection, person_id: str, **values: Any) -> None:
    conn.execute(update(people).where(people.c.id == person_id).values(**values))


def count_households(conn: Connection, statuses: Sequence[str]) -> int:
    c = households.c
    return int(conn.execute(select(func.count()).where(c.status.in_(statuses))).scalar_one())


def households_for(
    conn: Connection,
    organisation: str,
    programme_ids: Sequence[str],
    *,
    status: str | None = None,
    place_id: str | None = None,
    limit: int = 200,
) -> list[Household]:
    """The households an organisation serves: those it registered or was given (`served_by`)
    and those its programmes owe something, newest first."""
    c = households.c
    owed = select(entitlements.c.household_id).where(entitlements.c.programme_id.in_(programme_ids))
    served = or_(c.served_by.contains(f",{organisation},"), c.id.in_(owed))
    query = select(households).where(served, c.status != "merged")
    if status is not None:
        query = query.where(c.status == status)
    if place_id is not None:
        query = query.where(c.current_place_id == place_id)
    rows = conn.execute(query.order_by(c.registered_at.desc()).limit(limit))
    return [household_of(row) for row in rows]


def served_by_text(organisations: Iterable[str]) -> str:
    """How `served_by` is stored: ",a,b," (so that one organisation is found by LIKE)."""
    return "," + ",".join(sorted(set(organisations))) + ","


def served_through(conn: Connection, household_id: str) -> set[str]:
    """The programmes that owe (or owed) the household something."""
    rows = conn.execute(
        select(entitlements.c.programme_id)
        .where(entitlements.c.household_id == household_id)
        .distinct()
    )
    return {row.programme_id for row in rows}


def active_people_by_born(conn: Connection) -> Iterator[list[Person]]:
    """Active people sharing a birth date (by its keyed hash), block by block."""
    p = people.c
    active = and_(
        p.status == "active", households.c.status.in_(["active", "awaiting_verification"])
    )
    joined = people.join(households, households.c.id == p.household_id)
    shared = (
        select(p.born_index)
        .select_from(joined)
        .where(active)
        .group_by(p.born_index)
        .having(func.count() > 1)
    )
    indexes = [row.born_index for row in conn.execute(shared)]
    for start in range(0, len(indexes), 200):
        chunk = indexes[start : start + 200]
        rows = conn.execute(
            select(people)
            .select_from(joined)
            .where(active, p.born_index.in_(chunk))
            .order_by(p.born_index, p.id)
        )
        block: list[Person] = []
        for row in rows:
            if block and block[0].born_index != row.born_index:
                yield block
                block = []
            block.append(_person(row))
        if block:
            yield block


def people_born_like(conn: Connection, born_index: str, besides: str) -> list[Person]:
    """Active people with this birth date (keyed hash) outside household `besides`."""
    p = people.c
    rows = conn.execute(
        select(people).where(
            p.born_index == born_index, p.status == "active", p.household_id != besides
        )
    )
    return [_person(row) for row in rows]


# --- the journal --------------------------------------------------------------------------


def insert_event(conn: Connection, **values: Any) -> AidEvent:
    conn.execute(insert(aid_events).values(**values))
    return AidEvent(**values)


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[AidEvent]:
    if rows:
        conn.execute(insert(aid_events), list(rows))
    return [AidEvent(**row) for row in rows]


def events_of(conn: Connection, kind: str, record_id: str) -> list[AidEvent]:
    e = aid_events.c
    rows = conn.execute(
        select(aid_events).where(e.kind == kind, e.record_id == record_id).order_by(e.version)
    )
    return [_event(row) for row in rows]


def recent_events(conn: Connection, kind: str, limit: int = 50) -> list[AidEvent]:
    e = aid_events.c
    rows = conn.execute(
        select(aid_events).where(e.kind == kind).order_by(e.at.desc(), e.id.desc()).limit(limit)
    )
    return [_event(row) for row in rows]


def all_events(conn: Connection) -> Iterator[AidEvent]:
    for row in conn.execute(select(aid_events)):
        yield _event(row)


# --- entitlements and deliveries ------------------------------------------------------------


def owed_keys(
    conn: Connection, programme_id: str, occurrences: Sequence[str]
) -> set[tuple[str, str]]:
    """(occurrence, beneficiary) of every entitlement the programme already has for these."""
    e = entitlements.c
    rows = conn.execute(
        select(e.occurrence, e.beneficiary).where(
            e.programme_id == programme_id, e.occurrence.in_(occurrences)
        )
    )
    return {(row.occurrence, row.beneficiary) for row in rows}


def committed_minor(conn: Connection, programme_id: str) -> int:
    """What the programme has promised so far (cancelled entitlements aside), in hundredths."""
    e = entitlements.c
    total = conn.execute(
        select(func.coalesce(func.sum(e.amount_minor), 0)).where(
            e.programme_id == programme_id, e.status != "cancelled"
        )
    ).scalar_one()
    return int(total)


def insert_entitlements(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        conn.execute(insert(entitlements), list(rows[start : start + 5000]))


def entitlements_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
    """The entitlements, locked until the transaction ends (two handovers of one wait)."""
    found: dict[int, Any] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(
            select(entitlements)
            .where(entitlements.c.id.in_(ids[start : start + 500]))
            .with_for_update()
        )
        found.update({row.id: row for row in rows})
    return found


def entitlements_of(conn: Connection, household_id: str) -> list[Any]:
    e = entitlements.c
    joined = entitlements.outerjoin(deliveries, deliveries.c.entitlement_id == e.id)
    rows = conn.execute(
        select(entitlements, deliveries.c.on, deliveries.c.place_id, deliveries.c.username)
        .select_from(joined)
        .where(e.household_id == household_id)
        .order_by(e.period.desc(), e.programme_id, e.occurrence)
    )
    return list(rows)


def owed_for(
    conn: Connection, programme_id: str, period: str, limit: int = 500, after: int = 0
) -> list[Any]:
    e = entitlements.c
    rows = conn.execute(
        select(entitlements)
        .where(e.programme_id == programme_id, e.period == period, e.status == "owed", e.id > after)
        .order_by(e.id)
        .limit(limit)
    )
    return list(rows)


def set_status(conn: Connection, ids: Sequence[int], status: str) -> None:
    for start in range(0, len(ids), 500):
        conn.execute(
            update(entitlements)
            .where(entitlements.c.id.in_(ids[start : start + 500]))
            .values(status=status)
        )


def cancel_owed(conn: Connection, person_id: str) -> list[int]:
    """Cancel what is still owed to a person (merged into another); return the ids."""
    e = entitlements.c
    ids = [
        int(row.id)
        for row in conn.execute(select(e.id).where(e.beneficiary == person_id, e.status == "owed"))
    ]
    set_status(conn, ids, "cancelled")
    return ids


def insert_deliveries(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    conn.execute(insert(deliveries), list(rows))


def delivered_to_duplicates(conn: Connection, programme_ids: Sequence[str]) -> dict[Any, int]:
    """(programme, month) -> handovers to people later merged as duplicates of others: what a
    programme paid twice to one person."""
    e = entitlements.c
    rows = conn.execute(
        select(e.programme_id, e.period, func.count().label("n"))
        .join(people, people.c.id == e.person_id)
        .where(
            e.programme_id.in_(programme_ids), e.status == "delivered", people.c.status == "merged"
        )
        .group_by(e.programme_id, e.period)
    )
    return {(row.programme_id, row.period): int(row.n) for row in rows}


def reconciliation(conn: Connection, programme_ids: Sequence[str]) -> list[Any]:
    """Per programme and month: owed, delivered and cancelled, counted and summed."""
    e = entitlements.c
    rows = conn.execute(
        select(
            e.programme_id,
            e.period,
            e.status,
            func.count().label("count"),
            func.coalesce(func.sum(e.amount_minor), 0).label("amount_minor"),
            func.coalesce(func.sum(e.quantity), 0).label("quantity"),
        )
        .where(e.programme_id.in_(programme_ids))
        .group_by(e.programme_id, e.period, e.status)
        .order_by(e.programme_id, e.period)
    )
    return list(rows)
