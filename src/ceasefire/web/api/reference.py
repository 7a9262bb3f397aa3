"""/api/v1 reference data: who am I, and the deployment's categories, places,
organisations and map layers — names rendered for the caller's audience and language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.naming import in_language
from ceasefire.domain.scenario import Place
from ceasefire.services import geography
from ceasefire.services import places as places_service
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["reference"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


@router.get("/me")
def me(viewer: ViewerDep) -> dict[str, Any]:
    return {
        "username": viewer.username,
        "organisation": viewer.organisation_id,
        "roles": sorted(viewer.roles),
        "language": viewer.language,
        "audience": viewer.audience,
    }


@router.get("/categories")
def categories(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return {
        "items": [
            {
                "id": c.id,
                "name": in_language(c.names, viewer.language, c.id),
                "violation": c.violation,
                "acled": {
                    "event_type": c.acled_event_type,
                    "sub_event_type": c.acled_sub_event_type,
                },
                "plover": c.plover,
            }
            for c in dep.scenario.categories
        ]
    }


@router.get("/places")
def places(
    dep: DepDep,
    viewer: ViewerDep,
    q: Annotated[
        str | None,
        Query(
            max_length=places_service.MAX_QUERY,
            description="Any name of the place, in any script, typos allowed: best matches first",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=places_service.MAX_RESULTS)] = 10,
) -> dict[str, Any]:
    s = dep.scenario

    def item(place: Place) -> dict[str, Any]:
        return {
            "id": place.id,
            "kind": place.kind,
            "name": s.name_of(place.names, viewer.audience, viewer.language),
            "lat": place.lat,
            "lon": place.lon,
            "approximate": place.coordinates == "approximate",
        }

    if q is None:
        return {"items": [item(p) for p in s.places]}
    found = places_service.search_places(dep, viewer, q, limit)
    return {"items": [{**item(f.place), "matched": f.matched, "score": f.score} for f in found]}


@router.get("/places.geojson")
def places_geojson(dep: DepDep, viewer: ViewerDep) -> JSONResponse:
    """Every place of the gazetteer (the pack's and imported ones) as RFC 7946 GeoJSON."""
    return JSONResponse(
        places_service.export_geojson(dep, viewer), media_type="application/geo+json"
    )


@router.get("/organisations")
def organisations(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    s = dep.scenario
    return {
        "items": [
            {
                "id": o.id,
                "kind": o.kind,
                "name": s.name_of(o.names, viewer.audience, viewer.language),
                "party": o.party,
                "mission": o.mission,
            }
            for o in s.organisations
        ]
    }


@router.get("/layers")
def layers(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The map's layers: the pack's, the current line of contact with its sides and zones,
    and the places; names for the caller, illustrative ones flagged."""
    return geography.map_layers(dep, viewer)
