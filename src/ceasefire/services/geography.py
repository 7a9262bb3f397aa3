"""Where records stand against the line of contact: placing each record as it is written,
re-placing every record when the line changes, and the versions of the line itself.

Version 1 of the line is the pack's drawing; the mission records later versions, each with
its provenance and whether it is illustrative. A record's standing names the line version it
was computed against, so a reader can tell an old standing from a current one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.geography import (
    BEYOND,
    Geography,
    LineDrawing,
    Standing,
    pack_geography,
    pack_line,
    read_line,
)
from ceasefire.domain.naming import in_language
from ceasefire.services import log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import geography as store
from ceasefire.store.incidents import count_incidents

BATCH = 10_000
MAX_PROVENANCE = 2000

Progress = Callable[[int, int], None]
"""Told (records done, records in all) as re-placing goes."""


@dataclass(frozen=True)
class LineVersion:
    number: int
    document: dict[str, Any]
    """The drawing as GeoJSON (RFC 7946): the line's LineStrings, the sides' Polygons"""
    provenance: str
    illustrative: bool
    recorded_at: datetime | None
    """None for version 1, the pack's"""
    recorded_by: str | None


def current_line(conn: Connection, dep: Deployment) -> LineVersion:
    row = store.latest_line_version(conn)
    return _line(row) if row is not None else _pack_version(dep)


def geography_of(dep: Deployment, line: LineVersion) -> Geography:
    """The deployment's geography with this version of the line (built once per version)."""
    known = dep.geographies.get(line.number)
    if known is None:
        drawing = pack_line(dep.scenario) if line.number == 1 else _drawing(dep, line.document)
        found = pack_geography(dep.scenario, list(dep.gazetteer), drawing)
        dep.geographies[line.number] = (line.illustrative, found)
        return found
    return known[1]


def current_geography(conn: Connection, dep: Deployment) -> tuple[LineVersion, Geography]:
    """The current version of the line, and the geography built on it."""
    line = current_line(conn, dep)
    return line, geography_of(dep, line)


def stand(conn: Connection, dep: Deployment, lat: float, lon: float) -> Standing:
    """Where a point stands against the current line (nothing is stored)."""
    line, geography = current_geography(conn, dep)
    (found,) = geography.stand([lat], [lon], line.number, utcnow())
    return found


def place_record(
    conn: Connection, dep: Deployment, kind: str, record_id: str, lat: float, lon: float
) -> Standing:
    """Work out where one record stands and store it, in the caller's transaction."""
    found = stand(conn, dep, lat, lon)
    store.save_standings(conn, kind, [record_id], [found])
    return found


def replace_all(dep: Deployment, progress: Progress | None = None) -> int:
    """Work out again where every incident stands, against the current line; return how
    many. Each batch is its own transaction, so readers are never held up for long."""
    with dep.db.read() as conn:
        line, geography = current_geography(conn, dep)
        total = count_incidents(conn)
        batches = list(store.incident_positions(conn, BATCH))
    done = 0
    for batch in batches:
        ids = [record_id for record_id, _, _ in batch]
        standings = geography.stand(
            [lat for _, lat, _ in batch], [lon for _, _, lon in batch], line.number, utcnow()
        )
        with dep.db.begin() as conn:
            store.save_standings(conn, "incident", ids, standings)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return done


def record_line(
    dep: Deployment,
    viewer: Viewer,
    document: Any,
    *,
    provenance: str,
    illustrative: bool,
    now: datetime | None = None,
) -> LineVersion:
    """The mission records a new version of the line (callers then re-place the records)."""
    if not authz.can_record_line(viewer):
        raise Forbidden("only the mission's administrators record the line of contact")
    provenance = provenance.strip()
    if not provenance:
        raise InvalidInput("provenance", "say where this drawing of the line comes from")
    if len(provenance) > MAX_PROVENANCE:
        raise InvalidInput("provenance", f"must be at most {MAX_PROVENANCE} characters")
    _drawing(dep, document)
    now = now or utcnow()
    try:
        with dep.db.begin() as conn:
            number = current_line(conn, dep).number + 1
            store.insert_line_version(
                conn,
                version=number,
                drawing=document,
                provenance=provenance,
                illustrative=illustrative,
                at=now,
                by=viewer.username,
                author_org=viewer.organisation_id,
            )
            row = store.line_version(conn, number)
            log.record_line(conn, row)
            return _line(row)
    except IntegrityError:
        raise Conflict("another version of the line was recorded meanwhile: retry") from None


