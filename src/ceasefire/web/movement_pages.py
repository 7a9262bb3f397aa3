"""Pages of movements through the corridor: the list, registering a convoy or a passage, and
a movement's tracking page (its route on a map, each checkpoint's report, the incidents a
hold became) with the form a post fills in."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import DomainError
from ceasefire.domain.geography import SETTLEMENTS
from ceasefire.domain.movements import (
    FINISHED,
    CargoCategory,
    CheckpointReport,
    MovementDraft,
    MovementKind,
    Outcome,
)
from ceasefire.services import movements
from ceasefire.services.deployment import Deployment
from ceasefire.web.pages import (
    DepDep,
    ViewerDep,
    _with_language,
    check_csrf,
    first_error,
    language,
    local_time,
    render,
)

router = APIRouter(include_in_schema=False)
CARGO_ROWS = 3
WAYPOINTS = ("post", "checkpoint", "headquarters")


@router.get("/movements")
def movement_list(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _with_language(viewer, language(request, viewer))
    found = movements.list_movements(dep, reader)
    return render(
        request,
        "movements.html",
        viewer,
        items=[movements.present_movement(dep, reader, m) for m in found],
        can_register=authz.can_register_movement(viewer),
    )


@router.get("/movements/new")
def movement_form(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _form(request, dep, viewer, {}, None)


@router.post("/movements/new")
async def register(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    route = [str(v) for v in form.getlist("route")]
    values["restricted_to"] = ",".join(str(v) for v in form.getlist("restricted_to"))
    check_csrf(request, values.get("csrf_token", ""))
    try:
        draft = draft_from_form(values, route, dep.scenario.info.time_zone)
        movement = movements.register_movement(dep, viewer, draft)
    except ValidationError as exc:
        return _form(request, dep, viewer, values, first_error(exc), 422, route)
    except DomainError as exc:
        if exc.code != "invalid_input":
            raise
        return _form(request, dep, viewer, values, exc.message, 422, route)
    return RedirectResponse(f"/movements/{movement.id}", status_code=303)


@router.get("/movements/{movement_id}")
def movement_page(
    request: Request, movement_id: str, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    return _page(request, dep, viewer, movement_id, None)


@router.post("/movements/{movement_id}/checkpoints")
async def checkpoint(
    request: Request, movement_id: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    check_csrf(request, values.get("csrf_token", ""))
    try:
        at = local_time(values, "at", dep.scenario.info.time_zone)
        report = CheckpointReport.model_validate(
            {
                "place_id": values.get("place_id", ""),
                "at": at.isoformat() if at else None,
                "outcome": values.get("outcome", ""),
                "inspected_by": values.get("inspected_by") or None,
                "findings": values.get("findings", ""),
            }
        )
        movements.record_checkpoint(dep, viewer, movement_id, report)
    except ValidationError as exc:
        return _page(request, dep, viewer, movement_id, first_error(exc), 422)
    except DomainError as exc:
        if exc.code != "invalid_input":
            raise
        return _page(request, dep, viewer, movement_id, exc.message, 422)
    return RedirectResponse(f"/movements/{movement_id}", status_code=303)


def _page(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    movement_id: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    reader = _with_language(viewer, language(request, viewer))
    movement = movements.get_movement(dep, reader, movement_id)
    shown = movements.present_movement(dep, reader, movement)
    timeline = movements.present_timeline(dep, reader, movements.timeline(dep, reader, movement_id))
    points = [
        {"lat": t["report"]["lat"], "lon": t["report"]["lon"], "outcome": t["report"]["outcome"],
         "label": f"{t['report']['place']}: {t['report']['outcome_label']}"}
        for t in timeline
        if t.get("report") and t["report"]["lat"] is not None
    ]  # fmt: skip
    route = []
    for place_id in [movement.draft.from_place, *movement.draft.route, movement.draft.to_place]:
        place = dep.gazetteer.place(place_id)
        if place is not None:
            route.append([place.lat, place.lon])
    return render(
        request,
        "movement.html",
        viewer,
        status_code=status_code,
        movement=shown,
        timeline=timeline,
        error=error,
        can_report=authz.can_report(viewer) and movement.status not in FINISHED,
        outcomes=list(Outcome),
        waypoints=[p for p in dep.scenario.places if p.kind in WAYPOINTS],
        map=dep.scenario.info.map,
        track=json.dumps({"route": route, "points": points}),
    )


def _form(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
    route: list[str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "movement_form.html",
        viewer,
        status_code=status_code,
        values=values,
        route=route or [],
        error=error,
        can_register=authz.can_register_movement(viewer),
        kinds=list(MovementKind),
        cargo_categories=list(CargoCategory),
        cargo_rows=range(CARGO_ROWS),
        classifications=list(Classification),
        waypoints=[p for p in dep.scenario.places if p.kind in WAYPOINTS],
        ends=[p for p in dep.scenario.places if p.kind in SETTLEMENTS],
    )


def draft_from_form(values: dict[str, str], route: list[str], time_zone: str) -> MovementDraft:
    """The form's fields as a draft: cargo in rows, one vehicle per line ("truck 10-AB-123")."""
    planned = local_time(values, "planned_at", time_zone)
    cargo: list[dict[str, Any]] = []
    for row in range(CARGO_ROWS):
        category = values.get(f"cargo_{row}_category", "")
        if category:
            cargo.append(
                {
                    "category": category,
                    "description": values.get(f"cargo_{row}_description", ""),
                    "quantity": values.get(f"cargo_{row}_quantity") or None,
                    "unit": values.get(f"cargo_{row}_unit", ""),
                }
            )
    vehicles = []
    for line in values.get("vehicles", "").splitlines():
        kind, _, plate = line.strip().partition(" ")
        if kind:
            vehicles.append({"kind": kind, "plate": plate.strip() or None})
    return MovementDraft.model_validate(
        {
            "kind": values.get("kind", ""),
            "title": values.get("title", ""),
            "from_place": values.get("from_place", ""),
            "to_place": values.get("to_place", ""),
            "route": route,
            "planned_at": planned.isoformat() if planned else None,
            "cargo": cargo,
            "vehicles": vehicles,
            "people": values.get("people") or 0,
            "escorted_by": values.get("escorted_by") or None,
            "classification": values.get("classification") or "mission",
            "restricted_to": [v for v in values.get("restricted_to", "").split(",") if v],
        }
    )
