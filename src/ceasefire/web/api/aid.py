"""/api/v1/households, /programmes, /housing, /claims, /activities, /grants and /aid/figures:
the humanitarian registry and what is done for it, with the same services and rights as the
pages and the command line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from ceasefire.domain.assistance import (
    ActivityDraft,
    Assessment,
    ClaimDraft,
    Decision,
    Delivery,
    GrantDraft,
    NeedsAssessmentDraft,
    StageMove,
)
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.households import HouseholdChange, HouseholdDraft, Member
from ceasefire.domain.programmes import Month
from ceasefire.services import (
    activities,
    aid_figures,
    duplicates,
    households,
    housing,
    programmes,
)
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["humanitarian assistance"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]
Id = Annotated[str, Field(max_length=36)]
CSV = "text/csv; charset=utf-8"


class Close(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class Run(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Month
    programmes: list[str] = Field(default_factory=list, max_length=50)


@router.post("/households", status_code=201)
def register(body: HouseholdDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Register a household (a caseworker of a humanitarian organisation, with its consent)."""
    done = households.register_household(dep, body, viewer=viewer)
    return {
        **households.household_view(dep, viewer, done.household.id),
        "duplicates_proposed": done.proposals,
    }


@router.get("/households")
def list_households(
    dep: DepDep,
    viewer: ViewerDep,
    status: Annotated[str | None, Query(max_length=30)] = None,
    place_id: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    """The households your organisation serves, newest first."""
    return {"items": households.households(dep, viewer, status=status, place_id=place_id)}


@router.get("/households/duplicates")
def list_duplicates(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Possible duplicates about households you serve, for a caseworker to decide."""
    return {"items": duplicates.proposals(dep, viewer)}


@router.post("/households/duplicates/{proposal_id}/merge")
def merge(proposal_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return duplicates.merge_duplicate(dep, viewer, proposal_id)


@router.post("/households/duplicates/{proposal_id}/dismiss", status_code=204)
def dismiss(proposal_id: str, dep: DepDep, viewer: ViewerDep) -> None:
    duplicates.dismiss_duplicate(dep, viewer, proposal_id)


@router.get("/households/{household_id}")
def household(household_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A household with its members, entitlements and history (its caseworkers only)."""
    return households.household_view(dep, viewer, household_id)


@router.post("/households/{household_id}/verify")
def verify(household_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    households.verify_household(dep, viewer, household_id)
    return households.household_view(dep, viewer, household_id)


@router.post("/households/{household_id}/changes")
def change(
    household_id: str, body: HouseholdChange, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Record a change of circumstances (a return, a move, a new shelter)."""
    households.change_household(dep, viewer, household_id, body)
    return households.household_view(dep, viewer, household_id)


@router.post("/households/{household_id}/members", status_code=201)
def add_member(household_id: str, body: Member, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A new member of the household (a birth, a relative who joined)."""
    done = households.add_member(dep, viewer, household_id, body)
    return {
        **households.household_view(dep, viewer, household_id),
        "duplicates_proposed": done.proposals,
    }


@router.post("/households/{household_id}/members/{person_id}/left")
def member_left(
    household_id: str, person_id: str, body: Close, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """A member left the household: what was still owed to them is cancelled."""
    households.member_left(dep, viewer, household_id, person_id, body.reason)
    return households.household_view(dep, viewer, household_id)


@router.post("/households/{household_id}/close")
def close(household_id: str, body: Close, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    households.close_household(dep, viewer, household_id, body.reason)
    return households.household_view(dep, viewer, household_id)


@router.get("/households/{household_id}/claims")
def household_claims(household_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return {"items": housing.claims_of(dep, viewer, household_id)}


@router.get("/programmes")
def list_programmes(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The programmes (the pack's rules) and their recent runs."""
    rules = [p.model_dump(mode="json", by_alias=True) for p in dep.scenario.aid.programmes]
    return {"items": rules, "runs": programmes.runs(dep, viewer)}


@router.post("/programmes/runs", status_code=201)
def run(body: Run, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Compute and record a month's entitlements for your organisation's programmes."""
    summary = programmes.run_programmes(
        dep, body.period, viewer=viewer, programme_ids=body.programmes or None
    )
    return {**summary.__dict__, "programmes": [t.__dict__ for t in summary.programmes]}


@router.get("/programmes/reconciliation")
def reconciliation(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Entitled against delivered, by programme and month."""
    return {"items": programmes.reconciliation(dep, viewer)}


@router.get("/programmes/{programme_id}/owed")
def owed(
    programme_id: str,
    dep: DepDep,
    viewer: ViewerDep,
    period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    after: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """What the programme still owes for a month (500 at a time, after an entitlement id)."""
    return {"items": programmes.owed(dep, viewer, programme_id, period, after)}


@router.post("/deliveries", status_code=201)
def deliver(body: Delivery, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Record a handover: the entitlements settled, where and when (all or none)."""
    return programmes.record_delivery(dep, viewer, body)


@router.get("/housing")
def housing_progress(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return {"items": housing.housing_progress(dep, viewer)}


@router.get("/housing/{programme_id}/candidates")
def housing_candidates(programme_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Households that meet the programme's conditions and are not in it yet (its
    organisation's caseworkers): references and facts, no personal data."""
    return {"items": housing.candidates(dep, viewer, programme_id)}


@router.post("/housing/{programme_id}/households/{household_id}")
def move(
    programme_id: str, household_id: str, body: StageMove, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Enter a household in a housing programme, or move it one stage."""
    return housing.move_stage(dep, viewer, programme_id, household_id, body)


@router.post("/claims", status_code=201)
def file_claim(body: ClaimDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """File a claim for lost property, with evidence uploaded before (POST /attachments)."""
    return housing.file_claim(dep, viewer, body)


@router.get("/claims")
def claims_queue(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return {"items": housing.claims_queue(dep, viewer)}


@router.get("/claims/{claim_id}")
def claim(claim_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return housing.claim_view(dep, viewer, claim_id)


@router.post("/claims/{claim_id}/assessment")
def assess(claim_id: str, body: Assessment, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return housing.assess_claim(dep, viewer, claim_id, body)


@router.post("/claims/{claim_id}/decision")
def decide(claim_id: str, body: Decision, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return housing.decide_claim(dep, viewer, claim_id, body)


@router.get("/activities")
def list_activities(
    dep: DepDep,
    viewer: ViewerDep,
    sector: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Who does what where."""
    return {"items": activities.activities(dep, viewer, sector=sector, status=status)}


@router.post("/activities", status_code=201)
def record_activity(body: ActivityDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return activities.record_activity(dep, viewer, body)


@router.put("/activities/{activity_id}")
def update_activity(
    activity_id: str, body: ActivityDraft, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    return activities.update_activity(dep, viewer, activity_id, body)


@router.get("/activities.hxl.csv", response_class=PlainTextResponse)
def export_activities(dep: DepDep, viewer: ViewerDep) -> PlainTextResponse:
    """The 3W table as HXL-tagged CSV."""
    return PlainTextResponse(activities.export_activities(dep, viewer), media_type=CSV)


class HxlTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str = Field(min_length=1, max_length=5_000_000, description="An HXL-tagged CSV")


@router.post("/activities/import", status_code=201)
def import_activities(body: HxlTable, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Record every activity of an HXL 3W table (all or none)."""
    return {"ids": activities.import_activities(dep, viewer, body.csv)}


@router.get("/assessments")
def list_assessments(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Remote needs assessments, newest first."""
    return {"items": activities.assessments(dep, viewer)}


@router.post("/assessments", status_code=201)
def record_assessment(body: NeedsAssessmentDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Record a needs assessment made for an agency (photos and video uploaded first, by
    POST /attachments, and named by their SHA-256)."""
    return activities.record_assessment(dep, viewer, body)


@router.get("/assessments/{assessment_id}")
def assessment(assessment_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return activities.assessment_view(dep, viewer, assessment_id)


@router.get("/grants")
def list_grants(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return {"items": activities.grants(dep, viewer)}


@router.post("/grants", status_code=201)
def record_grant(body: GrantDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return activities.record_grant(dep, viewer, body)


@router.get("/aid/figures")
def figures(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The coordinators' aggregates (small cells suppressed) and the 3W map."""
    return aid_figures.dashboard(dep, viewer)


@router.get("/aid/displaced.hxl.csv", response_class=PlainTextResponse)
def export_displaced(dep: DepDep, viewer: ViewerDep) -> PlainTextResponse:
    """The displaced by origin and current place, HXL-tagged, suppressed cells flagged."""
    return PlainTextResponse(aid_figures.export_displaced(dep, viewer), media_type=CSV)
