"""Where a located record stands: the nearest settlement and the nearest post, and how far
it is from the line of contact, in metres.

Candidates are found in a projection centred on the deployment's area (azimuthal
equidistant: no distance in degrees anywhere), with an STR-tree over the places and
Shapely's vectorised operations over all records at once. The metres reported are
geodesic, on the WGS 84 ellipsoid (PROJ's `Geod`), between the record and the nearest
place, or the nearest point of the line (PostGIS's `geography` distances agree within a
metre, but for the odd point whose nearest point of the line is a vertex).

`enrich` does every record of an array at once; `enrich_one` does one record the plain way
(one Shapely geometry at a time), which is what the vectorised path is measured against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import shapely
from pyproj import Geod, Transformer

from ceasefire.domain.scenario import Place, Scenario

SETTLEMENTS = frozenset({"city", "town", "village"})
POSTS = frozenset({"post"})
WGS84 = Geod(ellps="WGS84")


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


@dataclass(frozen=True)
class OneRecord:
    """One record's enrichment, the plain way."""

    settlement: int
    settlement_metres: float
    post: int
    post_metres: float
    line_metres: float


def arrays(*values: np.ndarray[Any, Any]) -> list[Any]:
    """Arrays as PROJ should get them: pyproj 3.7 takes a one-element array for a scalar
    (which NumPy deprecates), so a single record goes as lists."""
    return [v.tolist() if v.size == 1 else v for v in values]


def line_of_contact(scenario: Scenario) -> list[list[tuple[float, float]]]:
    """The lines of the pack's line-of-contact layers, as (lon, lat) positions."""
    found: list[list[tuple[float, float]]] = []
    for layer in scenario.layers:
        if layer.kind != "line_of_contact":
            continue
        for feature in scenario.layer_geojson[layer.file].get("features", []):
            geometry = feature.get("geometry") or {}
            kind, positions = geometry.get("type"), geometry.get("coordinates") or []
            lines = [positions] if kind == "LineString" else positions
            if kind in ("LineString", "MultiLineString"):
                found += [[(float(x), float(y)) for x, y, *_ in line] for line in lines]
    return found


class Geography:
    """The deployment's settlements, posts and line of contact, ready for distance questions."""

    def __init__(
        self,
        centre: tuple[float, float],
        places: Sequence[Place],
        line: Sequence[Sequence[tuple[float, float]]] = (),
    ) -> None:
        """`centre`: (lat, lon) of the area; `line`: the line of contact, as lines of
        (lon, lat) positions (GeoJSON's order)."""
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
            parts = []
            for positions in line:
                lons, lats = [x for x, _ in positions], [y for _, y in positions]
                xs, ys = self._to_metres.transform(lons, lats)
                parts.append(shapely.LineString(list(zip(xs, ys, strict=True))))
            self._line = shapely.MultiLineString(parts)

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
        return Enrichment(
            settlement=self._nearest(points, lat, lon, self._trees[0], self.settlements),
            post=self._nearest(points, lat, lon, self._trees[1], self.posts),
            line_metres=self._line_metres(points, lat, lon),
        )

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
        on_line = shapely.line_interpolate_point(
            self._line, shapely.line_locate_point(self._line, points)
        )
        near_lon, near_lat = self._to_degrees.transform(
            *arrays(shapely.get_x(on_line), shapely.get_y(on_line))
        )
        _, _, metres = WGS84.inv(*arrays(lon, lat, np.asarray(near_lon), np.asarray(near_lat)))
        return np.asarray(metres, dtype=float)

    # --- one record, the plain way -------------------------------------------------------

    def enrich_one(self, lat: float, lon: float) -> OneRecord:
        x, y = self._to_metres.transform(lon, lat)
        point = shapely.Point(x, y)
        settlement, settlement_metres = self._nearest_one(point, lat, lon, self.settlements)
        post, post_metres = self._nearest_one(point, lat, lon, self.posts)
        line_metres = float("nan")
        if self._line is not None:
            on_line = self._line.interpolate(self._line.project(point))
            near_lon, near_lat = self._to_degrees.transform(on_line.x, on_line.y)
            line_metres = float(WGS84.inv(lon, lat, near_lon, near_lat)[2])
        return OneRecord(settlement, settlement_metres, post, post_metres, line_metres)

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
