"""Where a located record stands: the nearest settlement and the nearest post, how far it
is from the line of contact and on whose side, its zone, and the hazard areas near it.

Candidates are found in a projection centred on the deployment's area (azimuthal
equidistant: no distance in degrees anywhere), with an STR-tree over the places and
Shapely's vectorised operations over all records at once. The metres reported are
geodesic, on the WGS 84 ellipsoid (PROJ's `Geod`), between the record and the nearest
place, or the nearest point of the line (PostGIS's `geography` distances agree within a
metre, but for the odd point whose nearest point of the line is a vertex).

Which side a record is on comes from the line's drawing: besides its lines, a version of
the line of contact holds the areas each party holds (polygons whose `party` property names
the party). Zones are bands of distance from the line (the pack's `geography.zones`); hazard
areas (mines, unexploded ordnance) count when they lie within the configured radius, which
is measured in the projection (within a few centimetres per kilometre of the geodesic over
the area a deployment covers).

`enrich` does every record of an array at once; `enrich_one` does one record the plain way
(one Shapely geometry at a time), which is what the vectorised path is measured against.
"""

from __future__ import annotations

import json
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import numpy as np
import shapely
from pyproj import Geod, Transformer

from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.notices import Measures
from ceasefire.domain.scenario import Place, Scenario

SETTLEMENTS = frozenset({"city", "town", "village"})
POSTS = frozenset({"post"})
WGS84 = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Area:
    """A polygon of a layer: a side of the line (`label` is the party) or a hazard area."""

    id: str
    label: str
    rings: list[list[tuple[float, float]]]
    """The exterior ring, then any holes, as (lon, lat) positions."""


@dataclass(frozen=True)
class LineDrawing:
    """One drawing of the line of contact: its lines and the areas each side holds."""

    lines: list[list[tuple[float, float]]]
    sides: list[Area]


@dataclass(frozen=True)
class Zone:
    """A band of distance from the line: records closer than `within_metres` (and not in a
    narrower zone) are in it."""

    id: str
    within_metres: float


@dataclass(frozen=True)
class Nearest:
    """For each record: the index of the nearest place in its list, and the metres to it."""

    index: np.ndarray[Any, np.dtype[np.intp]]
    metres: np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class Enrichment:
    settlement: Nearest
    post: Nearest
    line_metres: np.ndarray[Any, np.dtype[np.float64]]
    """NaN where the deployment has no line of contact"""
    side: np.ndarray[Any, np.dtype[np.intp]]
    """Index into `Geography.sides`, or -1 where no side's area holds the record"""
    zone: np.ndarray[Any, np.dtype[np.intp]]
    """Index into `Geography.zones`; len(zones) beyond the widest; -1 without a line"""
    hazards: list[list[int]]
    """Indexes into `Geography.hazards` of the areas within the hazard radius"""


@dataclass(frozen=True)
class OneRecord:
    """One record's enrichment, the plain way."""

    settlement: int
    settlement_metres: float
    post: int
    post_metres: float
    line_metres: float
    side: int
    zone: int
    hazards: list[int]


@dataclass(frozen=True)
class Standing:
    """Where one record stands, by the ids of what it is near; stored beside the record."""

    line_version: int
    settlement_id: str | None
    settlement_metres: float | None
    post_id: str | None
    post_metres: float | None
    line_metres: float | None
    side: str | None
    """The party whose side's area holds the record"""
    zone: str | None
    """A zone's id, BEYOND past the widest, None without a line"""
    hazards: tuple[str, ...]
    enriched_at: datetime


BEYOND = "beyond"


def arrays(*values: np.ndarray[Any, Any]) -> list[Any]:
    """Arrays as PROJ should get them: pyproj 3.7 takes a one-element array for a scalar
    (which NumPy deprecates), so a single record goes as lists."""
    return [v.tolist() if v.size == 1 else v for v in values]


