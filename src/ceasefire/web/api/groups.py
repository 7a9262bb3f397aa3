"""/api/v1/groups, /api/v1/commitments and /api/v1/documents: working groups, their numbered
meetings (the proposed agenda, the secretary's agenda, the minutes), the commitments made to
them, and their status-neutral documents (mirrored copies, signatures)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.documents import DocumentDraft
from ceasefire.domain.groups import (
    AgendaItem,
    CommitmentChange,
    CommitmentDraft,
    MeetingDraft,
    Minutes,
)
from ceasefire.printing import copy_pdf as copy_pdf_bytes
from ceasefire.services import documents, groups
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.services.documents import SignatureDraft
from ceasefire.store.groups import Document
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["working groups"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


@router.get("/groups")
def group_list(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The working groups you see (a confidential one only if your organisation is a member)."""
    return {
        "items": [groups.present_group(dep, viewer, g) for g in groups.visible_groups(dep, viewer)]
    }


@router.get("/groups/{group_id}")
def group(group_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """One group: members, chairs, meetings, commitments' counts."""
    return groups.present_group(dep, viewer, groups.get_group(dep, viewer, group_id))


@router.post("/groups/{group_id}/meetings", status_code=201)
def schedule(group_id: str, body: MeetingDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Schedule the group's next meeting; its agenda is proposed from what came since the
    previous one."""
    meeting = groups.schedule_meeting(dep, viewer, group_id, body)
    return _meeting(dep, viewer, group_id, meeting.number)


@router.get("/groups/{group_id}/meetings/{number}")
def meeting(group_id: str, number: int, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A meeting: when, where, the agenda (and once held, who came and the minutes)."""
    return _meeting(dep, viewer, group_id, number)


@router.put("/groups/{group_id}/meetings/{number}/agenda")
def agenda(
    group_id: str, number: int, body: list[AgendaItem], dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """The secretary's agenda: the proposed items kept, reordered, others added."""
    groups.set_agenda(dep, viewer, group_id, number, body)
    return _meeting(dep, viewer, group_id, number)


@router.post("/groups/{group_id}/meetings/{number}/minutes")
def minutes(
    group_id: str, number: int, body: Minutes, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Who came, and each item's positions and decision: the meeting has met."""
    groups.record_minutes(dep, viewer, group_id, number, body)
    return _meeting(dep, viewer, group_id, number)


@router.post("/groups/{group_id}/commitments", status_code=201)
def commit(group_id: str, body: CommitmentDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Record what a member organisation promised the group."""
    made = groups.add_commitment(dep, viewer, group_id, body)
    return groups.present_commitment(made, utcnow().date())


@router.get("/commitments")
def commitment_list(
    dep: DepDep,
    viewer: ViewerDep,
    group: Annotated[str | None, Query(max_length=80)] = None,
    organisation: Annotated[str | None, Query(max_length=80)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Commitments of the groups you see: by group, organisation, status (open, done,
    disputed, overdue)."""
    return {"items": groups.list_commitments(dep, viewer, group, organisation, status)}


@router.post("/commitments/{commitment_id}/status")
def commitment_status(
    commitment_id: str, body: CommitmentChange, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Done (with what shows it), disputed (with why), or open again."""
    changed = groups.change_commitment(dep, viewer, commitment_id, body)
    return groups.present_commitment(changed, utcnow().date())


def _meeting(dep: Deployment, viewer: Viewer, group_id: str, number: int) -> dict[str, Any]:
    group = groups.get_group(dep, viewer, group_id)
    return groups.present_meeting(
        dep, viewer, group, groups.get_meeting(dep, viewer, group_id, number)
    )


@router.post("/groups/{group_id}/documents", status_code=201)
def issue(group_id: str, body: DocumentDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Issue a decision or agreement as mirrored copies, one per audience named."""
    return _document(dep, documents.issue_document(dep, viewer, group_id, body))


@router.get("/documents/{document_id}")
def document(document_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """A document: its neutral text, the substance's SHA-256 and every copy."""
    return _document(dep, documents.get_document(dep, viewer, document_id))


@router.get("/documents/{document_id}/copies/{copy}.pdf", response_class=Response)
def copy_pdf(document_id: str, copy: str, dep: DepDep, viewer: ViewerDep) -> Response:
    """One audience's copy as PDF, to print and sign (the hash at the foot of every page)."""
    found = documents.get_document(dep, viewer, document_id)
    return pdf_response(documents.mirrored_copy(dep, found, copy))


@router.get("/documents/{document_id}/copies/{copy}")
def mirrored_copy(document_id: str, copy: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """One audience's copy: its names, its signatory blocks, the shared hash."""
    found = documents.get_document(dep, viewer, document_id)
    return documents.mirrored_copy(dep, found, copy)


@router.post("/documents/{document_id}/copies/{copy}/signatures", status_code=201)
def sign(
    document_id: str, copy: str, body: SignatureDraft, dep: DepDep, viewer: ViewerDep
) -> dict[str, Any]:
    """Record that an organisation signed this copy (its scan by its SHA-256)."""
    return documents.sign(dep, viewer, document_id, copy, body)


def pdf_response(copy: dict[str, Any]) -> Response:
    name = f"{copy['document_id']}-{copy['copy']}.pdf"
    return Response(copy_pdf_bytes(copy), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})  # fmt: skip


def _document(dep: Deployment, found: Document) -> dict[str, Any]:
    shown = asdict(found)
    shown["issued_at"] = found.issued_at.isoformat()
    shown["mirrored"] = [documents.mirrored_copy(dep, found, c) for c in found.copies]
    return shown
