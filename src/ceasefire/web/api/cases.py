"""/api/v1/requests and /api/v1/cases: requests taken by the desk for residents, a request's
status for the resident (reference and secret, no account), the desk's queue, dashboard and
cases, and what the desk does with a case (take, triage, update, merge, hand over, link)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import CaseUpdate, HandOver, Link, RequestDraft
from ceasefire.domain.desk import Priority
from ceasefire.services import cases
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["civilian desk"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


@router.post("/requests", status_code=201)
def take_request(body: RequestDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
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
def queue(
    dep: DepDep, viewer: ViewerDep, post: Annotated[str | None, Query(max_length=80)] = None
) -> dict[str, Any]:
    """The desk's open cases (of one post's), most urgent first, with who asks (the desk
    only)."""
    return {"items": cases.queue(dep, viewer, post)}


@router.get("/cases/dashboard")
def dashboard(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Open cases by category, post, priority and age; posts' workload; median times to a
    first response and to resolution; what is overdue."""
    return cases.dashboard(dep, viewer)


@router.get("/cases/{case_id}")
def case(case_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A case and its timeline: for the desk with who asks and its notes; for a desk the
    mandate told, de-identified."""
    return cases.case_view(dep, viewer, case_id)


class Triage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    priority: Priority


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: str = Field(max_length=20, description="The reference of the case it duplicates")


@router.post("/cases/{case_id}/take")
def take_case(case_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Take the case on: you own it, it is in progress, the resident is told."""
    return cases.case_view(dep, viewer, cases.take(dep, viewer, case_id).id)


@router.post("/cases/{case_id}/triage")
def triage(case_id: str, body: Triage, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Set the priority (the response times follow it)."""
    return cases.case_view(dep, viewer, cases.triage(dep, viewer, case_id, body.priority).id)


@router.post("/cases/{case_id}/update")
def update(case_id: str, body: CaseUpdate, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A new status, words to the resident (sent by their channel), a note for the desk."""
    return cases.case_view(dep, viewer, cases.update(dep, viewer, case_id, body).id)


@router.post("/cases/{case_id}/merge")
def merge(case_id: str, body: Merge, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Merge a duplicate into the case it repeats."""
    return cases.case_view(dep, viewer, cases.merge(dep, viewer, case_id, body.into).id)


@router.post("/cases/{case_id}/handover")
def hand_over(case_id: str, body: HandOver, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Hand the case to the working group: which party must act, what is needed, by when."""
    return cases.case_view(dep, viewer, cases.hand_over(dep, viewer, case_id, body).id)


@router.post("/cases/{case_id}/links")
def link(case_id: str, body: Link, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Link the case to an incident or an activity notice."""
    return cases.case_view(dep, viewer, cases.link(dep, viewer, case_id, body).id)
