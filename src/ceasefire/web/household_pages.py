"""The humanitarian registry's pages: the caseworkers' list of households, registering one
(with a row for each member, more on request), one household and what can be done with it
(verify, change, close, move along a housing programme's stages, file a claim with its
evidence), the duplicates to decide, and the public self-registration form.

A household opens only for the caseworkers of the organisations that serve it: every page
calls the same services as the API. Forms that fail are shown again with everything typed and
each problem next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import ClaimDraft, Stage, StageMove
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, Forbidden, InvalidInput
from ceasefire.domain.households import (
    Displacement,
    Home,
    HouseholdChange,
    HouseholdDraft,
    HouseholdStatus,
    Member,
    Relationship,
    Sex,
    Shelter,
    Vulnerability,
)
from ceasefire.i18n import LANGUAGE_NAMES, N_, translations
from ceasefire.services import activities, attachments, duplicates, households, housing
from ceasefire.services.deployment import Deployment
from ceasefire.web.aid_forms import (
    _first,
    _form_values,
    _money,
    _named,
    _programme_name,
    _reader,
    _settlements,
    _text,
)
from ceasefire.web.deps import session_viewer
from ceasefire.web.desk_pages import _signer, _spam
from ceasefire.web.pages import DepDep, ViewerDep, check_csrf, language, render

router = APIRouter(include_in_schema=False)
MAX_MEMBERS = 30
BLANK_ROWS = 5
MEMBER_FIELDS = ("given_name", "family_name", "patronymic", "born", "sex", "relationship",
                 "document")  # fmt: skip
MEMBER_ROW = re.compile(r"^m(\d{1,2})\.")
LABELS = {
    "displacement": N_("Displacement"),
    "origin_place_id": N_("Village of origin"),
    "origin_text": N_("Where from, in words"),
    "current_place_id": N_("Where the household lives now"),
    "address": N_("Address"),
    "shelter": N_("Shelter"),
    "home": N_("Home left behind"),
    "vulnerabilities": N_("Vulnerabilities"),
    "phone": N_("Phone"),
    "language": N_("Language"),
    "members": N_("Members"),
    "consent": N_("Consent"),
    "note": N_("Note"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "patronymic": N_("Father's name"),
    "born": N_("Birth date"),
    "sex": N_("Sex"),
    "relationship": N_("Relationship"),
    "document": N_("Passport or ID number"),
}
"""The forms' fields as people read them (problems are shown under these names)."""


# --- the registry: households -------------------------------------------------------------


@router.get("/aid/households")
def households_page(
    request: Request, dep: DepDep, viewer: ViewerDep, status: str = ""
) -> HTMLResponse:
    status = status[:30]
    if status and status not in set(HouseholdStatus):
        raise InvalidInput("status", f"one of {[s.value for s in HouseholdStatus]}")
    reader = _reader(request, viewer)
    items = households.households(dep, reader, status=status or None)
    return render(
        request,
        "aid_households.html",
        viewer,
        items=items,
        status=status,
        statuses=[s.value for s in HouseholdStatus],
        place_name=lambda p: activities.place_name(dep, reader, p),
        can_register=authz.can_register_households(viewer, set(dep.scenario.aid.organisations)),
    )


