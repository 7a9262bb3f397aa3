"""Pages of the working groups: the groups a user sees, a group's overview (members, chairs,
meetings, scheduling the next, documents), a meeting (its agenda, edited by the secretary;
who came and the minutes), a document with its mirrored copies (each printable, with the
shared hash, signed per copy), and the commitments tracker (filters, the overdue, marking
done or disputed)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.documents import DocumentDraft
from ceasefire.domain.errors import DomainError
from ceasefire.domain.groups import (
    AgendaItem,
    CommitmentChange,
    CommitmentDraft,
    MeetingDraft,
    Minutes,
    WorkingGroup,
)
from ceasefire.services import documents, groups
from ceasefire.services.deployment import Deployment
from ceasefire.services.documents import SignatureDraft
from ceasefire.web.api.groups import pdf_response
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


@router.get("/groups")
def group_list(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _reader(request, viewer)
    shown = [groups.present_group(dep, reader, g) for g in groups.visible_groups(dep, reader)]
    return render(request, "groups.html", viewer, items=shown)


@router.get("/groups/{group_id}")
def group_page(request: Request, group_id: str, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _group(request, dep, viewer, group_id, None)


@router.post("/groups/{group_id}/meetings")
async def schedule(request: Request, group_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    values = await _form(request)
    try:
        at = local_time(values, "scheduled_at", dep.scenario.info.time_zone)
        draft = MeetingDraft.model_validate(
            {
                "scheduled_at": at.isoformat() if at else None,
                "place_id": values.get("place_id") or None,
                "place_text": values.get("place_text", ""),
            }
        )
        meeting = groups.schedule_meeting(dep, viewer, group_id, draft)
    except (ValidationError, DomainError) as exc:
        return _group(request, dep, viewer, group_id, _problem(exc), 422)
    return RedirectResponse(f"/groups/{group_id}/meetings/{meeting.number}", status_code=303)


@router.post("/groups/{group_id}/commitments")
async def commit(request: Request, group_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    values = await _form(request)
    try:
        draft = CommitmentDraft.model_validate(
            {
                "organisation": values.get("organisation", ""),
                "text": values.get("text", ""),
                "due": values.get("due", ""),
                "evidence": values.get("evidence", ""),
                "meeting": values.get("meeting") or None,
            }
        )
        groups.add_commitment(dep, viewer, group_id, draft)
    except (ValidationError, DomainError) as exc:
        return _group(request, dep, viewer, group_id, _problem(exc), 422)
    return RedirectResponse(f"/groups/{group_id}", status_code=303)


@router.get("/groups/{group_id}/meetings/{number}")
def meeting_page(
    request: Request, group_id: str, number: int, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    return _meeting(request, dep, viewer, group_id, number, None)


@router.post("/groups/{group_id}/meetings/{number}/agenda")
async def agenda(
    request: Request, group_id: str, number: int, dep: DepDep, viewer: ViewerDep
) -> Response:
    """The proposed items the secretary keeps (ticked), in order, and one more if written."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    current = groups.get_meeting(dep, viewer, group_id, number)
    kept = {int(str(k)) for k in form.getlist("keep") if str(k).isdigit()}
    items = [AgendaItem.model_validate(i) for n, i in enumerate(current.agenda) if n in kept]
    try:
        if str(form.get("title", "")).strip():
            items.append(AgendaItem(kind="other", title=str(form.get("title"))))
        groups.set_agenda(dep, viewer, group_id, number, items)
    except (ValidationError, DomainError) as exc:
        return _meeting(request, dep, viewer, group_id, number, _problem(exc), 422)
    return RedirectResponse(f"/groups/{group_id}/meetings/{number}", status_code=303)


@router.post("/groups/{group_id}/meetings/{number}/minutes")
async def minutes(
    request: Request, group_id: str, number: int, dep: DepDep, viewer: ViewerDep
) -> Response:
    """Attendance per member (people), and per item each member's position and the decision."""
    values = await _form(request)
    group = groups.get_group(dep, viewer, group_id)
    current = groups.get_meeting(dep, viewer, group_id, number)
    try:
        attendance = [
            {"organisation": member, "people": int(values.get(f"people-{member}") or 0)}
            for member in group.members
            if (values.get(f"people-{member}") or "0") != "0"
        ]
        items = [
            {
                **item,
                "decision": values.get(f"decision-{n}", ""),
                "positions": {
                    m: values[f"position-{n}-{m}"]
                    for m in group.members
                    if values.get(f"position-{n}-{m}")
                },
            }
            for n, item in enumerate(current.agenda)
        ]
        recorded = Minutes.model_validate({"attendance": attendance, "items": items})
        groups.record_minutes(dep, viewer, group_id, number, recorded)
    except (ValueError, DomainError) as exc:  # a ValidationError is a ValueError, as int("two")
        return _meeting(request, dep, viewer, group_id, number, _problem(exc), 422)
    return RedirectResponse(f"/groups/{group_id}/meetings/{number}", status_code=303)


