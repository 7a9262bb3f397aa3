"""Incidents (and, if asked, the deployment's map layers) as GeoJSON per RFC 7946: a
FeatureCollection in WGS 84 with longitude first, no `crs` member, positions to six decimals,
polygon rings wound by the right-hand rule (exterior counterclockwise, holes clockwise), and
a `bbox`. Points can be coarsened to a grid, so that a sensitive location is not given
finer than the grid."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

METRES_PER_DEGREE = 111_320.0


def coarsen(lat: float, lon: float, metres: int) -> tuple[float, float]:
    """The centre of the grid cell of about `metres` that holds the point."""
    if metres <= 0:
        return lat, lon
    step_lat = metres / METRES_PER_DEGREE
    lat_c = (math.floor(lat / step_lat) + 0.5) * step_lat
    step_lon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat_c)), 0.01))
    lon_c = (math.floor(lon / step_lon) + 0.5) * step_lon
    return max(-90.0, min(90.0, lat_c)), max(-180.0, min(180.0, lon_c))


def point_feature(
    feature_id: str, lat: float, lon: float, properties: dict[str, Any], metres: int = 0
) -> dict[str, Any]:
    lat, lon = coarsen(lat, lon, metres)
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def stream(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A FeatureCollection as JSON text, a feature at a time (every polygon wound
    right-hand), its bbox last."""
    low = [math.inf, math.inf]
    high = [-math.inf, -math.inf]
    yield '{"type":"FeatureCollection","features":['
    for n, feature in enumerate(features):
        feature = _wound(feature)
        for lon, lat, *_ in _positions(feature["geometry"]) if feature.get("geometry") else ():
            low = [min(low[0], lon), min(low[1], lat)]
            high = [max(high[0], lon), max(high[1], lat)]
        yield ("," if n else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
    bbox = f',"bbox":{json.dumps([*low, *high])}' if math.isfinite(low[0]) else ""
    yield "]" + bbox + "}"


def signed_area(ring: list[list[float]]) -> float:
    """Twice the ring's signed area in degrees: positive when counterclockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))


def _wound(feature: dict[str, Any]) -> dict[str, Any]:
    geometry = feature.get("geometry")
    if not geometry:
        return feature
    kind = geometry["type"]
    if kind == "Polygon":
        geometry = {**geometry, "coordinates": _rings(geometry["coordinates"])}
    elif kind == "MultiPolygon":
        geometry = {**geometry, "coordinates": [_rings(p) for p in geometry["coordinates"]]}
    else:
        return feature
    return {**feature, "geometry": geometry}


def _rings(rings: list[list[list[float]]]) -> list[list[list[float]]]:
    wound = []
    for i, ring in enumerate(rings):
        counterclockwise = signed_area(ring) > 0
        wants = i == 0
        wound.append(ring if counterclockwise == wants else list(reversed(ring)))
    return wound


def _positions(geometry: dict[str, Any]) -> list[list[float]]:
    def walk(value: Any) -> list[list[float]]:
        if value and isinstance(value[0], int | float):
            return [value]
        return [p for part in value for p in walk(part)]

    if geometry["type"] == "GeometryCollection":
        return [p for g in geometry["geometries"] for p in _positions(g)]
    return walk(geometry["coordinates"])