def line_versions(dep: Deployment) -> list[LineVersion]:
    """Every version of the line, the pack's first."""
    with dep.db.read() as conn:
        return [_pack_version(dep)] + [_line(r) for r in store.line_versions_recorded(conn)]


def line_version(dep: Deployment, number: int) -> LineVersion:
    for version in line_versions(dep):
        if version.number == number:
            return version
    raise NotFound("no such version of the line", "version")


def zone_name(dep: Deployment, zone_id: str | None, lang: str) -> str | None:
    settings = dep.scenario.geography
    if zone_id == BEYOND:
        return in_language(settings.beyond, lang, BEYOND)
    zone = next((z for z in settings.zones if z.id == zone_id), None)
    return in_language(zone.names, lang, zone.id) if zone else zone_id


def zones_collection(dep: Deployment, viewer: Viewer) -> dict[str, Any]:
    """The zones of the current line as GeoJSON bands, named for the viewer."""
    with dep.db.read() as conn:
        line, geography = current_geography(conn, dep)
    features = [
        {
            "type": "Feature",
            "id": zone.id,
            "geometry": geometry,
            "properties": {
                "zone": zone.id,
                "name": zone_name(dep, zone.id, viewer.language),
                "within_metres": zone.within_metres,
                "line_version": line.number,
                "illustrative": line.illustrative,
            },
        }
        for zone, geometry in geography.zone_buffers()
    ]
    return {"type": "FeatureCollection", "features": features}


def _drawing(dep: Deployment, document: Any) -> LineDrawing:
    return read_line(document, {p.id for p in dep.scenario.parties})


def _pack_version(dep: Deployment) -> LineVersion:
    scenario = dep.scenario
    layers = [layer for layer in scenario.layers if layer.kind == "line_of_contact"]
    features = [f for layer in layers for f in scenario.layer_geojson[layer.file]["features"]]
    return LineVersion(
        number=1,
        document={"type": "FeatureCollection", "features": features},
        provenance=" ".join(layer.provenance for layer in layers) or "none in the pack",
        illustrative=any(layer.illustrative for layer in layers),
        recorded_at=None,
        recorded_by=None,
    )