@router.post("/groups/{group_id}/documents")
async def issue(request: Request, group_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        draft = DocumentDraft.model_validate(
            {
                "title": str(form.get("title", "")),
                "text": str(form.get("text", "")),
                "language": str(form.get("language", "")),
                "meeting": str(form.get("meeting") or "") or None,
                "signatories": [str(v) for v in form.getlist("signatories")],
                "copies": [str(v) for v in form.getlist("copies")],
            }
        )
        issued = documents.issue_document(dep, viewer, group_id, draft)
    except (ValidationError, DomainError) as exc:
        return _group(request, dep, viewer, group_id, _problem(exc), 422)
    return RedirectResponse(f"/documents/{issued.id}", status_code=303)


@router.get("/documents/{document_id}")
def document_page(
    request: Request, document_id: str, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    reader = _reader(request, viewer)
    found = documents.get_document(dep, reader, document_id)
    group = groups.get_group(dep, reader, found.group_id)
    return render(
        request,
        "document.html",
        viewer,
        document=found,
        group=groups.present_group(dep, reader, group),
        copies=[documents.mirrored_copy(dep, found, c) for c in found.copies],
    )


@router.get("/documents/{document_id}/copies/{copy}.pdf")
def copy_pdf_page(document_id: str, copy: str, dep: DepDep, viewer: ViewerDep) -> Response:
    found = documents.get_document(dep, viewer, document_id)
    return pdf_response(documents.mirrored_copy(dep, found, copy))


@router.get("/documents/{document_id}/copies/{copy}")
def copy_page(
    request: Request, document_id: str, copy: str, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    return _copy(request, dep, viewer, document_id, copy, None)


@router.post("/documents/{document_id}/copies/{copy}/signatures")
async def sign(
    request: Request, document_id: str, copy: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    values = await _form(request)
    try:
        at = local_time(values, "signed_at", dep.scenario.info.time_zone)
        draft = SignatureDraft.model_validate(
            {
                "organisation": values.get("organisation", ""),
                "signed_by": values.get("signed_by", ""),
                "signed_at": at.isoformat() if at else None,
                "scan_sha256": values.get("scan_sha256") or None,
            }
        )
        documents.sign(dep, viewer, document_id, copy, draft)
    except (ValidationError, DomainError) as exc:
        return _copy(request, dep, viewer, document_id, copy, _problem(exc), 422)
    return RedirectResponse(f"/documents/{document_id}/copies/{copy}", status_code=303)


@router.get("/commitments")
def commitment_list(
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    group: str = "",
    organisation: str = "",
    status: str = "",
) -> HTMLResponse:
    return _commitments(request, dep, viewer, group, organisation, status, None)


@router.post("/commitments/{commitment_id}/status")
async def commitment_status(
    request: Request, commitment_id: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    values = await _form(request)
    try:
        change = CommitmentChange.model_validate(
            {"status": values.get("status", ""), "evidence": values.get("evidence", "")}
        )
        groups.change_commitment(dep, viewer, commitment_id, change)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.code not in ("invalid_input", "conflict"):
            raise
        return _commitments(request, dep, viewer, "", "", "", _problem(exc), 422)
    return RedirectResponse(values.get("back") or "/commitments", status_code=303)


# --- inside ------------------------------------------------------------------------------


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    check_csrf(request, values.get("csrf_token", ""))
    return values


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return first_error(exc)
    if isinstance(exc, DomainError):
        if exc.code in ("not_found", "forbidden"):
            raise exc
        return exc.message
    return str(exc)


def _reader(request: Request, viewer: Viewer) -> Viewer:
    return _with_language(viewer, language(request, viewer))


def _group(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    group = groups.get_group(dep, reader, group_id)
    return render(
        request,
        "group.html",
        viewer,
        status_code=status_code,
        group=groups.present_group(dep, reader, group),
        commitments=groups.list_commitments(dep, reader, group_id),
        documents=documents.documents_of(dep, reader, group_id),
        error=error,
        time_zone=dep.scenario.info.time_zone,
    )


def _meeting(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    number: int,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    group = groups.get_group(dep, reader, group_id)
    meeting = groups.get_meeting(dep, reader, group_id, number)
    return render(
        request,
        "meeting.html",
        viewer,
        status_code=status_code,
        group=groups.present_group(dep, reader, group),
        meeting=groups.present_meeting(dep, reader, group, meeting),
        links=_links(group),
        error=error,
        local=lambda iso: _local(dep, iso),
    )


def _commitments(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    group: str,
    organisation: str,
    status: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    items = groups.list_commitments(
        dep, reader, group[:80] or None, organisation[:80] or None, status[:20] or None
    )
    visible = groups.visible_groups(dep, reader)
    return render(
        request,
        "commitments.html",
        viewer,
        status_code=status_code,
        items=items,
        groups_seen=visible,
        names={g.id: groups.present_group(dep, reader, g)["name"] for g in visible},
        chairs={g.id: set(g.chairs) for g in visible},
        members={g.id: set(g.members) for g in visible},
        filters={"group": group, "organisation": organisation, "status": status},
        error=error,
        can_answer=lambda c: authz.can_answer_commitment(
            viewer, c["organisation"], {*next(g.chairs for g in visible if g.id == c["group_id"])}
        ),
        can_dispute=lambda c: authz.can_dispute_commitment(
            viewer, {*next(g.members for g in visible if g.id == c["group_id"])}
        ),
    )


def _copy(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    document_id: str,
    copy: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    """A copy as it is printed and signed: its language, its names, its blocks, the hash."""
    found = documents.get_document(dep, viewer, document_id)
    group = groups.get_group(dep, viewer, found.group_id)
    shown = documents.mirrored_copy(dep, found, copy)
    return render(
        request,
        "document_copy.html",
        viewer,
        status_code=status_code,
        copy=shown,
        can_run=authz.can_run_group(viewer, set(group.chairs)),
        error=error,
    )


def _links(group: WorkingGroup) -> dict[str, str]:
    """Where an agenda item's record lives, by its kind."""
    return {"incident": "/incidents", "handover": "/desk/cases", "case": "/desk/cases",
            "commitment": f"/commitments?group={group.id}#"}  # fmt: skip


def _local(dep: Deployment, iso: str | None) -> str:
    """A stored time in the deployment's zone, as pages show times."""
    if not iso:
        return ""
    at = datetime.fromisoformat(iso).astimezone(ZoneInfo(dep.scenario.info.time_zone))
    return f"{at:%Y-%m-%d %H:%M}"
