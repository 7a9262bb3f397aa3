"""The deployment's scenario in the database: the pack itself, and the organisations and
places that other tables refer to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ceasefire.domain.scenario import Place, Scenario
from ceasefire.store.tables import deployment, organisations, places


def save_scenario(conn: Connection, scenario: Scenario, at: datetime) -> None:
    """Store the pack and bring organisations and places in line with it (nothing is deleted)."""
    conn.execute(delete(deployment))
    conn.execute(
        insert(deployment).values(
            id=1, scenario_id=scenario.info.id, pack=scenario.model_dump(mode="json"), loaded_at=at
        )
    )
    known_orgs = set(conn.execute(select(organisations.c.id)).scalars())
    for org in scenario.organisations:
        values: dict[str, Any] = {
            "kind": org.kind,
            "party": org.party,
            "parent": org.parent,
            "mission": org.mission,
            "audience": org.audience,
            "names": [n.model_dump() for n in org.names],
        }
        if org.id in known_orgs:
            conn.execute(update(organisations).where(organisations.c.id == org.id).values(**values))
        else:
            conn.execute(insert(organisations).values(id=org.id, **values))
    known_places = set(conn.execute(select(places.c.id)).scalars())
    for place in scenario.places:
        values = place_row(place, "pack")
        if place.id in known_places:
            conn.execute(update(places).where(places.c.id == place.id).values(**values))
        else:
            conn.execute(insert(places).values(id=place.id, **values))


def place_row(place: Place, source: str) -> dict[str, Any]:
    """A place's columns (but its id), as the places table keeps them."""
    return {
        "kind": place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "names": [n.model_dump() for n in place.names],
        "source": source,
        "coordinates": place.coordinates,
        "geonames_name": place.geonames_name,
    }


def imported_places(conn: Connection) -> list[Place]:
    """The places imported from GeoNames or GeoJSON (the pack's are in the pack)."""
    rows = conn.execute(select(places).where(places.c.source != "pack").order_by(places.c.id))
    return [
        Place(
            id=row.id,
            kind=row.kind,
            names=row.names,
            lat=row.lat,
            lon=row.lon,
            coordinates=row.coordinates,
            geonames_name=row.geonames_name,
        )
        for row in rows
    ]


def save_imported(conn: Connection, found: list[Place], source: str) -> tuple[int, int]:
    """Add or update imported places (never the pack's); return (added, updated)."""
    existing = {row.id: row.source for row in conn.execute(select(places.c.id, places.c.source))}
    new, updated = [], 0
    for place in found:
        if existing.get(place.id) == "pack":
            continue
        values = place_row(place, source)
        if place.id in existing:
            conn.execute(update(places).where(places.c.id == place.id).values(**values))
            updated += 1
        else:
            new.append({"id": place.id, **values})
    if new:
        conn.execute(insert(places), new)  # one executemany
    return len(new), updated


def load_scenario(conn: Connection) -> Scenario | None:
    pack = conn.execute(select(deployment.c.pack).where(deployment.c.id == 1)).scalar()
    return Scenario.model_validate(pack) if pack is not None else None