def read_line(document: Any, parties: Set[str]) -> LineDrawing:
    """A line drawing from a GeoJSON FeatureCollection: LineStrings are the line, Polygons
    whose `party` property names a party are that party's side. Raises `InvalidInput` naming
    the first feature at fault."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput("type", "a line of contact is a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise InvalidInput("features", "must be a list of features")
    lines: list[list[tuple[float, float]]] = []
    sides: list[Area] = []
    for i, feature in enumerate(features):
        key = f"features[{i}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            raise InvalidInput(f"{key}.geometry", "missing")
        kind = geometry.get("type")
        try:
            if kind in ("LineString", "MultiLineString"):
                parts = geometry["coordinates"]
                for part in [parts] if kind == "LineString" else parts:
                    lines.append(_positions(part, 2))
            elif kind in ("Polygon", "MultiPolygon"):
                party = (feature.get("properties") or {}).get("party")
                if party not in parties:
                    raise InvalidInput(
                        f"{key}.properties.party",
                        f"a side's area names one of the parties {sorted(parties)}",
                    )
                for rings in _polygons(geometry):
                    sides.append(Area(f"side-{len(sides) + 1}", str(party), rings))
            else:
                raise InvalidInput(
                    f"{key}.geometry.type", "a LineString, MultiLineString or (Multi)Polygon"
                )
        except InvalidInput:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"{key}.geometry.coordinates", f"malformed: {exc}") from None
    if not lines:
        raise InvalidInput("features", "no LineString: a line of contact needs its line")
    return LineDrawing(lines, sides)


def _positions(value: Any, at_least: int) -> list[tuple[float, float]]:
    positions = [(float(p[0]), float(p[1])) for p in value]
    if len(positions) < at_least:
        raise ValueError(f"needs at least {at_least} positions")
    for lon, lat in positions:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"position [{lon}, {lat}] is out of range")
    return positions


def _polygons(geometry: dict[str, Any]) -> list[list[list[tuple[float, float]]]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [[_positions(ring, 4) for ring in polygon] for polygon in polygons]


def pack_line(scenario: Scenario) -> LineDrawing:
    """The line as the pack draws it (its line-of-contact layers): the line's version 1."""
    lines: list[list[tuple[float, float]]] = []
    sides: list[Area] = []
    parties = {p.id for p in scenario.parties}
    for layer in scenario.layers:
        if layer.kind == "line_of_contact":
            drawing = read_line(scenario.layer_geojson[layer.file], parties)
            lines += drawing.lines
            sides += drawing.sides
    return LineDrawing(lines, sides)


def pack_geography(
    scenario: Scenario, places: Sequence[Place] | None = None, drawing: LineDrawing | None = None
) -> Geography:
    """The geography a deployment of the pack works with: its places (or those given, the
    gazetteer's), a drawing of the line (the pack's unless given) with its sides, the pack's
    zones and hazard areas."""
    drawing = drawing or pack_line(scenario)
    settings = scenario.geography
    return Geography(
        scenario.info.map.center,
        scenario.places if places is None else places,
        drawing.lines,
        sides=drawing.sides,
        zones=[Zone(z.id, z.within_metres) for z in settings.zones],
        hazards=hazard_areas(scenario),
        hazard_radius=settings.hazard_radius_metres,
    )


def line_of_contact(scenario: Scenario) -> list[list[tuple[float, float]]]:
    """The lines of the pack's line-of-contact layers, as (lon, lat) positions."""
    return pack_line(scenario).lines


def hazard_areas(scenario: Scenario) -> list[Area]:
    """The polygons of the pack's hazard layers, each labelled by its `id` property."""
    found: list[Area] = []
    for layer in scenario.layers:
        if layer.kind != "hazard":
            continue
        for i, feature in enumerate(scenario.layer_geojson[layer.file].get("features", [])):
            geometry = feature.get("geometry") or {}
            if geometry.get("type") not in ("Polygon", "MultiPolygon"):
                continue
            properties = feature.get("properties") or {}
            area_id = str(properties.get("id") or f"{layer.id}-{i + 1}")
            found += [Area(area_id, area_id, rings) for rings in _polygons(geometry)]
    return found


