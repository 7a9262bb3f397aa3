"""The civilian desk's own pages: the queue (by priority and due time, of one post if asked),
the operator console for requests taken by phone or at a post, a case's page (who asks, the
timeline, the map, and what the desk can do with it), and the dashboard (open cases by
category, post and age, posts' workload, response times, what is overdue)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import SET_BY_HAND, CaseUpdate, Channel, HandOver, Link
from ceasefire.domain.desk import Priority
from ceasefire.domain.errors import DomainError, Forbidden, InvalidInput
from ceasefire.services import cases, places
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.web.desk_pages import request_draft
from ceasefire.web.pages import (
    DepDep,
    ViewerDep,
    _with_language,
    check_csrf,
    first_error,
    language,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/desk/cases")
def queue_page(request: Request, dep: DepDep, viewer: ViewerDep, post: str = "") -> HTMLResponse:
    reader = _reader(request, viewer)
    items = cases.queue(dep, reader, post[:80] or None)
    return render(request, "cases.html", viewer, items=items, post=post[:80],
                  now=utcnow().isoformat())  # fmt: skip


@router.get("/desk/cases/new")
def console(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _console(request, dep, viewer, {}, None)


@router.post("/desk/cases/new")
async def take_request(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    check_csrf(request, values.get("csrf_token", ""))
    if not values.get("place_id") and values.get("place_search", "").strip():
        values["place_id"] = places.place_named(dep, viewer, values["place_search"]) or ""
    try:
        filed = cases.file_request(dep, request_draft(values, language(request, viewer)),
                                   viewer=viewer)  # fmt: skip
    except ValidationError as exc:
        return _console(request, dep, viewer, values, first_error(exc), 422)
    except InvalidInput as exc:
        return _console(request, dep, viewer, values, exc.message, 422)
    return render(request, "request_filed.html", viewer, reference=filed.case.reference,
                  secret=filed.secret, case_id=filed.case.id)  # fmt: skip


@router.get("/desk/dashboard")
def dashboard_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _reader(request, viewer)
    board = cases.dashboard(dep, reader)
    names = {c.id: c.names for c in dep.scenario.desk.categories}
    return render(request, "case_dashboard.html", viewer, board=board, category_names=names,
                  post_name=lambda p: _place_name(dep, reader, p))  # fmt: skip


@router.get("/desk/cases/{case_id}")
def case_page(request: Request, case_id: str, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _page(request, dep, viewer, case_id, None)


ACTIONS = ("take", "triage", "update", "merge", "handover", "link")


@router.post("/desk/cases/{case_id}/{action}")
async def act(
    request: Request, case_id: str, action: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    check_csrf(request, values.get("csrf_token", ""))
    if action not in ACTIONS:
        raise InvalidInput("action", f"one of {list(ACTIONS)}")
    try:
        _act(dep, viewer, case_id, action, values)
    except ValidationError as exc:
        return _page(request, dep, viewer, case_id, first_error(exc), 422)
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _page(request, dep, viewer, case_id, exc.message, 422)
    return RedirectResponse(f"/desk/cases/{case_id}", status_code=303)


def _act(
    dep: Deployment, viewer: Viewer, case_id: str, action: str, values: dict[str, str]
) -> None:
    if action == "take":
        cases.take(dep, viewer, case_id)
    elif action == "triage":
        try:
            priority = Priority(values.get("priority", ""))
        except ValueError:
            raise InvalidInput("priority", f"one of {[p.value for p in Priority]}") from None
        cases.triage(dep, viewer, case_id, priority)
    elif action == "update":
        change = CaseUpdate.model_validate(
            {
                "status": values.get("status") or None,
                "to_resident": values.get("to_resident", ""),
                "internal_note": values.get("internal_note", ""),
            }
        )
        cases.update(dep, viewer, case_id, change)
    elif action == "merge":
        cases.merge(dep, viewer, case_id, values.get("into", ""))
    elif action == "handover":
        handover = HandOver.model_validate(
            {
                "party": values.get("party", ""),
                "needs": values.get("needs", ""),
                "by": values.get("by") or None,
            }
        )
        cases.hand_over(dep, viewer, case_id, handover)
    else:
        target = Link.model_validate({"kind": values.get("kind", ""), "id": values.get("id", "")})
        cases.link(dep, viewer, case_id, target)


def _page(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    case_id: str,
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    view = cases.case_view(dep, reader, case_id)
    points = []
    if view["lat"] is not None:
        points.append({"lat": view["lat"], "lon": view["lon"], "outcome": "case",
                       "label": view["place"]})  # fmt: skip
    post = dep.gazetteer.place(view["nearest_post"] or "")
    if post is not None:
        points.append({"lat": post.lat, "lon": post.lon, "outcome": "post",
                       "label": view["post_name"]})  # fmt: skip
    parties = [o for o in dep.scenario.organisations if o.party and not o.mission]
    return render(
        request,
        "case.html",
        viewer,
        status_code=status_code,
        case=view,
        error=error,
        desk=authz.can_work_desk(viewer),
        track=json.dumps({"route": [], "points": points}),
        map=dep.scenario.info.map,
        priorities=list(Priority),
        statuses=list(SET_BY_HAND),
        parties=parties,
        contact_name=lambda c: _contact_name(dep, c),
    )


def _console(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    if not authz.can_work_desk(viewer):
        raise Forbidden("the console is the mission's desk's")
    return render(
        request,
        "case_console.html",
        viewer,
        status_code=status_code,
        values=values,
        error=error,
        desk=dep.scenario.desk,
        channels=[c.value for c in Channel],
    )


def _reader(request: Request, viewer: Viewer) -> Viewer:
    return _with_language(viewer, language(request, viewer))


def _place_name(dep: Deployment, viewer: Viewer, place_id: str) -> str:
    place = dep.gazetteer.place(place_id)
    return (
        dep.scenario.name_of(place.names, viewer.audience, viewer.language) if place else place_id
    )


def _contact_name(dep: Deployment, contact_id: str) -> Any:
    contact = dep.scenario.policy.contact(contact_id)
    return contact.name if contact else contact_id
