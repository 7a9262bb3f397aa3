"""Queries on incidents, their versions, readers and corroborations.

`visible_to` turns a viewer's `ReadScope` into the SQL condition that mirrors
`domain.authorization.can_read`, so lists are filtered by the database and
pages stay full; the service still re-checks every record it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from ceasefire.domain.authorization import ReadScope
from ceasefire.domain.classification import Classification
from ceasefire.domain.incidents import STORED, IncidentDraft, Status
from ceasefire.domain.records import Corroboration, Incident, IncidentQuery, IncidentVersion
from ceasefire.store.attachments import link_attachments
from ceasefire.store.geography import STANDING_COLUMNS, standing
from ceasefire.store.tables import (
    corroborations,
    incident_readers,
    incident_versions,
    incidents,
    record_geography,
    users,
)


def visible_to(scope: ReadScope) -> ColumnElement[bool]:
    """The SQL form of `can_read` for incidents."""
    c = incidents.c
    named = or_(
        c.owner_org == scope.organisation_id,
        exists().where(
            incident_readers.c.incident_id == c.id,
            incident_readers.c.organisation_id == scope.organisation_id,
        ),
    )
    mission = or_(true() if scope.mission else false(), c.owner_org == scope.organisation_id)
    confidential = or_(
        c.author_id == scope.user_id,
        and_(true() if scope.confidential else false(), named),
    )
    return or_(
        c.classification == Classification.public.value,
        and_(c.classification == Classification.mission.value, mission),
        and_(c.classification == Classification.restricted.value, named),
        and_(c.classification == Classification.confidential.value, confidential),
    )


def insert_incident(
    conn: Connection,
    *,
    incident_id: str,
    draft: IncidentDraft,
    owner_org: str,
    author_id: int,
    lat: float,
    lon: float,
    at: datetime,
) -> None:
    conn.execute(
        insert(incidents).values(
            id=incident_id,
            version=1,
            status=Status.reported.value,
            classification=draft.classification.value,
            owner_org=owner_org,
            author_id=author_id,
            created_at=at,
            **_current_columns(draft, lat, lon, at),
        )
    )
    _write_readers(conn, incident_id, draft.restricted_to)
    link_attachments(conn, incident_id, [a.sha256 for a in draft.attachments])


def update_incident(
    conn: Connection,
    *,
    incident_id: str,
    from_version: int,
    draft: IncidentDraft,
    status: Status,
    lat: float,
    lon: float,
    at: datetime,
) -> bool:
    """Move the current state to version `from_version + 1`; False if someone got there first."""
    result = conn.execute(
        update(incidents)
        .where(incidents.c.id == incident_id, incidents.c.version == from_version)
        .values(
            version=from_version + 1,
            status=status.value,
            classification=draft.classification.value,
            **_current_columns(draft, lat, lon, at),
        )
    )
    if result.rowcount != 1:
        return False
    conn.execute(incident_readers.delete().where(incident_readers.c.incident_id == incident_id))
    _write_readers(conn, incident_id, draft.restricted_to)
    link_attachments(conn, incident_id, [a.sha256 for a in draft.attachments])
    return True


def _current_columns(draft: IncidentDraft, lat: float, lon: float, at: datetime) -> dict[str, Any]:
    return {
        "category": draft.category,
        "title": draft.title,
        "started_at": draft.started_at,
        "lat": lat,
        "lon": lon,
        "place_id": draft.location.place_id,
        "content": draft.model_dump(mode="json"),
        "updated_at": at,
    }


def _write_readers(conn: Connection, incident_id: str, readers: list[str]) -> None:
    rows = [{"incident_id": incident_id, "organisation_id": org} for org in sorted(set(readers))]
    if rows:
        conn.execute(insert(incident_readers), rows)


def insert_version(conn: Connection, version: IncidentVersion, author_id: int) -> None:
    conn.execute(
        insert(incident_versions).values(
            incident_id=version.incident_id,
            version=version.version,
            at=version.at,
            author_id=author_id,
            author_org=version.author_org,
            change=version.change,
            status=version.status.value,
            classification=version.classification.value,
            reason=version.reason,
            content=version.content,
        )
    )


_INCIDENT_COLUMNS = (
    incidents.c.id,
    incidents.c.version,
    incidents.c.status,
    incidents.c.owner_org,
    incidents.c.author_id,
    users.c.username,
    incidents.c.created_at,
    incidents.c.updated_at,
    incidents.c.content,
    incidents.c.lat,
    incidents.c.lon,
    incidents.c.started_at,
    *STANDING_COLUMNS,
)


def _with_standing(query: Select[Any]) -> Select[Any]:
    """Join the author's name and the record's standing (if it has one yet)."""
    rg = record_geography.c
    return query.join(users, users.c.id == incidents.c.author_id).outerjoin(
        record_geography, and_(rg.record_kind == "incident", rg.record_id == incidents.c.id)
    )


def _incident(row: Any) -> Incident:
    return Incident(
        id=row.id,
        version=row.version,
        status=Status(row.status),
        owner_org=row.owner_org,
        author_id=row.author_id,
        author=row.username,
        created_at=row.created_at,
        updated_at=row.updated_at,
        draft=IncidentDraft.model_validate(row.content, context=STORED),
        lat=row.lat,
        lon=row.lon,
        standing=standing(row),
    )


def get_incident(
    conn: Connection, incident_id: str, *, for_update: bool = False
) -> Incident | None:
    query = _with_standing(select(*_INCIDENT_COLUMNS)).where(incidents.c.id == incident_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=incidents)
    row = conn.execute(query).first()
    return _incident(row) if row is not None else None


def reported_between(
    conn: Connection, categories: list[str], since: datetime | None, until: datetime
) -> list[Incident]:
    """Incidents of these categories recorded after `since`, up to `until`, oldest first
    (each with where it stands)."""
    c = incidents.c
    query = _with_standing(select(*_INCIDENT_COLUMNS)).where(
        c.category.in_(categories), c.created_at <= until
    )
    if since is not None:
        query = query.where(c.created_at > since)
    return [_incident(row) for row in conn.execute(query.order_by(c.created_at, c.id))]


def list_incidents(conn: Connection, scope: ReadScope, query: IncidentQuery) -> list[Incident]:
    """One page of incidents visible in `scope`, newest first."""
    c = incidents.c
    conditions: list[ColumnElement[bool]] = [visible_to(scope)]
    if query.since is not None:
        conditions.append(c.started_at >= query.since)
    if query.until is not None:
        conditions.append(c.started_at < query.until)
    if query.categories:
        conditions.append(c.category.in_(query.categories))
    if query.statuses:
        conditions.append(c.status.in_([s.value for s in query.statuses]))
    if query.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = query.bbox
        conditions += [c.lon >= min_lon, c.lon <= max_lon, c.lat >= min_lat, c.lat <= max_lat]
    if query.place_id is not None:
        conditions.append(c.place_id == query.place_id)
    if query.organisation_id is not None:
        conditions.append(c.owner_org == query.organisation_id)
    rg = record_geography.c
    if query.zones:
        conditions.append(rg.zone.in_(query.zones))
    if query.sides:
        conditions.append(rg.side.in_(query.sides))
    if query.within_line_metres is not None:
        conditions.append(rg.line_metres <= query.within_line_metres)
    if query.after is not None:
        started, last_id = query.after
        conditions.append(
            or_(c.started_at < started, and_(c.started_at == started, c.id < last_id))
        )
    rows = conn.execute(
        _with_standing(select(*_INCIDENT_COLUMNS))
        .where(*conditions)
        .order_by(c.started_at.desc(), c.id.desc())
        .limit(query.limit)
    )
    return [_incident(row) for row in rows]


def versions_of(conn: Connection, incident_id: str) -> list[IncidentVersion]:
    v = incident_versions.c
    rows = conn.execute(
        select(incident_versions, users.c.username)
        .join(users, users.c.id == v.author_id)
        .where(v.incident_id == incident_id)
        .order_by(v.version)
    )
    return [_version(row) for row in rows]


def _version(row: Any) -> IncidentVersion:
    return IncidentVersion(
        incident_id=row.incident_id,
        version=row.version,
        at=row.at,
        author=row.username,
        author_org=row.author_org,
        change=row.change,
        status=Status(row.status),
        classification=Classification(row.classification),
        reason=row.reason,
        content=row.content,
    )


def all_versions(conn: Connection) -> Iterator[IncidentVersion]:
    """Every version of every incident (for the audit), in no particular order."""
    v = incident_versions.c
    for row in conn.execute(
        select(incident_versions, users.c.username).join(users, users.c.id == v.author_id)
    ):
        yield _version(row)


def all_corroborations(conn: Connection) -> Iterator[Corroboration]:
    k = corroborations.c
    for row in conn.execute(
        select(corroborations, users.c.username).join(users, users.c.id == k.author_id)
    ):
        yield _corroboration(row)


def insert_corroboration(conn: Connection, corroboration: Corroboration, author_id: int) -> None:
    conn.execute(
        insert(corroborations).values(
            id=corroboration.id,
            incident_id=corroboration.incident_id,
            organisation_id=corroboration.organisation_id,
            author_id=author_id,
            at=corroboration.at,
            note=corroboration.note,
            content=corroboration.content,
        )
    )


def corroborations_of(conn: Connection, incident_id: str) -> list[Corroboration]:
    k = corroborations.c
    rows = conn.execute(
        select(corroborations, users.c.username)
        .join(users, users.c.id == k.author_id)
        .where(k.incident_id == incident_id)
        .order_by(k.at, k.id)
    )
    return [_corroboration(row) for row in rows]


def _corroboration(row: Any) -> Corroboration:
    return Corroboration(
        id=row.id,
        incident_id=row.incident_id,
        organisation_id=row.organisation_id,
        author=row.username,
        at=row.at,
        note=row.note,
        content=row.content,
    )


def count_incidents(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(incidents)).scalar_one())
