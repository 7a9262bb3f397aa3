"""The gazetteer as GeoJSON (RFC 7946): every place a Point feature whose properties carry
its id, kind, all its names (text, language, usage) and, for the reader, the name their
audience uses. Written by `export`, read back by `import` (the reader's name is ignored)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.scenario import Place

MAX_FEATURES = 1_000_000


def to_feature_collection(
    places: Iterable[Place], name_for: Callable[[Place], str]
) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": place.id,
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {
                "id": place.id,
                "kind": place.kind,
                "name": name_for(place),
                "names": [n.model_dump() for n in place.names],
                "coordinates": place.coordinates,
            },
        }
        for place in places
    ]
    return {"type": "FeatureCollection", "features": features}


def from_feature_collection(document: Any) -> list[Place]:
    """The places of a GeoJSON FeatureCollection of Points; a problem names the feature and
    key (`features.3.properties.names.0.lang`)."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput("type", "must be a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise InvalidInput("features", "must be a list of features")
    if len(features) > MAX_FEATURES:
        raise InvalidInput("features", f"at most {MAX_FEATURES} places at a time")
    places, seen = [], set()
    for index, feature in enumerate(features):
        where = f"features.{index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InvalidInput(where, "must be a GeoJSON Feature")
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            raise InvalidInput(f"{where}.geometry", "must be a Point (a place is a position)")
        position = geometry.get("coordinates")
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
        ):
            raise InvalidInput(f"{where}.geometry.coordinates", "must be [longitude, latitude]")
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            raise InvalidInput(f"{where}.properties", "must be an object")
        fields = {k: v for k, v in properties.items() if k != "name"}  # the reader's, derived
        fields.setdefault("coordinates", "imported")
        try:
            place = Place.model_validate({**fields, "lon": position[0], "lat": position[1]})
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(f"{where}.properties.{key}", first["msg"]) from None
        if place.id in seen:
            raise InvalidInput(f"{where}.properties.id", f"{place.id!r} appears twice")
        seen.add(place.id)
        places.append(place)
    return places
