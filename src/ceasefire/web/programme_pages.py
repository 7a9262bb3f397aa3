"""The humanitarian programmes' and claims' pages: each programme's rules in words, running
them for a month and what the runs found, the reconciliation of what was owed with what was
delivered, the list of what one programme owes (and recording its handover), and the
compensation organisation's queue of claims with each claim's page (assess, decide, evidence).

Every page calls the same services as the API, so the same rules decide who sees what and who
may run, hand over, assess or decide. Figures another organisation may not see exactly are
shown suppressed, as the dashboard shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import (
    Assessment,
    ClaimStatus,
    Decision,
    Delivery,
    Stage,
    StageMove,
)
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, InvalidInput
from ceasefire.domain.programmes import Condition, Programme, parse_month
from ceasefire.i18n import N_, translations
from ceasefire.services import activities, attachments, housing, places, programmes
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.web.aid_forms import (
    _count,
    _first,
    _form_values,
    _housing_names,
    _money,
    _named,
    _programme_name,
    _reader,
    _text,
)
from ceasefire.web.pages import DepDep, ViewerDep, check_csrf, render

router = APIRouter(include_in_schema=False)
CONDITION_FIELDS = {
    "displacement": N_("Displacement"),
    "shelter": N_("Shelter"),
    "home": N_("Home left behind"),
    "origin_place": N_("Village of origin"),
    "current_place": N_("Current place"),
    "vulnerability": N_("Vulnerability"),
    "sex": N_("Sex"),
    "age": N_("Age"),
    "household_size": N_("Household size"),
}
"""The facts programmes' conditions test, as people read them."""


# --- programmes ---------------------------------------------------------------------------


@router.get("/aid/programmes")
def programmes_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _programmes(request, dep, viewer, None, None)


