"""/api/v1/movements: convoys and passages through the corridor, and checkpoint reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.movements import CheckpointReport, MovementDraft
from ceasefire.services import movements
from ceasefire.services.deployment import Deployment
from ceasefire.store.movements import Movement
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["movements"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


def _shown(dep: Deployment, viewer: Viewer, movement: Movement) -> dict[str, Any]:
    shown = movements.present_movement(dep, viewer, movement)
    versions = movements.timeline(dep, viewer, movement.id)
    shown["timeline"] = movements.present_timeline(dep, viewer, versions)
    return shown


@router.post("/movements", status_code=201)
def register(body: MovementDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Register a convoy or a passage: its manifest, route and escort."""
    return _shown(dep, viewer, movements.register_movement(dep, viewer, body))


@router.get("/movements")
def list_(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    found = movements.list_movements(dep, viewer)
    return {"items": [movements.present_movement(dep, viewer, m) for m in found]}


@router.get("/movements/{movement_id}")
def read(movement_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return _shown(dep, viewer, movements.get_movement(dep, viewer, movement_id))


class Checkpoint(CheckpointReport):
    base_version: int | None = Field(default=None, ge=1)


@router.post("/movements/{movement_id}/checkpoints", status_code=201)
def checkpoint(
    movement_id: str, body: Checkpoint, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """What happened at a checkpoint; a hold, a turning back or a dispute becomes an
    incident, linked to the movement and routed by rule (its id in `incident_id`)."""
    report = CheckpointReport.model_validate(body.model_dump(exclude={"base_version"}))
    movement, incident_id = movements.record_checkpoint(
        dep, viewer, movement_id, report, base_version=body.base_version
    )
    return {**_shown(dep, viewer, movement), "incident_id": incident_id}
