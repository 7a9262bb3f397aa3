"""The duty officer's intake page: every submission field apps sent, what each became, the
quarantined ones with their reason — and, for each of those, its answers to correct and one
click to create the record it should have made; and the residents' dialogues by SMS and
messaging, where each stands (what was said stays sealed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ceasefire.domain.errors import DomainError
from ceasefire.services import intake, messaging
from ceasefire.web.pages import RECORD_PATHS, DepDep, ViewerDep, check_csrf, render

router = APIRouter(include_in_schema=False)


@router.get("/intake")
def intake_page(request: Request, dep: DepDep, viewer: ViewerDep, status: str = "") -> HTMLResponse:
    items = intake.submissions(dep, viewer, status[:20] or None)
    talks = messaging.conversations(dep, viewer)
    return render(
        request,
        "intake.html",
        viewer,
        items=items,
        status=status[:20],
        talks=talks,
        paths=RECORD_PATHS,
    )


@router.get("/intake/{submission_id}")
def submission_page(
    request: Request, submission_id: str, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    return _page(request, dep, viewer, submission_id, None)


@router.post("/intake/{submission_id}")
async def create_from(
    request: Request, submission_id: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = {k[2:]: str(v) for k, v in form.items() if k.startswith("a.")}
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        intake.resolve(dep, viewer, submission_id, values)
    except DomainError as exc:
        message = exc.message if exc.field is None else f"{exc.field}: {exc.message}"
        return _page(request, dep, viewer, submission_id, message, values, 422)
    return RedirectResponse(f"/intake/{submission_id}", status_code=303)


def _page(
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    submission_id: str,
    error: str | None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = intake.submission(dep, viewer, submission_id)
    return render(
        request,
        "submission.html",
        viewer,
        status_code=status_code,
        item=found,
        answers=values or intake.answers(dep, found),
        raw=intake.raw(dep, found),
        error=error,
        paths=RECORD_PATHS,
    )