@router.post("/aid/programmes/run")
async def run_programmes(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    period = str(form.get("period", "")).strip()[:7]
    chosen = [str(p) for p in form.getlist("programme") if p][:50]
    try:
        summary = programmes.run_programmes(
            dep, period, viewer=viewer, programme_ids=chosen or None
        )
    except InvalidInput as exc:
        return _programmes(request, dep, viewer, None, exc.message, 422, period)
    return _programmes(request, dep, viewer, summary, None, 200, period)


def _programmes(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    summary: programmes.RunSummary | None,
    error: str | None,
    status_code: int = 200,
    period: str = "",
) -> HTMLResponse:
    reader = _reader(request, viewer)
    _ = translations(reader.language).gettext
    rules = [_rule(dep, reader, p, _) for p in dep.scenario.aid.programmes]
    runs = programmes.runs(dep, reader)
    reconciled = sorted(
        programmes.reconciliation(dep, reader),
        key=lambda line: (line["period"], line["programme_id"]),
        reverse=True,
    )
    minimum = dep.scenario.aid.registry.minimum_cell
    return render(
        request,
        "aid_programmes.html",
        viewer,
        status_code=status_code,
        rules=rules,
        runs=runs[:20],
        reconciled=reconciled,
        summary=summary,
        error=error,
        period=period or utcnow().strftime("%Y-%m"),
        runnable=[r for r in rules if r["can_run"]],
        programme_name=lambda p: _programme_name(dep, p, reader.language),
        money=_money,
        minimum=minimum,
        suppressed=any(line["suppressed"] for line in reconciled),
        shown=lambda n: _count(n, minimum),
    )


def _rule(
    dep: Deployment, reader: Viewer, programme: Programme, _: Callable[[str], str]
) -> dict[str, Any]:
    """A programme's rules as people read them, in the reader's language."""
    if programme.money is not None:
        benefit = _money(float(programme.money.amount), programme.money.currency)
    else:
        assert programme.items is not None
        item = _named(programme.items.names, reader.language) or programme.items.item
        benefit = f"{programme.items.quantity} × {item}"
    if programme.frequency.value == "weekly" and programme.times > 1:
        frequency = _("{times} times a week").format(times=programme.times)
    else:
        frequency = _(programme.frequency.value)
    return {
        "id": programme.id,
        "name": _named(programme.names, reader.language),
        "organisation": programme.organisation,
        "per": programme.per.value,
        "benefit": benefit,
        "frequency": frequency,
        "conditions": [(_condition(dep, reader, c, _), c.describe()) for c in programme.eligible],
        "start": programme.start,
        "end": programme.end,
        "budget": _money(float(programme.budget.amount), programme.budget.currency)
        if programme.budget
        else None,
        "source": programme.source,
        "can_run": authz.can_run_programme(reader, programme.organisation),
    }


def _condition(
    dep: Deployment, reader: Viewer, condition: Condition, _: Callable[[str], str]
) -> str:
    """A condition in words: the fact it tests, in the reader's language, and its values."""
    if condition.any is not None:
        inner = "; ".join(_condition(dep, reader, c, _) for c in condition.any)
        return _("any of: {conditions}").format(conditions=inner)
    field = _(CONDITION_FIELDS.get(condition.field or "", condition.field or ""))
    if condition.in_ is not None:
        if condition.field in ("origin_place", "current_place"):
            shown = [activities.place_name(dep, reader, v) for v in condition.in_]
        else:
            shown = [_(v) for v in condition.in_]
        return f"{field}: {', '.join(shown)}"
    if condition.has is not None:
        return f"{field}: {_(condition.has.value)}"
    if condition.at_least is not None:
        return _("{field} at least {number}").format(field=field, number=condition.at_least)
    return _("{field} below {number}").format(field=field, number=condition.below)


@router.get("/aid/programmes/{programme_id}/owed")
def owed_page(
    request: Request,
    programme_id: str,
    dep: DepDep,
    viewer: ViewerDep,
    period: str = "",
    after: int = 0,
) -> HTMLResponse:
    return _owed(request, dep, viewer, programme_id, period[:7], max(0, after), None, {})


@router.post("/aid/programmes/{programme_id}/owed")
async def record_delivery(
    request: Request, programme_id: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    period = _text(values, "period")[:7]
    chosen = [str(v) for v in form.getlist("entitlement") if str(v).isdigit()]
    if not _text(values, "place_id") and _text(values, "place_search"):
        values["place_id"] = places.place_named(dep, viewer, _text(values, "place_search")) or ""
    try:
        delivery = Delivery.model_validate(
            {
                "entitlements": [int(v) for v in chosen],
                "place_id": _text(values, "place_id"),
                "on": _text(values, "on"),
                "reference": _text(values, "reference"),
            }
        )
        done = programmes.record_delivery(dep, viewer, delivery, programme_id=programme_id)
    except ValidationError as exc:
        return _owed(request, dep, viewer, programme_id, period, 0, _first(exc), values, 422)
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _owed(request, dep, viewer, programme_id, period, 0, exc.message, values, 422)
    return RedirectResponse(
        f"/aid/programmes/{programme_id}/owed?period={period}&delivered={done['delivered']}",
        status_code=303,
    )


def _owed(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    programme_id: str,
    period: str,
    after: int,
    error: str | None,
    values: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    programme = dep.scenario.aid.programme(programme_id)
    if programme is None:
        raise InvalidInput("programme_id", f"unknown programme {programme_id!r}")
    period = period or utcnow().strftime("%Y-%m")
    try:
        parse_month(period)
    except ValueError as exc:
        raise InvalidInput("period", str(exc)) from None
    items = programmes.owed(dep, reader, programme_id, period, after)
    delivered = request.query_params.get("delivered", "")
    return render(
        request,
        "aid_owed.html",
        viewer,
        status_code=status_code,
        programme=programme,
        title=_named(programme.names, reader.language),
        item=_named(programme.items.names, reader.language) if programme.items else "",
        period=period,
        items=items,
        more=items[-1]["id"] if len(items) >= 500 else None,
        error=error,
        values=values,
        chosen={str(v) for v in values.get("entitlement_ids", [])},
        delivered=int(delivered) if delivered.isdigit() else None,
        today=utcnow().date().isoformat(),
        place_name=lambda p: activities.place_name(dep, reader, p),
        money=_money,
    )


# --- housing ------------------------------------------------------------------------------


@router.get("/aid/housing")
def housing_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _housing(request, dep, viewer, None)


@router.post("/aid/housing/{programme_id}/enter/{household_id}")
async def enter_household(
    request: Request, programme_id: str, household_id: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    """Enter a qualifying household in a housing programme (at registered)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        housing.move_stage(
            dep, viewer, programme_id, household_id, StageMove(stage=Stage.registered)
        )
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _housing(request, dep, viewer, exc.message, 422)
    return RedirectResponse(f"/aid/households/{household_id}", status_code=303)


def _housing(
    request: Request, dep: Deployment, viewer: Viewer, error: str | None, status_code: int = 200
) -> HTMLResponse:
    reader = _reader(request, viewer)
    own = [
        p.id for p in dep.scenario.aid.housing if authz.can_run_programme(viewer, p.organisation)
    ]
    return render(
        request,
        "aid_housing.html",
        viewer,
        status_code=status_code,
        error=error,
        progress=housing.housing_progress(dep, reader),
        stages=[s.value for s in Stage],
        pipelines={p: housing.pipeline(dep, viewer, p) for p in own},
        candidates={p: housing.candidates(dep, viewer, p) for p in own},
        programme_name=lambda p: _named(_housing_names(dep, p), reader.language),
        count=lambda n: _count(n, dep.scenario.aid.registry.minimum_cell),
        place_name=lambda p: activities.place_name(dep, reader, p),
    )


# --- claims -------------------------------------------------------------------------------


@router.get("/aid/claims")
def claims_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    items = housing.claims_queue(dep, _reader(request, viewer))
    return render(request, "aid_claims.html", viewer, items=items, money=_money)


@router.get("/aid/claims/{claim_id}")
def claim_page(request: Request, claim_id: str, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _claim(request, dep, viewer, claim_id, None)


@router.get("/aid/claims/{claim_id}/evidence/{sha256}")
def claim_evidence(
    claim_id: str, sha256: str, request: Request, dep: DepDep, viewer: ViewerDep
) -> Response:
    claim = housing.claim_view(dep, viewer, claim_id)
    if sha256 not in claim["evidence"]:
        raise InvalidInput("sha256", "not evidence of this claim")
    stored = attachments.read_attachment(dep, viewer, sha256)
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/aid/claims/{claim_id}/{step}")
async def claim_step(
    request: Request, claim_id: str, step: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    if step not in ("assess", "decide"):
        raise InvalidInput("step", "assess or decide")
    try:
        if step == "assess":
            assessment = Assessment.model_validate(
                {"assessed": _text(values, "assessed") or None, "note": _text(values, "note")}
            )
            housing.assess_claim(dep, viewer, claim_id, assessment)
        else:
            approve = _text(values, "approve") == "yes"
            decision = Decision.model_validate(
                {
                    "approve": approve,
                    "amount": (_text(values, "amount") or None) if approve else None,
                    "reason": _text(values, "reason"),
                }
            )
            housing.decide_claim(dep, viewer, claim_id, decision)
    except ValidationError as exc:
        return _claim(request, dep, viewer, claim_id, _first(exc), 422, values)
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _claim(request, dep, viewer, claim_id, exc.message, 422, values)
    return RedirectResponse(f"/aid/claims/{claim_id}", status_code=303)


def _claim(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    claim_id: str,
    error: str | None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    claim = housing.claim_view(dep, reader, claim_id)
    compensation = dep.scenario.aid.compensation
    deciding = viewer.organisation_id == compensation and viewer.has(authz.Role.caseworker)
    return render(
        request,
        "aid_claim.html",
        viewer,
        status_code=status_code,
        claim=claim,
        error=error,
        values=values or {},
        deciding=deciding,
        filed=ClaimStatus.filed.value,
        assessed=ClaimStatus.assessed.value,
        money=_money,
    )