def _line(row: Any) -> LineVersion:
    return LineVersion(
        number=row.version,
        document=row.drawing,
        provenance=row.provenance,
        illustrative=row.illustrative,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


def present_standing(dep: Deployment, viewer: Viewer, found: Standing | None) -> Any:
    """A standing in JSON, with its places, side, zone and hazards named for the viewer."""
    if found is None:
        return None
    scenario, lang = dep.scenario, viewer.language

    def place(place_id: str | None, metres: float | None) -> Any:
        known = dep.gazetteer.place(place_id or "")
        if known is None or metres is None:
            return None
        name = scenario.name_of(known.names, viewer.audience, lang)
        return {"id": known.id, "name": name, "metres": round(metres, 1)}

    party = next((p for p in scenario.parties if p.id == found.side), None)
    known = dep.geographies.get(found.line_version)
    illustrative = known[0] if known else line_version(dep, found.line_version).illustrative
    return {
        "line_version": found.line_version,
        "line_illustrative": illustrative,
        "line_metres": None if found.line_metres is None else round(found.line_metres, 1),
        "side": {
            "party": party.id,
            "name": scenario.name_of(party.names, viewer.audience, lang),
        }
        if party
        else None,
        "zone": {"id": found.zone, "name": zone_name(dep, found.zone, lang)}
        if found.zone
        else None,
        "settlement": place(found.settlement_id, found.settlement_metres),
        "post": place(found.post_id, found.post_metres),
        "hazards": [{"id": h, "name": hazard_name(dep, viewer, h)} for h in found.hazards],
        "enriched_at": found.enriched_at.isoformat(),
    }


def hazard_name(dep: Deployment, viewer: Viewer, hazard_id: str) -> str:
    """A hazard area's name for the viewer: its `names` in their language, and the place it
    is near (its `near` property) named for their audience."""
    scenario = dep.scenario
    for layer in scenario.layers:
        if layer.kind != "hazard":
            continue
        for feature in scenario.layer_geojson[layer.file].get("features", []):
            properties = feature.get("properties") or {}
            if properties.get("id") != hazard_id:
                continue
            names = properties.get("names") or {}
            name = str(in_language(names, viewer.language, hazard_id)) if names else hazard_id
            near = dep.gazetteer.place(str(properties.get("near") or ""))
            if near is not None:
                name += f" ({scenario.name_of(near.names, viewer.audience, viewer.language)})"
            return name
    return hazard_id


def stand_point(dep: Deployment, viewer: Viewer, lat: float, lon: float) -> Any:
    """Where a point would stand (nothing is stored): for forms that place a new record."""
    for name, value, bound in (("lat", lat, 90), ("lon", lon, 180)):
        if not -bound <= value <= bound:
            raise InvalidInput(name, f"must be between -{bound} and {bound}")
    with dep.db.read() as conn:
        found = stand(conn, dep, lat, lon)
    return present_standing(dep, viewer, found)


ZONE_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#95a5a6")


def map_layers(dep: Deployment, viewer: Viewer) -> dict[str, Any]:
    """What a map draws, named for the viewer: the pack's layers, the current version of the
    line with the sides' areas and the zones, and the places. Illustrative ones are flagged."""
    scenario, lang = dep.scenario, viewer.language
    with dep.db.read() as conn:
        line = current_line(conn, dep)
    features: list[dict[str, Any]] = []

    def add(geometry: Any, **properties: Any) -> None:
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})

    line_layer = None
    for layer in scenario.layers:
        if layer.kind == "line_of_contact":
            line_layer = line_layer or layer
            continue
        for feature in scenario.layer_geojson[layer.file].get("features", []):
            properties = dict(feature.get("properties") or {})
            name = in_language(layer.names, lang, layer.id)
            if layer.kind == "hazard" and properties.get("id"):
                name = hazard_name(dep, viewer, str(properties["id"]))
            properties.update(
                layer=layer.id,
                kind=layer.kind,
                name=name,
                illustrative=layer.illustrative,
                provenance=layer.provenance,
                color=layer.color,
            )
            add(feature["geometry"], **properties)
    line_name = in_language(line_layer.names, lang, line_layer.id) if line_layer else ""
    parties = {p.id: scenario.name_of(p.names, viewer.audience, lang) for p in scenario.parties}
    for feature in line.document.get("features", []):
        party = (feature.get("properties") or {}).get("party")
        add(
            feature["geometry"],
            layer="line-of-contact",
            kind="side" if party else "line_of_contact",
            name=parties.get(party, "") if party else line_name,
            party=party,
            line_version=line.number,
            illustrative=line.illustrative,
            provenance=line.provenance,
            color=line_layer.color if line_layer else "#c0392b",
        )
    for i, zone in enumerate(zones_collection(dep, viewer)["features"]):
        add(
            zone["geometry"],
            **zone["properties"],
            layer="zones",
            kind="zone",
            provenance=line.provenance,
            color=ZONE_COLOURS[min(i, len(ZONE_COLOURS) - 1)],
        )
    for place in scenario.places:
        features.append(
            {
                "type": "Feature",
                "id": place.id,
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "layer": "places",
                    "kind": place.kind,
                    "id": place.id,
                    "name": scenario.name_of(place.names, viewer.audience, lang),
                    "approximate": place.coordinates == "approximate",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
