"""GeoJSON (RFC 7946) views of incidents."""

from __future__ import annotations

from typing import Any

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.gazetteer import Gazetteer
from ceasefire.domain.naming import in_language
from ceasefire.domain.records import Incident
from ceasefire.domain.scenario import Scenario


def incidents_collection(
    scenario: Scenario, places: Gazetteer, viewer: Viewer, items: list[Incident]
) -> dict[str, Any]:
    features = []
    for incident in items:
        category = scenario.category(incident.draft.category)
        place = places.place(incident.draft.location.place_id or "")
        features.append(
            {
                "type": "Feature",
                "id": incident.id,
                "geometry": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
                "properties": {
                    "id": incident.id,
                    "title": incident.draft.title,
                    "category": incident.draft.category,
                    "category_name": in_language(category.names, viewer.language, category.id)
                    if category
                    else incident.draft.category,
                    "status": incident.status.value,
                    "started_at": incident.draft.started_at.isoformat(),
                    "precision": incident.draft.location.precision.value,
                    "place": scenario.name_of(place.names, viewer.audience, viewer.language)
                    if place
                    else None,
                    "violation": bool(category and category.violation),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
