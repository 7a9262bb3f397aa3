"""/api/v1/forms and /api/v1/intake: the intake forms you may fill in, and — for the
mission's duty officers — every submission field apps sent, what it became, and the record
made by hand from a quarantined one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import RootModel

from ceasefire.domain.authorization import Viewer
from ceasefire.services import intake
from ceasefire.services.deployment import Deployment
from ceasefire.store.intake import Submission
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["field intake"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


class Answers(RootModel[dict[str, str]]):
    """A form's answers by field name, as corrected."""


@router.get("/forms")
def forms(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The forms you may fill in (ODK Collect lists the same at `/formList`)."""
    return {
        "items": [
            {
                "id": f.id,
                "creates": f.creates,
                "version": f.version,
                "languages": f.languages,
                "hash": f"md5:{f.md5}",
                "download": f"/forms/{f.id}/form.xml",
            }
            for f in intake.forms_for(dep, viewer)
        ]
    }


@router.get("/intake")
def submissions(dep: DepDep, viewer: ViewerDep, status: str | None = None) -> dict[str, Any]:
    """The latest submissions (`status`: received, created, quarantined)."""
    return {"items": [_shown(s) for s in intake.submissions(dep, viewer, status)]}


@router.get("/intake/{submission_id}")
def submission(submission_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """One submission with its answers and the XML as it came."""
    found = intake.submission(dep, viewer, submission_id)
    return {**_shown(found), "answers": intake.answers(dep, found), "xml": intake.raw(dep, found)}


@router.post("/intake/{submission_id}/record", status_code=201)
def record(submission_id: str, body: Answers, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Create a quarantined submission's record from its answers as corrected (as you)."""
    return _shown(intake.resolve(dep, viewer, submission_id, body.root))


def _shown(found: Submission) -> dict[str, Any]:
    return {
        "id": found.id,
        "instance_id": found.instance_id,
        "form_id": found.form_id,
        "form_version": found.form_version,
        "sent_by": found.username,
        "organisation": found.organisation_id,
        "received_at": found.received_at.isoformat(),
        "status": found.status,
        "record_kind": found.record_kind,
        "record_id": found.record_id,
        "reason": found.reason,
        "files": found.files,
    }
