"""Places of the gazetteer: found by any name, in any script, with typos; imported from
GeoNames dumps and GeoJSON; exported as GeoJSON.

Imports write to the database; a running `serve` reads the gazetteer when it starts, so it
names the imported places after a restart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasefire.domain import geonames
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, InvalidInput
from ceasefire.domain.gazetteer_geojson import from_feature_collection, to_feature_collection
from ceasefire.domain.geography import WGS84
from ceasefire.domain.naming import Name
from ceasefire.domain.scenario import Place
from ceasefire.services.deployment import Deployment
from ceasefire.store.deployment import save_imported

MAX_QUERY = 200
MAX_RESULTS = 50


@dataclass(frozen=True)
class Found:
    place: Place
    name: str
    """the place's name for the reader (its audience and language)"""
    matched: str
    """the name the query matched, as written"""
    score: float


def search_places(dep: Deployment, viewer: Viewer, query: str, limit: int = 10) -> list[Found]:
    """Places whose names match `query`, best first, named for the viewer."""
    query = query.strip()
    if not query:
        raise InvalidInput("q", "type part of a place's name")
    if len(query) > MAX_QUERY:
        raise InvalidInput("q", f"must be at most {MAX_QUERY} characters")
    if "\x00" in query:
        raise InvalidInput("q", "must not contain NUL characters")
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidInput("limit", f"must be between 1 and {MAX_RESULTS}")
    scenario = dep.scenario
    found = []
    for match in dep.gazetteer.names.search(query, limit):
        place = dep.gazetteer.place(match.place_id)
        if place is not None:
            name = scenario.name_of(place.names, viewer.audience, viewer.language)
            found.append(Found(place, name, match.name, round(match.score, 3)))
    return found


# --- importing and exporting the gazetteer -------------------------------------------------

IMPORT_BATCH = 5_000
"""places read between two progress reports"""


@dataclass(frozen=True)
class Imported:
    read: int
    """places of a kind the gazetteer keeps, read from the files"""
    added: int
    updated: int
    skipped: int
    """places the pack already has (same GeoNames name, within SAME_PLACE_METRES), or that are
    the pack's own ids"""


SAME_PLACE_METRES = 2_000.0


def place_named(dep: Deployment, viewer: Viewer, typed: str) -> str | None:
    """The place a typed name names without doubt (one exact match among its names), or
    None: a form sent from the field, or a page without JavaScript, picked none."""
    try:
        found = search_places(dep, viewer, typed, limit=2)
    except DomainError:
        return None
    exact = [f for f in found if f.score == 1.0]
    return exact[0].place.id if len(exact) == 1 else None


def import_geonames(
    dep: Deployment,
    main: Path,
    alternates: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Add the populated places and regions of a GeoNames dump to the gazetteer, with their
    alternate names in the deployment's languages; all or nothing. A place the pack already
    has is left to the pack."""
    rows: list[geonames.Row] = []
    try:
        with main.open(encoding="utf-8") as lines:
            for row in geonames.read_main(lines, main.name):
                if geonames.kind_of(row) is not None:
                    rows.append(row)
                    if progress and len(rows) % IMPORT_BATCH == 0:
                        progress(len(rows))
        names: dict[int, list[Name]] = {}
        if alternates is not None:
            with alternates.open(encoding="utf-8") as lines:
                wanted = {row.geonameid for row in rows}
                names = geonames.read_alternates(lines, alternates.name, wanted)
    except geonames.GeoNamesProblem as exc:
        raise InvalidInput(f"{exc.file}:{exc.line}:{exc.column}", exc.reason) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", f"is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    pack = [p for p in dep.scenario.places if p.geonames_name]
    found, skipped = [], 0
    for row in rows:
        if any(_same(place, row) for place in pack):
            skipped += 1
            continue
        kind = geonames.kind_of(row)
        assert kind is not None
        found.append(geonames.to_place(row, kind, names.get(row.geonameid, [])))
    with dep.db.begin() as conn:
        added, updated = save_imported(conn, found, "geonames")
    if progress:
        progress(len(rows))
    skipped += len(found) - added - updated
    return Imported(len(rows), added, updated, skipped)


def _same(place: Place, row: geonames.Row) -> bool:
    metres = WGS84.inv(place.lon, place.lat, row.lon, row.lat)[2]
    return place.geonames_name == row.name and metres < SAME_PLACE_METRES


def import_geojson(dep: Deployment, document: Any) -> Imported:
    """Add or update the places of a GeoJSON FeatureCollection (see `export_geojson`); the
    pack's own places are not overwritten. All or nothing."""
    found = from_feature_collection(document)
    with dep.db.begin() as conn:
        added, updated = save_imported(conn, found, "geojson")
    return Imported(len(found), added, updated, len(found) - added - updated)


def export_geojson(dep: Deployment, viewer: Viewer) -> dict[str, Any]:
    """Every place of the gazetteer as RFC 7946 GeoJSON, named for the viewer."""
    scenario = dep.scenario
    return to_feature_collection(
        dep.gazetteer, lambda p: scenario.name_of(p.names, viewer.audience, viewer.language)
    )
