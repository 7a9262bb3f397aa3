"""/api/v1/requests and /api/v1/cases: requests taken by the desk for residents, a request's
status for the resident (reference and secret, no account), and the desk's queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import RequestDraft
from ceasefire.services import cases
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["civilian desk"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


@router.post("/requests", status_code=201)
def take(body: RequestDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The desk takes a resident's request (by phone, at a post); the answer carries the
    reference and the secret to give the resident, once."""
    filed = cases.file_request(dep, body, viewer=viewer)
    return {**cases.present(dep, viewer, filed.case), "secret": filed.secret}


@router.get("/requests/status")
def status(
    dep: DepDep,
    reference: Annotated[str, Query(max_length=20)],
    secret: Annotated[str, Query(max_length=100)],
) -> dict[str, Any]:
    """A request's status for the resident: no account, the reference and the secret."""
    return cases.case_status(dep, reference, secret)


@router.get("/cases")
def queue(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The desk's open cases, most urgent first, with who asks (the desk only)."""
    return {"items": cases.queue(dep, viewer)}
