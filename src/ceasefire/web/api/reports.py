"""/api/v1/reports and /api/v1/exports: the daily situation report and the weekly and monthly
trends as you may read them (JSON or PDF), and the incidents you may read as ACLED-style CSV,
GeoJSON (RFC 7946) or HXL CSV, streamed. Each is recorded in the log with who took it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.records import IncidentQuery
from ceasefire.reports.trends import Span
from ceasefire.services import exports, reports, trends
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["reports and exports"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]
MEDIA = {
    "acled": ("text/csv; charset=utf-8", "incidents-acled.csv"),
    "hxl": ("text/csv; charset=utf-8", "incidents-hxl.csv"),
    "geojson": ("application/geo+json", "incidents.geojson"),
}


@router.get("/reports/daily", response_model=None)
def daily(
    dep: DepDep,
    viewer: ViewerDep,
    day: Annotated[date, Query(alias="date", description="The day whose cut-off ends the period")],
    audience: str | None = None,
    language: Literal["en", "ru", "hy", "az"] | None = None,
    format: Literal["json", "pdf"] = "json",
) -> dict[str, Any] | Response:
    """The daily situation report of the period ending at `date`'s cut-off, counting only what
    you may read, in your language and names (or those asked for), with the log checkpoint it
    was computed from and the hash of its figures."""
    reader = reports.reader_for(dep, viewer, audience, language)
    report = reports.daily_report(dep, reader, reports.check_day(dep, day))
    if format == "json":
        return report
    return Response(
        reports.daily_pdf(dep, reader, report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="daily-{report["day"]}.pdf"'},
    )


@router.get("/reports/weekly", response_model=None)
def weekly(
    dep: DepDep,
    viewer: ViewerDep,
    week: Annotated[str, Query(description="Any day of the week (YYYY-MM-DD)")],
    audience: str | None = None,
    language: Literal["en", "ru", "hy", "az"] | None = None,
    format: Literal["json", "pdf"] = "json",
) -> dict[str, Any] | Response:
    """The week's trends (Monday to Sunday, by report day) against the seven weeks before:
    series by category and area, hot spots, what deteriorated, improved or stayed the same."""
    return _trend(dep, viewer, Span.week, week, audience, language, format)


@router.get("/reports/monthly", response_model=None)
def monthly(
    dep: DepDep,
    viewer: ViewerDep,
    month: Annotated[str, Query(description="YYYY-MM")],
    audience: str | None = None,
    language: Literal["en", "ru", "hy", "az"] | None = None,
    format: Literal["json", "pdf"] = "json",
) -> dict[str, Any] | Response:
    """The month's trends against the five months before, as the weekly ones."""
    return _trend(dep, viewer, Span.month, month, audience, language, format)


def _trend(
    dep: Deployment,
    viewer: Viewer,
    span: Span,
    asked: str,
    audience: str | None,
    language: str | None,
    format: str,
) -> dict[str, Any] | Response:
    reader = reports.reader_for(dep, viewer, audience, language)
    report = trends.trend_report(dep, reader, span, trends.parse_first(span, asked))
    if format == "json":
        return report
    name = f"{report['kind']}-{report['first']}.pdf"
    return Response(
        trends.trend_pdf(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/exports/{name}")
def export(
    name: Literal["acled", "geojson", "hxl"],
    dep: DepDep,
    viewer: ViewerDep,
    since: date | None = None,
    until: date | None = None,
    category: Annotated[list[str] | None, Query()] = None,
    coarsen: Annotated[int, Query(ge=0, le=100_000)] = 0,
    layers: bool = False,
    audience: str | None = None,
    language: Literal["en", "ru", "hy", "az"] | None = None,
) -> StreamingResponse:
    """Every incident you may read (filtered by the day it started, from `since` to `until`
    inclusive, and by category), streamed: `acled` (ACLED's 31 columns), `geojson` (RFC 7946;
    `coarsen` rounds points to a grid of so many metres; `layers` adds the map's layers) or
    `hxl` (HXL-tagged CSV)."""
    reader = reports.reader_for(dep, viewer, audience, language)
    query = exports.day_query(dep, since, until, tuple(category or ()))
    return stream(dep, reader, name, query, coarsen, layers)


def stream(
    dep: Deployment,
    reader: Viewer,
    name: str,
    query: IncidentQuery,
    coarsen: int,
    layers: bool,
    record: bool = True,
) -> StreamingResponse:
    """The export as a download (recorded in the log unless `record` is false: the public's)."""
    chunks = exports.export(
        dep, reader, name, query, coarsen_metres=coarsen, layers=layers, record=record
    )
    media, filename = MEDIA[name]
    return StreamingResponse(
        _encoded(chunks),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode()