@router.get("/aid/households/new")
def registration_form(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _registration(request, dep, viewer, {}, {})


@router.post("/aid/households/new")
async def register(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    if values.get("more"):
        return _registration(request, dep, viewer, values, {}, rows=_rows(values) + 2)
    try:
        draft = household_draft(values, language(request, viewer))
        done = households.register_household(dep, draft, viewer=viewer)
    except ValidationError as exc:
        return _registration(request, dep, viewer, values, _problems(exc, rows_of(values)), 422)
    except InvalidInput as exc:
        return _registration(request, dep, viewer, values, {exc.field or "form": exc.reason}, 422)
    return RedirectResponse(
        f"/aid/households/{done.household.id}?proposed={done.proposals}", status_code=303
    )


@router.get("/register/member")
def member_row(request: Request, n: int = BLANK_ROWS) -> HTMLResponse:
    """One more blank member (the registration forms' "add a member", by HTMX)."""
    number = max(0, min(n, MAX_MEMBERS - 1))
    viewer = session_viewer(request)
    return render(request, "_aid_member.html", viewer, i=number, values={}, problems={},
                  relationships=[r.value for r in Relationship], sexes=[s.value for s in Sex],
                  labels=LABELS, oob=True, limit=MAX_MEMBERS)  # fmt: skip


def _registration(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    values: dict[str, Any],
    problems: dict[str, str],
    status_code: int = 200,
    rows: int | None = None,
) -> HTMLResponse:
    if not authz.can_register_households(viewer, set(dep.scenario.aid.organisations)):
        raise Forbidden("households are registered by the humanitarian organisations' caseworkers")
    return _household_form(
        request, dep, viewer, "aid_household_new.html", values, problems, status_code, rows
    )


def _household_form(
    request: Request,
    dep: Deployment,
    viewer: Viewer | None,
    template: str,
    values: dict[str, Any],
    problems: dict[str, str],
    status_code: int,
    rows: int | None,
    **context: Any,
) -> HTMLResponse:
    lang = language(request, viewer)
    audience = viewer.audience if viewer else dep.scenario.info.default_audience
    _ = translations(lang).gettext
    return render(
        request,
        template,
        viewer,
        status_code=status_code,
        values=values,
        problems=problems,
        summary=[_problem_line(name, text, _) for name, text in problems.items()],
        rows=min(MAX_MEMBERS, max(BLANK_ROWS, rows or _rows(values))),
        limit=MAX_MEMBERS,
        settlements=_settlements(dep, audience, lang),
        displacements=[d.value for d in Displacement],
        shelters=[s.value for s in Shelter],
        homes=[h.value for h in Home],
        vulnerabilities=[v.value for v in Vulnerability],
        relationships=[r.value for r in Relationship],
        sexes=[s.value for s in Sex],
        household_languages=LANGUAGE_NAMES,
        labels=LABELS,
        **context,
    )


def household_draft(values: Mapping[str, Any], lang: str) -> HouseholdDraft:
    """A household from a registration form's flat fields; its members are the rows
    `m<i>.<field>` with anything typed in them (blank rows are left out)."""
    members = [
        {f: _text(values, f"m{i}.{f}") for f in MEMBER_FIELDS if _text(values, f"m{i}.{f}")}
        for i in rows_of(values)
    ]
    data: dict[str, Any] = {
        name: _text(values, name)
        for name in ("displacement", "origin_place_id", "origin_text", "current_place_id",
                     "address", "shelter", "home", "phone")
        if _text(values, name)
    }  # fmt: skip
    data["vulnerabilities"] = list(values.get("vulnerabilities") or [])
    data["language"] = _text(values, "language") or lang
    data["members"] = members
    data["consent"] = _text(values, "consent") == "yes"
    return HouseholdDraft.model_validate(data)


def rows_of(values: Mapping[str, Any]) -> list[int]:
    """The member rows of a form with anything typed in them (the selects alone say nothing)."""
    return [
        i
        for i in range(_rows(values))
        if any(
            _text(values, f"m{i}.{f}") for f in MEMBER_FIELDS if f not in ("sex", "relationship")
        )
    ]


def _rows(values: Mapping[str, Any]) -> int:
    found = [int(m.group(1)) for m in map(MEMBER_ROW.match, values) if m]
    return min(MAX_MEMBERS, max(found, default=-1) + 1)


def _problems(exc: ValidationError, rows: list[int]) -> dict[str, str]:
    """A validation's problems by the form field they are about (`m<i>.<field>` for a
    member's; a model's own check names its field before a colon)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        if loc[:1] == ["members"] and len(loc) >= 3 and loc[1].isdigit():
            index = int(loc[1])
            name = f"m{rows[index] if index < len(rows) else index}.{loc[2]}"
        elif loc:
            name = loc[0]
        else:
            head, colon, reason = message.partition(": ")
            name, message = (head, reason) if colon and head in LABELS else ("form", message)
        found.setdefault(name, message)
    return found


def _problem_line(name: str, text: str, _: Callable[[str], str]) -> str:
    """A problem as the summary above a form says it: the field by its label."""
    row = MEMBER_ROW.match(name)
    if row:
        field = name[row.end() :]
        member = _("Member {number}").format(number=int(row.group(1)) + 1)
        return f"{member}, {_(LABELS.get(field, field))}: {text}"
    if name == "form":
        return text
    return f"{_(LABELS.get(name, name))}: {text}"


# --- one household ------------------------------------------------------------------------


@router.get("/aid/households/{household_id}")
def household_page(
    request: Request, household_id: str, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    proposed = request.query_params.get("proposed", "")
    return _household(request, dep, viewer, household_id, None,
                      proposed=int(proposed) if proposed.isdigit() else None)  # fmt: skip


HOUSEHOLD_ACTIONS = ("verify", "change", "member", "left", "close", "stage")
OPEN = frozenset({HouseholdStatus.active.value, HouseholdStatus.awaiting_verification.value})
"""Households whose record still changes"""


@router.post("/aid/households/{household_id}/{action}")
async def household_act(
    request: Request, household_id: str, action: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    if action not in HOUSEHOLD_ACTIONS:
        raise InvalidInput("action", f"one of {list(HOUSEHOLD_ACTIONS)}")
    try:
        _household_act(dep, viewer, household_id, action, values)
    except ValidationError as exc:
        return _household(request, dep, viewer, household_id, _first(exc), 422, action, values)
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _household(request, dep, viewer, household_id, exc.message, 422, action, values)
    return RedirectResponse(f"/aid/households/{household_id}", status_code=303)


def _household_act(
    dep: Deployment, viewer: Viewer, household_id: str, action: str, values: dict[str, Any]
) -> None:
    if action == "verify":
        households.verify_household(dep, viewer, household_id)
    elif action == "change":
        facts = ("displacement", "current_place_id", "shelter", "home", "address", "phone")
        given: dict[str, Any] = {name: _text(values, name) for name in facts if _text(values, name)}
        if values.get("change_vulnerabilities"):
            given["vulnerabilities"] = list(values.get("vulnerabilities") or [])
        change = HouseholdChange.model_validate({**given, "note": _text(values, "note")})
        households.change_household(dep, viewer, household_id, change)
    elif action == "member":
        member = {f: _text(values, f"m0.{f}") for f in MEMBER_FIELDS if _text(values, f"m0.{f}")}
        households.add_member(dep, viewer, household_id, Member.model_validate(member))
    elif action == "left":
        households.member_left(
            dep, viewer, household_id, _text(values, "person_id"), _text(values, "reason")
        )
    elif action == "close":
        households.close_household(dep, viewer, household_id, _text(values, "reason"))
    else:
        move = StageMove.model_validate(
            {"stage": _text(values, "stage"), "note": _text(values, "note")}
        )
        housing.move_stage(dep, viewer, _text(values, "programme_id"), household_id, move)


@router.post("/aid/claims/file")
async def file_claim(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    """File a household's claim with its evidence (photos, deeds: the files are kept first,
    then the claim names them by their hash). Its own address, so that it may be larger."""
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    household_id = _text(values, "household_id")[:36]
    try:
        await _file_claim(dep, viewer, household_id, values, form)
    except ValidationError as exc:
        return _household(request, dep, viewer, household_id, _first(exc), 422, "claim", values)
    except DomainError as exc:
        if exc.code not in ("invalid_input", "conflict"):
            raise
        return _household(request, dep, viewer, household_id, exc.message, 422, "claim", values)
    return RedirectResponse(f"/aid/households/{household_id}", status_code=303)


async def _file_claim(
    dep: Deployment, viewer: Viewer, household_id: str, values: dict[str, Any], form: FormData
) -> None:
    fields = {
        "household_id": household_id,
        "property": _text(values, "property"),
        "claimed": _text(values, "claimed") or None,
        "currency": _text(values, "currency").upper(),
    }
    ClaimDraft.model_validate(fields)  # what was typed is checked before any file is kept
    evidence = []
    for upload in form.getlist("evidence"):
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read()
            media_type = upload.content_type or "application/octet-stream"
            evidence.append(attachments.upload_attachment(dep, viewer, content, media_type))
    housing.file_claim(dep, viewer, ClaimDraft.model_validate({**fields, "evidence": evidence}))


def _household(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    household_id: str,
    error: str | None,
    status_code: int = 200,
    failed: str = "",
    values: dict[str, Any] | None = None,
    proposed: int | None = None,
) -> HTMLResponse:
    reader = _reader(request, viewer)
    view = households.household_view(dep, reader, household_id)
    claims = housing.claims_of(dep, reader, household_id)
    aid = dep.scenario.aid
    names = {m["id"]: f"{m['given_name']} {m['family_name']}" for m in view["members"]}
    stages = housing.stages_of(dep, reader, household_id)
    pipelines = [
        {
            "id": p.id,
            "name": _named(p.names, reader.language),
            "stage": stages.get(p.id),
            "mine": authz.can_run_programme(viewer, p.organisation),
        }
        for p in aid.housing
        if p.id in stages or authz.can_run_programme(viewer, p.organisation)
    ]
    return render(
        request,
        "aid_household.html",
        viewer,
        status_code=status_code,
        household=view,
        claims=claims,
        error=error,
        failed=failed,
        values=values or {},
        proposed=proposed,
        member_name=lambda person_id: names.get(person_id, ""),
        place_name=lambda p: activities.place_name(dep, reader, p),
        programme_name=lambda p: _programme_name(dep, p, reader.language),
        item_name=lambda p, item: _item_name(dep, p, reader.language) or item,
        money=_money,
        open_record=view["status"] in OPEN,
        pipelines=pipelines,
        stages=[s.value for s in Stage],
        displacements=[d.value for d in Displacement],
        shelters=[s.value for s in Shelter],
        homes=[h.value for h in Home],
        vulnerabilities=[v.value for v in Vulnerability],
        relationships=[r.value for r in Relationship],
        sexes=[s.value for s in Sex],
        settlements=_settlements(dep, reader.audience, reader.language),
        labels=LABELS,
        currency=_currency(dep),
    )


# --- duplicates ---------------------------------------------------------------------------


@router.get("/aid/duplicates")
def duplicates_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _duplicates(request, dep, viewer, None)


@router.post("/aid/duplicates/{proposal_id}/{decision}")
async def decide_duplicate(
    request: Request, proposal_id: str, decision: str, dep: DepDep, viewer: ViewerDep
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    if decision not in ("merge", "dismiss"):
        raise InvalidInput("decision", "merge or dismiss")
    try:
        if decision == "merge":
            duplicates.merge_duplicate(dep, viewer, proposal_id)
        else:
            duplicates.dismiss_duplicate(dep, viewer, proposal_id)
    except DomainError as exc:
        if exc.code != "conflict":
            raise
        return _duplicates(request, dep, viewer, exc.message, 409)
    return RedirectResponse("/aid/duplicates", status_code=303)


def _duplicates(
    request: Request, dep: Deployment, viewer: Viewer, error: str | None, status_code: int = 200
) -> HTMLResponse:
    reader = _reader(request, viewer)
    items = duplicates.proposals(dep, reader)
    return render(
        request,
        "aid_duplicates.html",
        viewer,
        status_code=status_code,
        items=items,
        error=error,
        place_name=lambda p: activities.place_name(dep, reader, p),
    )


# --- self-registration: the public form ---------------------------------------------------


@router.get("/register")
def self_registration_form(request: Request, dep: DepDep) -> HTMLResponse:
    return _public_form(request, dep, {}, {})


@router.post("/register")
async def self_register(request: Request, dep: DepDep) -> HTMLResponse:
    """A household registers itself: no account, the same measures against automatic
    submissions as the residents' request form; a caseworker verifies it before any
    programme counts it."""
    form = await request.form()
    values = _form_values(form)
    check_csrf(request, values.get("csrf_token", ""))
    if values.get("more"):
        return _public_form(request, dep, values, {}, rows=_rows(values) + 2)
    address = request.client.host if request.client else "?"
    limit = request.app.state.public_registrations
    problem = _spam(request, values)
    if problem is None and limit.exceeded(address):
        problem = "too many registrations from your address this hour: ask a caseworker instead"
    if problem is not None:
        status = 429 if limit.exceeded(address) else 422
        return _public_form(request, dep, values, {"form": problem}, status)
    try:
        draft = household_draft(values, language(request, None))
        done = households.register_household(dep, draft)
    except ValidationError as exc:
        return _public_form(request, dep, values, _problems(exc, rows_of(values)), 422)
    except InvalidInput as exc:
        return _public_form(request, dep, values, {exc.field or "form": exc.reason}, 422)
    limit.add(address)
    return render(request, "aid_registered.html", None, reference=done.household.reference)


def _public_form(
    request: Request,
    dep: Deployment,
    values: dict[str, Any],
    problems: dict[str, str],
    status_code: int = 200,
    rows: int | None = None,
) -> HTMLResponse:
    if dep.scenario.aid.registry.self_registration is None:
        raise Forbidden("this deployment takes no self-registration")
    return _household_form(
        request,
        dep,
        None,
        "aid_register.html",
        values,
        problems,
        status_code,
        rows,
        form_token=_signer(request).sign("request").decode(),
        public=True,
    )


# --- inside -------------------------------------------------------------------------------


def _item_name(dep: Deployment, programme_id: str, lang: str) -> str:
    programme = dep.scenario.aid.programme(programme_id)
    if programme is None or programme.items is None:
        return ""
    return _named(programme.items.names, lang)


def _currency(dep: Deployment) -> str:
    """The currency claims are most likely made in: the cash programmes'."""
    return next(
        (p.money.currency for p in dep.scenario.aid.programmes if p.money is not None), "USD"
    )
