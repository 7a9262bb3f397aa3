"""The coordinators' humanitarian-assistance pages: the dashboard (aggregates that name
nobody, housing progress, the 3W map), its HXL-tagged CSV downloads, and who does what where
(the 3W activities, recorded one by one or imported from a table).

Every page calls the same services as the API, so the same rules decide who sees what. The
registry is in `household_pages`, the programmes and claims in `programme_pages`, and what the
three share in `aid_forms`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import ActivityDraft, ActivityStatus
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, InvalidInput
from ceasefire.i18n import translations
from ceasefire.services import activities, aid_figures, attachments
from ceasefire.services.deployment import Deployment
from ceasefire.web.aid_forms import (
    _count,
    _first,
    _form_values,
    _housing_names,
    _money,
    _named,
    _programme_name,
    _reader,
    _settlements,
    _text,
)
from ceasefire.web.pages import DepDep, ViewerDep, _organisation_name, check_csrf, render

router = APIRouter(include_in_schema=False)
CSV = "text/csv; charset=utf-8"


# --- the coordinators' dashboard ----------------------------------------------------------


@router.get("/aid")
def dashboard_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    reader = _reader(request, viewer)
    board = aid_figures.dashboard(dep, reader)
    _ = translations(reader.language).gettext
    lines = sorted(board["programmes"], key=lambda line: (line["period"], line["programme_id"]))
    progress = [
        {**item, "name": _named(_housing_names(dep, item["programme_id"]), reader.language)}
        for item in board["housing"]
    ]
    return render(
        request,
        "aid_dashboard.html",
        viewer,
        board=board,
        lines=lines,
        progress=progress,
        programme_name=lambda p: _programme_name(dep, p, reader.language),
        shown=lambda n: _count(n, board["minimum_cell"]),
        money=_money,
        map_data=json.dumps(_map_data(dep, reader, board, _), ensure_ascii=False),
        map=dep.scenario.info.map,
        caseworker=authz.can_register_households(viewer, set(dep.scenario.aid.organisations)),
    )


@router.get("/aid/activities.hxl.csv")
def activities_csv(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    """The 3W table as HXL-tagged CSV, for a signed-in user (the API's needs a token)."""
    text = activities.export_activities(dep, _reader(request, viewer))
    return _download(text, "activities.hxl.csv")


@router.get("/aid/displaced.hxl.csv")
def displaced_csv(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    text = aid_figures.export_displaced(dep, _reader(request, viewer))
    return _download(text, "displaced.hxl.csv")


def _download(text: str, name: str) -> Response:
    return PlainTextResponse(
        text, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _map_data(
    dep: Deployment, reader: Viewer, board: dict[str, Any], _: Callable[[str], str]
) -> dict[str, Any]:
    """The 3W places with their activities, and the displaced by current place (suppressed
    cells left out), ready for the map to draw."""
    places = []
    for feature in board["activities"]["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        places.append(
            {
                "id": feature["properties"]["place_id"],
                "lat": lat,
                "lon": lon,
                "place": feature["properties"]["place"],
                "activities": [
                    {
                        "organisation": _organisation_name(dep, reader, a["organisation"]),
                        "partner": _organisation_name(dep, reader, a["partner"])
                        if a["partner"]
                        else "",
                        "sector": _sector_name(dep, a["sector"], reader.language),
                        "activity": a["activity"],
                        "status": _(a["status"]),
                        "remote": a["remote"] == "yes",
                    }
                    for a in feature["properties"]["activities"]
                ],
            }
        )
    displaced = []
    for place_id, people in sorted(board["current"].items()):
        place = dep.gazetteer.place(place_id)
        if people is None or place is None:
            continue
        displaced.append(
            {
                "id": place_id,
                "lat": place.lat,
                "lon": place.lon,
                "place": activities.place_name(dep, reader, place_id),
                "people": people,
            }
        )
    return {"places": places, "displaced": displaced}


# --- who does what where ------------------------------------------------------------------


@router.get("/aid/activities")
def activities_page(
    request: Request, dep: DepDep, viewer: ViewerDep, sector: str = "", status: str = ""
) -> HTMLResponse:
    return _activities(request, dep, viewer, None, {}, sector=sector[:80], status=status[:20])


@router.post("/aid/activities")
async def record_activity(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    fields = ("organisation", "partner", "sector", "place_id", "activity", "status", "start",
              "end", "targeted", "reached")  # fmt: skip
    data: dict[str, Any] = {name: _text(values, name) for name in fields if _text(values, name)}
    data["remote"] = _text(values, "remote") == "yes"
    try:
        activities.record_activity(dep, viewer, ActivityDraft.model_validate(data))
    except ValidationError as exc:
        return _activities(request, dep, viewer, _first(exc), values, 422)
    except DomainError as exc:
        if exc.code != "invalid_input":
            raise
        return _activities(request, dep, viewer, exc.message, values, 422)
    return RedirectResponse("/aid/activities?recorded=1", status_code=303)


@router.post("/aid/activities/import")
async def import_activities(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("file", "choose an HXL-tagged CSV file")
        try:
            text = (await upload.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("file", "the file is not text in UTF-8") from None
        ids = activities.import_activities(dep, viewer, text)
    except DomainError as exc:
        if exc.code != "invalid_input":
            raise
        return _activities(request, dep, viewer, exc.message, {}, 422)
    return RedirectResponse(f"/aid/activities?imported={len(ids)}", status_code=303)


def _activities(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    error: str | None,
    values: dict[str, Any],
    status_code: int = 200,
    sector: str = "",
    status: str = "",
) -> HTMLResponse:
    reader = _reader(request, viewer)
    aid = dep.scenario.aid
    items = activities.activities(dep, reader, sector=sector or None, status=status or None)
    recorder = viewer.organisation_id in aid.organisations and viewer.has(
        authz.Role.caseworker, authz.Role.analyst
    )
    params = request.query_params
    return render(
        request,
        "aid_activities.html",
        viewer,
        status_code=status_code,
        items=items,
        error=error,
        values=values,
        sector=sector,
        status=status,
        recorder=recorder,
        sectors=[(s.id, _named(s.names, reader.language)) for s in aid.sectors],
        sector_name=lambda s: _sector_name(dep, s, reader.language),
        statuses=[s.value for s in ActivityStatus],
        organisations=[o.id for o in dep.scenario.organisations if not o.mission],
        aid_organisations=aid.organisations,
        settlements=_settlements(dep, reader.audience, reader.language),
        recorded=params.get("recorded") == "1",
        imported=params.get("imported", "") if params.get("imported", "").isdigit() else None,
        assessments=activities.assessments(dep, reader),
        grants=activities.grants(dep, reader),
        money=_money,
    )


@router.get("/aid/assessments/{assessment_id}")
def assessment_page(assessment_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    """An assessment is shown in the 3W page's list (the intake page links here)."""
    activities.assessment_view(dep, viewer, assessment_id)
    return RedirectResponse(f"/aid/activities#assessment-{assessment_id}", status_code=303)


@router.get("/aid/assessments/{assessment_id}/files/{sha256}")
def assessment_file(
    assessment_id: str, sha256: str, request: Request, dep: DepDep, viewer: ViewerDep
) -> Response:
    """A photo or video of a needs assessment (for the agency and the partner that made it)."""
    found = activities.assessment_view(dep, viewer, assessment_id)
    if sha256 not in {f["sha256"] for f in found["files"]}:
        raise InvalidInput("sha256", "not a file of this assessment")
    stored = attachments.read_attachment(dep, viewer, sha256)
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


# --- inside -------------------------------------------------------------------------------


def _sector_name(dep: Deployment, sector_id: str, lang: str) -> str:
    sector = dep.scenario.aid.sector(sector_id)
    return _named(sector.names, lang) if sector else sector_id