class Geography:
    """The deployment's settlements, posts, line of contact, sides, zones and hazard areas,
    ready for distance questions."""

    def __init__(
        self,
        centre: tuple[float, float],
        places: Sequence[Place],
        line: Sequence[Sequence[tuple[float, float]]] = (),
        *,
        sides: Sequence[Area] = (),
        zones: Sequence[Zone] = (),
        hazards: Sequence[Area] = (),
        hazard_radius: float = 0.0,
    ) -> None:
        """`centre`: (lat, lon) of the area; `line`: the line of contact, as lines of
        (lon, lat) positions (GeoJSON's order); `zones` from the narrowest out."""
        lat, lon = centre
        self._to_metres = Transformer.from_crs(
            "EPSG:4326",
            f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m",
            always_xy=True,
        )
        self._to_degrees = Transformer.from_crs(
            self._to_metres.target_crs, "EPSG:4326", always_xy=True
        )
        self.settlements = [p for p in places if p.kind in SETTLEMENTS]
        self.posts = [p for p in places if p.kind in POSTS]
        self._settlements = self._points(self.settlements)
        self._posts = self._points(self.posts)
        self._trees = (shapely.STRtree(self._settlements), shapely.STRtree(self._posts))
        self._line = None
        if line:
            self._line = shapely.MultiLineString([self._project(part) for part in line])
        self.sides = list(sides)
        self._sides = [self._polygon(area) for area in self.sides]
        self._side_tree = shapely.STRtree(self._sides)
        self.zones = sorted(zones, key=lambda z: z.within_metres)
        self._bands = np.array([z.within_metres for z in self.zones], dtype=float)
        self.hazards = list(hazards)
        self._hazards = [self._polygon(area) for area in self.hazards]
        self._hazard_tree = shapely.STRtree(self._hazards)
        self.hazard_radius = hazard_radius

    def _project(self, positions: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        xs, ys = self._to_metres.transform([x for x, _ in positions], [y for _, y in positions])
        return list(zip(xs, ys, strict=True))

    def _polygon(self, area: Area) -> shapely.Polygon:
        exterior, *holes = area.rings
        return shapely.Polygon(self._project(exterior), [self._project(h) for h in holes])

    def zone_buffers(self) -> list[tuple[Zone, dict[str, Any]]]:
        """Each zone as a GeoJSON geometry (lon, lat): the band of the line it covers."""
        if self._line is None:
            return []
        found, inner = [], None
        for zone in self.zones:
            outer = shapely.buffer(self._line, zone.within_metres, quad_segs=4)
            band = outer if inner is None else shapely.difference(outer, inner)
            band = shapely.simplify(band, 10.0)
            found.append((zone, json.loads(shapely.to_geojson(self._unproject(band)))))
            inner = outer
        return found

    def _unproject(self, geometry: shapely.Geometry) -> shapely.Geometry:
        def degrees(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
            lons, lats = self._to_degrees.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([np.round(lons, 6), np.round(lats, 6)])

        return shapely.transform(geometry, degrees)

    def _points(self, places: list[Place]) -> np.ndarray[Any, np.dtype[np.object_]]:
        if not places:
            return np.empty(0, dtype=object)
        xs, ys = self._to_metres.transform([p.lon for p in places], [p.lat for p in places])
        points: np.ndarray[Any, np.dtype[np.object_]] = shapely.points(xs, ys)
        return points

    # --- every record at once ------------------------------------------------------------

    def enrich(self, lats: Sequence[float], lons: Sequence[float]) -> Enrichment:
        lat, lon = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        xs, ys = self._to_metres.transform(*arrays(lon, lat))
        points = cast(
            "np.ndarray[Any, np.dtype[np.object_]]",
            shapely.points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)),
        )
        line_metres = self._line_metres(points, lat, lon)
        side = np.full(len(points), -1, dtype=np.intp)
        if self._sides:
            record, area = self._side_tree.query(points, predicate="intersects")
            last_first = np.lexsort((area, record))[::-1]
            side[record[last_first]] = area[last_first]  # the first area listed wins
        hazards: list[list[int]] = [[] for _ in range(len(points))]
        if self._hazards:
            near = self._hazard_tree.query(points, predicate="dwithin", distance=self.hazard_radius)
            for record, area in zip(near[0].tolist(), near[1].tolist(), strict=True):
                hazards[record].append(area)
        return Enrichment(
            settlement=self._nearest(points, lat, lon, self._trees[0], self.settlements),
            post=self._nearest(points, lat, lon, self._trees[1], self.posts),
            line_metres=line_metres,
            side=side,
            zone=self._zone(line_metres),
            hazards=[sorted(h) for h in hazards],
        )

    def _zone(
        self, metres: np.ndarray[Any, np.dtype[np.float64]]
    ) -> np.ndarray[Any, np.dtype[np.intp]]:
        zone = np.searchsorted(self._bands, metres, side="right").astype(np.intp)
        zone[np.isnan(metres)] = -1
        return zone

    def stand(
        self, lats: Sequence[float], lons: Sequence[float], line_version: int, at: datetime
    ) -> list[Standing]:
        """`enrich`, told by the ids of the places, sides, zones and hazard areas."""
        found = self.enrich(lats, lons)
        zone_ids = [z.id for z in self.zones] + [BEYOND]

        def pick(nearest: Nearest, places: list[Place], i: int) -> tuple[str | None, float | None]:
            index = int(nearest.index[i])
            return (places[index].id, float(nearest.metres[i])) if index >= 0 else (None, None)

        standings = []
        for i in range(len(found.line_metres)):
            line, side, zone = found.line_metres[i], found.side[i], found.zone[i]
            standings.append(
                Standing(
                    line_version,
                    *pick(found.settlement, self.settlements, i),
                    *pick(found.post, self.posts, i),
                    None if np.isnan(line) else float(line),
                    self.sides[side].label if side >= 0 else None,
                    zone_ids[zone] if zone >= 0 else None,
                    tuple(dict.fromkeys(self.hazards[h].id for h in found.hazards[i])),
                    at,
                )
            )
        return standings

    def _nearest(
        self,
        points: np.ndarray[Any, np.dtype[np.object_]],
        lat: np.ndarray[Any, np.dtype[np.float64]],
        lon: np.ndarray[Any, np.dtype[np.float64]],
        tree: shapely.STRtree,
        places: list[Place],
    ) -> Nearest:
        if not places:
            return Nearest(np.full(len(points), -1), np.full(len(points), np.nan))
        pairs = tree.query_nearest(points, all_matches=False)
        chosen = np.full(len(points), -1, dtype=np.intp)
        chosen[pairs[0]] = pairs[1]
        place_lat = np.array([p.lat for p in places])[chosen]
        place_lon = np.array([p.lon for p in places])[chosen]
        _, _, metres = WGS84.inv(*arrays(lon, lat, place_lon, place_lat))
        return Nearest(chosen, np.asarray(metres, dtype=float))

    def _line_metres(
        self,
        points: np.ndarray[Any, np.dtype[np.object_]],
        lat: np.ndarray[Any, np.dtype[np.float64]],
        lon: np.ndarray[Any, np.dtype[np.float64]],
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        if self._line is None:
            return np.full(len(points), np.nan)
        # the line's end of the shortest line to each record (not locate-then-interpolate:
        # where two parts of the line meet, that can land on the wrong part's end)
        on_line = shapely.get_point(shapely.shortest_line(self._line, points), 0)
        near_lon, near_lat = self._to_degrees.transform(
            *arrays(shapely.get_x(on_line), shapely.get_y(on_line))
        )
        _, _, metres = WGS84.inv(*arrays(lon, lat, np.asarray(near_lon), np.asarray(near_lat)))
        return np.asarray(metres, dtype=float)

    # --- an area (a notice's point, plot or route) ------------------------------------------

    def measure(self, area: shapely.Geometry, near_metres: float) -> Measures:
        """How an area in (lon, lat) lies against the line, the sides, the hazard areas and
        the posts; sides within `near_metres` count as near."""
        projected = shapely.transform(area, self._metres_of)
        line_metres, crosses = None, False
        if self._line is not None:
            crosses = int(shapely.get_type_id(area)) != 0 and bool(
                shapely.intersects(projected, self._line)
            )
            line_metres = self._geodesic_gap(projected, self._line)
        sides = [
            a.label for a, p in zip(self.sides, self._sides, strict=True) if p.intersects(projected)
        ]
        near = [
            a.label
            for a, p in zip(self.sides, self._sides, strict=True)
            if bool(shapely.dwithin(p, projected, near_metres))
        ]
        inside = [
            a.id
            for a, p in zip(self.hazards, self._hazards, strict=True)
            if p.intersects(projected)
        ]
        near_hazards = [
            a.id
            for a, p in zip(self.hazards, self._hazards, strict=True)
            if bool(shapely.dwithin(p, projected, self.hazard_radius))
        ]
        settlement = self._nearest_to(projected, self._trees[0], self.settlements)
        post = self._nearest_to(projected, self._trees[1], self.posts)
        return Measures(
            line_metres=line_metres,
            crosses_line=crosses,
            sides=tuple(dict.fromkeys(sides)),
            near_sides=tuple(dict.fromkeys(near)),
            hazards_inside=tuple(dict.fromkeys(inside)),
            hazards_near=tuple(dict.fromkeys(near_hazards)),
            settlement_id=settlement[0],
            post_id=post[0],
            post_metres=post[1],
        )

    def count_within(
        self, area: shapely.Geometry, positions: Sequence[tuple[float, float]], metres: float
    ) -> int:
        """How many of the (lat, lon) positions lie within `metres` of an area in (lon, lat)."""
        if not positions:
            return 0
        projected = shapely.transform(area, self._metres_of)
        xs, ys = self._to_metres.transform(
            [lon for _, lon in positions], [lat for lat, _ in positions]
        )
        points = shapely.points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
        return int(np.count_nonzero(shapely.dwithin(points, projected, metres)))

    def _metres_of(self, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        xs, ys = self._to_metres.transform(*arrays(coords[:, 0], coords[:, 1]))
        return np.column_stack([xs, ys])

    def _geodesic_gap(self, a: shapely.Geometry, b: shapely.Geometry) -> float:
        """Geodesic metres between the nearest points of two projected geometries."""
        (x1, y1), (x2, y2) = shapely.shortest_line(a, b).coords
        lons, lats = self._to_degrees.transform([x1, x2], [y1, y2])
        return float(WGS84.inv(lons[0], lats[0], lons[1], lats[1])[2])

    def _nearest_to(
        self, area: shapely.Geometry, tree: shapely.STRtree, places: list[Place]
    ) -> tuple[str | None, float | None]:
        if not places:
            return None, None
        index = int(tree.query_nearest(area, all_matches=False)[0])
        place = places[index]
        x, y = self._to_metres.transform(place.lon, place.lat)
        return place.id, self._geodesic_gap(area, shapely.Point(x, y))

    # --- one record, the plain way -------------------------------------------------------

    def enrich_one(self, lat: float, lon: float) -> OneRecord:
        x, y = self._to_metres.transform(lon, lat)
        point = shapely.Point(x, y)
        settlement, settlement_metres = self._nearest_one(point, lat, lon, self.settlements)
        post, post_metres = self._nearest_one(point, lat, lon, self.posts)
        line_metres = float("nan")
        if self._line is not None:
            near_x, near_y = shapely.shortest_line(self._line, point).coords[0]
            near_lon, near_lat = self._to_degrees.transform(near_x, near_y)
            line_metres = float(WGS84.inv(lon, lat, near_lon, near_lat)[2])
        side = next((i for i, area in enumerate(self._sides) if area.intersects(point)), -1)
        zone = next(
            (i for i, z in enumerate(self.zones) if line_metres < z.within_metres),
            len(self.zones),
        )
        hazards = [
            i for i, area in enumerate(self._hazards) if area.distance(point) <= self.hazard_radius
        ]
        return OneRecord(
            settlement,
            settlement_metres,
            post,
            post_metres,
            line_metres,
            side,
            -1 if np.isnan(line_metres) else zone,
            hazards,
        )

    def _nearest_one(
        self, point: shapely.Point, lat: float, lon: float, places: list[Place]
    ) -> tuple[int, float]:
        best, best_distance = -1, float("inf")
        for index, place in enumerate(places):
            x, y = self._to_metres.transform(place.lon, place.lat)
            distance = point.distance(shapely.Point(x, y))
            if distance < best_distance:
                best, best_distance = index, distance
        if best < 0:
            return -1, float("nan")
        place = places[best]
        return best, float(WGS84.inv(lon, lat, place.lon, place.lat)[2])
