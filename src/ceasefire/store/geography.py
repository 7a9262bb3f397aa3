"""Queries on the versions of the line of contact and on where each record stands."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ceasefire.domain.geography import Standing
from ceasefire.store.tables import incidents, line_versions, record_geography

STANDING_COLUMNS = (
    record_geography.c.line_version,
    record_geography.c.settlement_id,
    record_geography.c.settlement_metres,
    record_geography.c.post_id,
    record_geography.c.post_metres,
    record_geography.c.line_metres,
    record_geography.c.side,
    record_geography.c.zone,
    record_geography.c.hazards,
    record_geography.c.enriched_at,
)


def standing(row: Any) -> Standing | None:
    """The standing in a row selected with STANDING_COLUMNS (None if it has none yet)."""
    if row.line_version is None:
        return None
    return Standing(
        line_version=row.line_version,
        settlement_id=row.settlement_id,
        settlement_metres=row.settlement_metres,
        post_id=row.post_id,
        post_metres=row.post_metres,
        line_metres=row.line_metres,
        side=row.side,
        zone=row.zone,
        hazards=tuple(row.hazards or ()),
        enriched_at=row.enriched_at,
    )


def save_standings(
    conn: Connection, record_kind: str, ids: Sequence[str], standings: Sequence[Standing]
) -> None:
    """Replace the standings of these records."""
    rg = record_geography.c
    conn.execute(
        delete(record_geography).where(rg.record_kind == record_kind, rg.record_id.in_(ids))
    )
    conn.execute(
        insert(record_geography),
        [
            {
                "record_kind": record_kind,
                "record_id": record_id,
                "line_version": s.line_version,
                "settlement_id": s.settlement_id,
                "settlement_metres": s.settlement_metres,
                "post_id": s.post_id,
                "post_metres": s.post_metres,
                "line_metres": s.line_metres,
                "side": s.side,
                "zone": s.zone,
                "hazards": list(s.hazards),
                "enriched_at": s.enriched_at,
            }
            for record_id, s in zip(ids, standings, strict=True)
        ],
    )


def incident_positions(conn: Connection, size: int) -> Iterator[list[tuple[str, float, float]]]:
    """Every incident's (id, lat, lon), in batches of `size`, by id."""
    last = ""
    c = incidents.c
    while True:
        rows = conn.execute(
            select(c.id, c.lat, c.lon).where(c.id > last).order_by(c.id).limit(size)
        ).all()
        if not rows:
            return
        yield [(row.id, row.lat, row.lon) for row in rows]
        last = rows[-1].id


def latest_line_version(conn: Connection) -> Any:
    """The newest recorded version of the line (a row), or None: the pack's line stands."""
    return conn.execute(
        select(line_versions).order_by(line_versions.c.version.desc()).limit(1)
    ).first()


def line_version(conn: Connection, number: int) -> Any:
    return conn.execute(select(line_versions).where(line_versions.c.version == number)).first()


def line_versions_recorded(conn: Connection) -> list[Any]:
    return list(conn.execute(select(line_versions).order_by(line_versions.c.version)))


def insert_line_version(
    conn: Connection,
    *,
    version: int,
    drawing: dict[str, Any],
    provenance: str,
    illustrative: bool,
    at: datetime,
    by: str,
    author_org: str,
) -> None:
    conn.execute(
        insert(line_versions).values(
            version=version,
            drawing=drawing,
            provenance=provenance,
            illustrative=illustrative,
            recorded_at=at,
            recorded_by=by,
            author_org=author_org,
        )
    )
