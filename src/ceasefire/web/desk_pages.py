"""The civilian desk's public pages: the request form that needs no account (small, works on
a cheap phone, in the four languages) and the status page a resident opens with a reference
and secret.

Spam is kept out without third-party services: a hidden field people leave empty, a signed
form that must have been open a few seconds (and not for days), and a limit of requests per
address an hour. A refused request says why and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from pydantic import ValidationError

from ceasefire.domain.cases import Channel, RequestDraft
from ceasefire.domain.errors import DomainError
from ceasefire.domain.geography import SETTLEMENTS
from ceasefire.services import cases
from ceasefire.services.deployment import Deployment
from ceasefire.web.pages import DepDep, check_csrf, first_error, language, render

router = APIRouter(include_in_schema=False)
FORM_SALT = "ceasefire.request-form"
MAX_FORM_AGE = 24 * 3600


def _signer(request: Request) -> TimestampSigner:
    return TimestampSigner(request.app.state.settings.session_secret(), salt=FORM_SALT)


@router.get("/request")
def request_form(request: Request, dep: DepDep) -> HTMLResponse:
    return _form(request, dep, {}, None)


@router.post("/request")
async def file_request(request: Request, dep: DepDep) -> HTMLResponse:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    check_csrf(request, values.get("csrf_token", ""))
    address = request.client.host if request.client else "?"
    limit = request.app.state.public_requests
    problem = _spam(request, values)
    if problem is None and limit.exceeded(address):
        problem = "too many requests from your address this hour: call the hotline instead"
    if problem is not None:
        return _form(request, dep, values, problem, 429 if limit.exceeded(address) else 422)
    try:
        filed = cases.file_request(dep, request_draft(values, language(request, None)))
    except ValidationError as exc:
        return _form(request, dep, values, first_error(exc), 422)
    except DomainError as exc:
        return _form(request, dep, values, exc.message, 422)
    limit.add(address)
    return render(
        request, "request_filed.html", None, reference=filed.case.reference, secret=filed.secret
    )


@router.get("/request/status")
def request_status(
    request: Request, dep: DepDep, reference: str = "", secret: str = ""
) -> HTMLResponse:
    found, error = None, None
    if reference or secret:
        try:
            found = cases.case_status(dep, reference[:20], secret[:100])
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "request_status.html",
        None,
        status_code=404 if error else 200,
        found=found,
        error=error,
        reference=reference[:20],
        category_names={c.id: c.names for c in dep.scenario.desk.categories},
    )


def request_draft(values: dict[str, str], lang: str) -> RequestDraft:
    """A request from a form's flat fields (the public form's, or the operator console's,
    which adds the resident's language, how many are affected and a petition's signatories:
    one per line, a name and, after a semicolon, a phone)."""
    signatories = []
    for line in values.get("signatories", "").splitlines():
        name, _, phone = line.partition(";")
        if name.strip():
            signatories.append({"name": name.strip(), "phone": phone.strip() or None})
    return RequestDraft.model_validate(
        {
            "category": values.get("category", ""),
            "description": values.get("description", ""),
            "place_id": values.get("place_id") or None,
            "place_text": values.get("place_text", ""),
            "urgent": values.get("urgent") == "yes",
            "affected": values.get("affected") or 1,
            "requester": {
                "name": values.get("name", ""),
                "phone": values.get("phone") or None,
                "email": values.get("email") or None,
                "language": values.get("language") or lang,
                "channel": values.get("channel") or Channel.status_page.value,
            },
            "signatories": signatories,
        }
    )


def _spam(request: Request, values: dict[str, str]) -> str | None:
    """Why a submission looks automatic, or None."""
    if values.get("website"):
        return "this form is for people: leave the last field empty"
    try:
        _, signed_at = _signer(request).unsign(
            values.get("form_token", ""), max_age=MAX_FORM_AGE, return_timestamp=True
        )
    except SignatureExpired:
        return "the form was open too long: send it again"
    except BadSignature:
        return "the form is not one of ours: reload it"
    age = (datetime.now(UTC) - signed_at).total_seconds()
    if age < request.app.state.form_min_seconds:
        return "sent too fast: read the form, then send it again"
    return None


def _form(
    request: Request,
    dep: Deployment,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    settlements = [p for p in dep.scenario.places if p.kind in SETTLEMENTS]
    return render(
        request,
        "request.html",
        None,
        status_code=status_code,
        values=values,
        error=error,
        form_token=_signer(request).sign("request").decode(),
        desk=dep.scenario.desk,
        settlements=settlements,
        channels=[c.value for c in Channel if c is not Channel.telegram],
    )
