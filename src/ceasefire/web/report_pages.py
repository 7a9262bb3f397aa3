"""The daily situation report's page (figures, paragraphs, a map of the period, the log
checkpoint it was computed from) and its PDF; the weekly and monthly trends (charts, hot
spots, what changed); the open-data page, where anyone takes what is public as ACLED-style
CSV, GeoJSON or HXL, and reads the public daily report."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, InvalidInput
from ceasefire.reports.pdf import OBSERVED_LABELS
from ceasefire.reports.trends import Span
from ceasefire.services import exports, reports, trends
from ceasefire.services.deployment import Deployment
from ceasefire.web.api.reports import stream
from ceasefire.web.deps import session_viewer
from ceasefire.web.pages import DepDep, ViewerDep, language, render

router = APIRouter(include_in_schema=False)


@router.get("/reports/daily")
def daily_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _daily(request, dep, viewer, viewer)


@router.get("/reports/daily/{day}")
def day_page(day: str, request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    """A day's report by its address (where a notification of it links)."""
    return _daily(request, dep, viewer, viewer, day=day)


@router.get("/reports/daily.pdf")
def daily_pdf(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    reader, day = _reader(request, dep, viewer), _day(request, dep)
    report = reports.daily_report(dep, reader, day)
    return Response(
        reports.daily_pdf(dep, reader, report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="daily-{day}.pdf"'},
    )


@router.get("/reports/weekly")
def weekly_page(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    return _trend(request, dep, viewer, Span.week)


@router.get("/reports/monthly")
def monthly_page(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    return _trend(request, dep, viewer, Span.month)


def _trend(request: Request, dep: Deployment, viewer: Viewer, span: Span) -> Response:
    """A week's or a month's trends (`?week=` any day of it, `?month=YYYY-MM`; the latest
    that is over by default); `&format=pdf` for the PDF."""
    params = request.query_params
    asked = params.get(span.value, "")
    try:
        reader = _reader(request, dep, viewer)
        first = trends.parse_first(span, asked) if asked else trends.latest_first(dep, span)
        report: dict[str, Any] | None = trends.trend_report(dep, reader, span, first)
        error, status = None, 200
    except DomainError as exc:
        report, error, status = None, exc.message, 422
    if report is not None and params.get("format") == "pdf":
        return Response(trends.trend_pdf(report), media_type="application/pdf")
    return render(
        request,
        "trends.html",
        viewer,
        status_code=status,
        report=report,
        error=error,
        span=span.value,
        asked=asked,
        audiences=dep.scenario.audiences,
    )


@router.get("/open-data")
def open_data(request: Request, dep: DepDep) -> HTMLResponse:
    """Anyone's: the public daily report and the public records to take."""
    return _daily(request, dep, authz.PUBLIC, session_viewer(request), public=True)


@router.get("/open-data/{name}")
def open_data_file(name: str, request: Request, dep: DepDep) -> StreamingResponse:
    files = {
        "incidents-acled.csv": "acled",
        "incidents-hxl.csv": "hxl",
        "incidents.geojson": "geojson",
    }
    if name not in files:
        raise InvalidInput("name", f"one of {', '.join(files)}")
    reader = _reader(request, dep, authz.PUBLIC)
    coarsen = dep.scenario.reports.coarsen_metres
    everything = exports.day_query(dep, None, None)
    return stream(dep, reader, files[name], everything, coarsen, False, record=False)


def _reader(request: Request, dep: Deployment, viewer: Viewer) -> Viewer:
    """`viewer` reading in the names asked for (`?audience=`) and the page's language."""
    audience = request.query_params.get("audience") or None
    return reports.reader_for(dep, viewer, audience, language(request, session_viewer(request)))


def _day(request: Request, dep: Deployment, day: str = "") -> date:
    """The day asked for (`?date=`, or the page's address), else the latest that is over."""
    text = request.query_params.get("date", "") or day
    return reports.check_day(dep, reports.parse_day(text) if text else reports.last_day(dep))


def _daily(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    signed_in: Viewer | None,
    public: bool = False,
    day: str = "",
) -> HTMLResponse:
    try:
        reader = _reader(request, dep, viewer)
        report: dict[str, Any] | None = reports.daily_report(
            dep, reader, _day(request, dep, day), record=not public
        )
        error, status = None, 200
    except DomainError as exc:
        report, error, status = None, exc.message, 422
    track = {
        "route": [],
        "points": [
            {
                "lat": p["lat"],
                "lon": p["lon"],
                "label": p["label"],
                "outcome": "violation" if p["violation"] else "incident",
            }
            for p in (report["points"] if report else [])
        ],
    }
    map_settings = dep.scenario.info.map
    return render(
        request,
        "daily_report.html",
        signed_in,
        status_code=status,
        report=report,
        error=error,
        public=public,
        track=json.dumps(track),
        center=",".join(str(x) for x in map_settings.center),
        zoom=map_settings.zoom,
        audiences=dep.scenario.audiences,
        asked=dict(request.query_params),
        observed_labels=list(OBSERVED_LABELS.items()),
    )
