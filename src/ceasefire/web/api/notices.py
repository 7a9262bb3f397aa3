"""/api/v1/notices: activity notices (file, preview, read, cancel) and each post's day."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.incidents import Strict
from ceasefire.domain.notices import NoticeDraft
from ceasefire.services import notices
from ceasefire.services.deployment import Deployment
from ceasefire.store.notices import Notice
from ceasefire.web.api.notifications import present as present_notification
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["notices"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


def _shown(dep: Deployment, viewer: Viewer, notice: Notice) -> dict[str, Any]:
    shown = notices.present_notice(dep, viewer, notice)
    shown["acknowledgements"] = [
        present_notification(n) for n in notices.acknowledgements(dep, viewer, notice)
    ]
    return shown


@router.post("/notices", status_code=201)
def file(body: NoticeDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """File a notice of a planned activity: it is assessed and routed by rule at once."""
    return _shown(dep, viewer, notices.file_notice(dep, viewer, body))


@router.post("/notices/assessment")
def preview(body: NoticeDraft, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """How a notice would be assessed and whom it would reach, without filing it."""
    return notices.preview(dep, viewer, body)


@router.get("/notices")
def list_(dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The notices you may read whose activity is not over, soonest first."""
    return {
        "items": [notices.present_notice(dep, viewer, n) for n in notices.list_notices(dep, viewer)]
    }


@router.get("/notices/{notice_id}")
def read(notice_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    return _shown(dep, viewer, notices.get_notice(dep, viewer, notice_id))


class Cancel(Strict):
    reason: str = Field(min_length=1, max_length=2000)
    base_version: int | None = Field(default=None, ge=1)


@router.post("/notices/{notice_id}/cancel")
def cancel(notice_id: str, body: Cancel, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    notice = notices.cancel_notice(
        dep, viewer, notice_id, reason=body.reason, base_version=body.base_version
    )
    return _shown(dep, viewer, notice)


@router.get("/posts/{post_id}/notices")
def post_day(
    post_id: str,
    dep: DepDep,
    viewer: ViewerDep,
    day: Annotated[date, Query(alias="date", description="the deployment's local day")],
    days: Annotated[int, Query(ge=1, le=notices.MAX_DAYS)] = 1,
) -> dict[str, Any]:
    """A post's notices with a window on these days, with the windows."""
    found = notices.post_days(dep, viewer, post_id, day, days)
    return {
        "post": post_id,
        "items": [
            {
                **notices.present_notice(dep, viewer, notice),
                "windows": [[start.isoformat(), end.isoformat()] for start, end in windows],
            }
            for notice, windows in found
        ],
    }


@router.get("/posts/{post_id}/notices.ics")
def post_calendar(
    post_id: str,
    dep: DepDep,
    viewer: ViewerDep,
    day: Annotated[date | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=notices.MAX_DAYS)] = 31,
) -> Response:
    """A post's coming notices as an iCalendar feed (RFC 5545)."""
    first = day or notices.today(dep)
    body = notices.post_calendar(dep, viewer, post_id, first, days)
    return Response(body, media_type="text/calendar; charset=utf-8")
