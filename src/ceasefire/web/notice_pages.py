"""Pages of activity notices: the list, the form with its map (draw a point, a plot or a
route; the assessment shows as you draw), a notice with its acknowledgements, and a post's
day with its iCalendar feed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, InvalidInput
from ceasefire.domain.geography import SETTLEMENTS
from ceasefire.domain.notices import Activity, NoticeDraft
from ceasefire.services import notices
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
WEEKDAYS = range(7)


def _reader(request: Request, viewer: Viewer) -> Viewer:
    return _with_language(viewer, language(request, viewer))


@router.get("/notices")
def notice_list(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _reader(request, viewer)
    items = [notices.present_notice(dep, reader, n) for n in notices.list_notices(dep, reader)]
    return render(
        request,
        "notices.html",
        viewer,
        items=items,
        can_file=authz.can_file_notice(viewer),
        posts=[p for p in dep.scenario.places if p.kind == "post"],
        today=notices.today(dep),
    )


@router.get("/notices/new")
def notice_form(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _form(request, dep, viewer, {}, None)


@router.post("/notices/new")
async def file_notice(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    values, weekdays = await _values(request)
    check_csrf(request, values.get("csrf_token", ""))
    try:
        draft = draft_from_form(values, weekdays, dep.scenario.info.time_zone)
        notice = notices.file_notice(dep, viewer, draft)
    except ValidationError as exc:
        return _form(request, dep, viewer, values, first_error(exc), 422, weekdays)
    except DomainError as exc:
        if exc.code != "invalid_input":
            raise
        return _form(request, dep, viewer, values, exc.message, 422, weekdays)
    return RedirectResponse(f"/notices/{notice.id}", status_code=303)


@router.post("/notices/assess")
async def assess(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    """The assessment of the form as it stands (an HTMX fragment)."""
    values, weekdays = await _values(request)
    check_csrf(request, values.get("csrf_token", ""))
    try:
        draft = draft_from_form(values, weekdays, dep.scenario.info.time_zone)
        found = notices.preview(dep, _reader(request, viewer), draft)
        error = None
    except ValidationError as exc:
        found, error = None, first_error(exc)
    except DomainError as exc:
        found, error = None, exc.message
    return render(request, "_notice_assessment.html", viewer, preview=found, error=error)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, notice_id: str, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _reader(request, viewer)
    notice = notices.get_notice(dep, reader, notice_id)
    zone = ZoneInfo(dep.scenario.info.time_zone)
    return render(
        request,
        "notice.html",
        viewer,
        notice=notices.present_notice(dep, reader, notice),
        area=json.dumps(notice.draft.area.model_dump()),
        windows=list(notice.draft.occurrences(zone))[:60],
        told=notices.acknowledgements(dep, reader, notice),
        history=notices.history(dep, reader, notice_id),
        can_cancel=authz.can_cancel_notice(viewer, notices.access_of(notice))
        and notice.status.value == "filed",
        contact_name=lambda cid: _contact_name(dep, cid),
        map=dep.scenario.info.map,
    )


@router.post("/notices/{notice_id}/cancel")
async def cancel(request: Request, notice_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    notices.cancel_notice(dep, viewer, notice_id, reason=str(form.get("reason", "")))
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


@router.get("/posts/{post_id}/day")
def post_day(
    request: Request, post_id: str, dep: DepDep, viewer: ViewerDep, date: str = ""
) -> HTMLResponse:
    reader = _reader(request, viewer)
    day = _day(date) if date else notices.today(dep)
    found = notices.post_day(dep, reader, post_id, day)
    post = dep.gazetteer.place(post_id)
    assert post is not None  # post_day checked it
    return render(
        request,
        "post_day.html",
        viewer,
        post=post,
        post_name=dep.scenario.name_of(post.names, reader.audience, reader.language),
        day=day,
        items=[(notices.present_notice(dep, reader, n), windows) for n, windows in found],
        posts=[p for p in dep.scenario.places if p.kind == "post"],
    )


@router.get("/posts/{post_id}/notices.ics")
def post_calendar(
    request: Request, post_id: str, dep: DepDep, viewer: ViewerDep, start: str = ""
) -> Response:
    day = _day(start) if start else notices.today(dep)
    body = notices.post_calendar(dep, _reader(request, viewer), post_id, day)
    return Response(body, media_type="text/calendar; charset=utf-8")


# --- the form ------------------------------------------------------------------------------


async def _values(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}, [str(v) for v in form.getlist("weekday")]


def _form(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
    weekdays: list[str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "notice_form.html",
        viewer,
        status_code=status_code,
        values=values,
        weekdays=weekdays or [],
        error=error,
        can_file=authz.can_file_notice(viewer),
        activities=list(Activity),
        settlements=[p for p in dep.scenario.places if p.kind in SETTLEMENTS],
        map=dep.scenario.info.map,
    )


def draft_from_form(values: dict[str, str], weekdays: list[str], time_zone: str) -> NoticeDraft:
    """The form's flat fields as a draft; local times are in the deployment's zone. The area
    is the map's drawing, or without JavaScript the point typed as latitude and longitude."""

    def local(name: str) -> str | None:
        moment = local_time(values, name, time_zone)
        return moment.isoformat() if moment else None

    area: Any = None
    if values.get("area", "").strip():
        try:
            area = json.loads(values["area"])
        except ValueError:
            raise InvalidInput("area", "the drawing could not be read: draw it again") from None
    elif values.get("lat", "").strip() or values.get("lon", "").strip():
        try:
            area = {"type": "Point", "coordinates": [float(values["lon"]), float(values["lat"])]}
        except (KeyError, ValueError):
            raise InvalidInput("area", "latitude and longitude must be numbers") from None
    data: dict[str, Any] = {
        "activity": values.get("activity", ""),
        "title": values.get("title", ""),
        "description": values.get("description", ""),
        "people": values.get("people", "").strip() or None,
        "unarmed": values.get("unarmed") == "yes",
        "vehicles": values.get("vehicles", "").strip() or 0,
        "area": area,
        "place_id": values.get("place_id") or None,
        "starts_at": local("starts_at"),
        "ends_at": local("ends_at"),
    }
    if weekdays:
        data["recurrence"] = {"weekdays": weekdays, "until": values.get("until") or None}
    return NoticeDraft.model_validate(data)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", "must be a day like 2021-04-12") from None


def _contact_name(dep: Deployment, contact_id: str) -> str:
    contact = dep.scenario.policy.contact(contact_id)
    return contact.name if contact else contact_id
