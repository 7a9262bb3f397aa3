"""/api/v1/incidents: report, read, list, correct, corroborate, change status, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.incidents import IncidentDraft, Observation, Status, Strict
from ceasefire.domain.records import IncidentQuery
from ceasefire.services import incidents
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(prefix="/incidents", tags=["incidents"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


class Correction(Strict):
    record: IncidentDraft
    base_version: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=2000)


class StatusChange(Strict):
    status: Status
    reason: str = Field(min_length=1, max_length=2000)
    base_version: int | None = Field(default=None, ge=1)


class CorroborationBody(Strict):
    note: str = Field(min_length=1, max_length=5000)
    observations: list[Observation] = Field(default_factory=list, max_length=200)


def _one(dep: Deployment, viewer: Viewer, incident_id: str) -> dict[str, Any]:
    incident = incidents.get_incident(dep, viewer, incident_id)
    found = incidents.incident_corroborations(dep, viewer, incident_id)
    shown = incidents.present_incident(dep, viewer, incident, found)
    states = incidents.incident_log(dep, viewer, incident_id)
    shown["log"] = incidents.present_log(viewer, incident, states)
    return shown


@router.post("", status_code=201)
def report(
    draft: IncidentDraft, dep: DepDep, viewer: ViewerDep, response: Response
) -> dict[str, Any]:
    incident = incidents.report_incident(dep, viewer, draft)
    response.headers["Location"] = f"/api/v1/incidents/{incident.id}"
    return incidents.present_incident(dep, viewer, incident, [])


@router.get("")
def list_(
    dep: DepDep,
    viewer: ViewerDep,
    since: Annotated[
        datetime | None, Query(description="started at or after (with offset)")
    ] = None,
    until: Annotated[datetime | None, Query(description="started before (with offset)")] = None,
    category: Annotated[list[str] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    place: Annotated[str | None, Query(max_length=80)] = None,
    organisation: Annotated[str | None, Query(max_length=80)] = None,
    zone: Annotated[list[str] | None, Query(description="zone id, or 'beyond'")] = None,
    side: Annotated[list[str] | None, Query(description="party whose side holds it")] = None,
    within_line: Annotated[
        float | None, Query(description="at most this many metres from the line")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=incidents.MAX_PAGE)] = 50,
) -> dict[str, Any]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(name, "must include a time zone offset")
    query = IncidentQuery(
        since=since,
        until=until,
        categories=tuple(category or ()),
        statuses=tuple(status or ()),
        bbox=parse_bbox(bbox),
        place_id=place,
        organisation_id=organisation,
        zones=tuple(zone or ()),
        sides=tuple(side or ()),
        within_line_metres=within_line,
        limit=limit,
    )
    page = incidents.list_incidents(dep, viewer, query, cursor)
    return {
        "items": [incidents.present_incident(dep, viewer, i) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/{incident_id}")
def read(incident_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return _one(dep, viewer, incident_id)


@router.put("/{incident_id}")
def correct(incident_id: str, body: Correction, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    try:
        incidents.correct_incident(
            dep,
            viewer,
            incident_id,
            body.record,
            base_version=body.base_version,
            reason=body.reason,
        )
    except InvalidInput as exc:
        if exc.field and exc.field.split(".")[0] in IncidentDraft.model_fields:
            raise InvalidInput(f"record.{exc.field}", exc.reason) from exc
        raise
    return _one(dep, viewer, incident_id)


@router.post("/{incident_id}/status")
def set_status(
    incident_id: str, body: StatusChange, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    incidents.change_status(
        dep, viewer, incident_id, body.status, reason=body.reason, base_version=body.base_version
    )
    return _one(dep, viewer, incident_id)


@router.post("/{incident_id}/corroborations", status_code=201)
def corroborate(
    incident_id: str, body: CorroborationBody, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    incidents.corroborate_incident(
        dep, viewer, incident_id, note=body.note, observations=body.observations
    )
    return _one(dep, viewer, incident_id)


@router.get("/{incident_id}/history")
def history(incident_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    versions = incidents.incident_history(dep, viewer, incident_id)
    return {
        "id": incident_id,
        "versions": [
            {
                "version": v.version,
                "at": v.at.isoformat(),
                "by": v.author or None,
                "organisation": v.author_org,
                "change": v.change,
                "status": v.status.value,
                "classification": v.classification.value,
                "reason": v.reason,
                "changed": list(v.changed),
                "record": v.content,
            }
            for v in versions
        ],
    }


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None or not text.strip():
        return None
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise InvalidInput(
            "bbox", "must be four numbers: min_lon,min_lat,max_lon,max_lat"
        ) from None
    if len(parts) != 4 or any(p != p or p in (float("inf"), float("-inf")) for p in parts):
        raise InvalidInput("bbox", "must be four numbers: min_lon,min_lat,max_lon,max_lat")
    return parts[0], parts[1], parts[2], parts[3]
