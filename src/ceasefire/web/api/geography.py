"""/api/v1/geo: the versions of the line of contact, its zones, and where a point stands."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.incidents import Strict
from ceasefire.services import geography
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(prefix="/geo", tags=["geography"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


def present(version: geography.LineVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "provenance": version.provenance,
        "illustrative": version.illustrative,
        "recorded_at": version.recorded_at.isoformat() if version.recorded_at else None,
        "recorded_by": version.recorded_by,
    }


@router.get("/lines")
def lines(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Every version of the line of contact, the pack's first."""
    return {"items": [present(v) for v in geography.line_versions(dep)]}


@router.get("/lines/{number}")
def line(number: int, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """One version as GeoJSON, with its provenance as a foreign member `line_version`."""
    version = geography.line_version(dep, number)
    return {**version.document, "line_version": present(version)}


class NewLine(Strict):
    provenance: str = Field(min_length=1, max_length=geography.MAX_PROVENANCE)
    illustrative: bool
    drawing: dict[str, Any] = Field(
        description="GeoJSON FeatureCollection: the line's LineStrings, and Polygons whose "
        "`party` property names the side that holds them"
    )


@router.post("/lines", status_code=201)
def record_line(body: NewLine, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Record a new version of the line (the mission's administrators), then place every
    record against it."""
    version = geography.record_line(
        dep, viewer, body.drawing, provenance=body.provenance, illustrative=body.illustrative
    )
    placed = geography.replace_all(dep)
    return {**present(version), "records_placed": placed}


@router.get("/zones")
def zones(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The zones of the current line, as GeoJSON bands named for the caller."""
    return geography.zones_collection(dep, viewer)


@router.get("/standing")
def standing(
    dep: DepDep,
    viewer: ViewerDep,
    lat: Annotated[float, Query()],
    lon: Annotated[float, Query()],
) -> Any:
    """Where a point would stand: the line, its side and zone, the nearest places, hazards."""
    return geography.stand_point(dep, viewer, lat, lon)
