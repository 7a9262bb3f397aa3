"""Server-rendered pages: sign in, map, incident list, incident page, report form.

Pages use the signed session cookie; every form carries a CSRF token tied to
the session. They call the same services as the API, so the same
authorization decides what each page shows.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import DomainError, Forbidden, InvalidInput, Locked
from ceasefire.domain.incidents import (
    ALLOWED_TRANSITIONS,
    Confidence,
    Direction,
    ExplosionKind,
    GeoPrecision,
    IncidentDraft,
    Platform,
    Sighting,
    Status,
    TimePrecision,
    Weapon,
)
from ceasefire.domain.naming import LANGUAGES, in_language
from ceasefire.domain.records import IncidentQuery
from ceasefire.i18n import LANGUAGE_NAMES, best_language, distance, translations
from ceasefire.services import (
    accounts,
    cases,
    geography,
    incidents,
    log,
    movements,
    notices,
    notifications,
    places,
)
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.web.deps import deployment, session_viewer
from ceasefire.web.geojson import incidents_collection

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
DepDep = Annotated[Deployment, Depends(deployment)]
MAP_LIMIT = 500


class SignInRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def page_viewer(request: Request) -> Viewer:
    viewer = session_viewer(request)
    if viewer is None:
        raise SignInRequired(request.url.path)
    return viewer


ViewerDep = Annotated[Viewer, Depends(page_viewer)]


def language(request: Request, viewer: Viewer | None) -> str:
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    if viewer is not None:
        return viewer.language
    return best_language(request.headers.get("accept-language"))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def local_time(values: dict[str, str], name: str, time_zone: str) -> datetime | None:
    """A form's date and time field (`datetime-local`), in the deployment's time zone."""
    value = values.get(name, "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(time_zone))
    except ValueError:
        raise InvalidInput(name, "must be a date and time like 2021-04-12T09:30") from None


def first_error(exc: ValidationError) -> str:
    """A form's first problem, as `field: reason`."""
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def check_csrf(request: Request, token: str) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, token):
        raise InvalidInput("csrf_token", "the form expired: reload the page and try again")


def render(
    request: Request,
    name: str,
    viewer: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request, viewer)
    if viewer is not None and viewer.language != lang:
        viewer = _with_language(viewer, lang)
    dep: Deployment = request.app.state.deployment
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "_": translations(lang).gettext,
            "lang": lang,
            "languages": LANGUAGE_NAMES,
            "viewer": viewer,
            "csrf": csrf_token(request),
            "scenario": dep.scenario,
            "title_of_deployment": in_language(dep.scenario.info.title, lang),
            "org_name": lambda org_id: _organisation_name(dep, viewer, org_id),
            "distance": lambda metres: distance(lang, metres),
            "can_watch_desk": viewer is not None and authz.can_watch_all_notifications(viewer),
            "can_work_desk": viewer is not None and authz.can_work_desk(viewer),
            "can_watch_intake": viewer is not None and authz.can_watch_intake(viewer),
            **context,
        },
        status_code=status_code,
    )


def _organisation_name(dep: Deployment, viewer: Viewer | None, org_id: str) -> str:
    """An organisation's designation for the viewer's audience and language."""
    org = dep.scenario.organisation(org_id)
    if org is None:
        return org_id
    audience = viewer.audience if viewer else dep.scenario.info.default_audience
    lang = viewer.language if viewer else dep.scenario.info.default_language
    return dep.scenario.name_of(org.names, audience, lang)


def _with_language(viewer: Viewer, lang: str) -> Viewer:
    return replace(viewer, language=lang)


def error_page(request: Request, status: int, message: str) -> Response:
    viewer = session_viewer(request) if "session" in request.scope else None
    return render(request, "error.html", viewer, status_code=status, status=status, message=message)


def install_sign_in_redirect(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _redirect(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)


# --- signing in and out, language ---------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "/map") -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    dep: DepDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/map",
) -> Response:
    check_csrf(request, csrf_token)
    address = request.client.host if request.client else None
    try:
        viewer = accounts.authenticate(dep, username.strip(), password, address)
    except Locked:
        return render(
            request, "login.html", None, status_code=429, next=_safe_next(next), error="locked"
        )
    if viewer is None:
        return render(
            request, "login.html", None, status_code=401, next=_safe_next(next), error="wrong"
        )
    request.session.clear()
    request.session["user_id"] = viewer.user_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/language")
def choose_language(
    request: Request,
    dep: DepDep,
    lang: Annotated[str, Form(max_length=5)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=500)] = "/map",
) -> Response:
    check_csrf(request, csrf_token)
    if lang not in LANGUAGES:
        raise InvalidInput("lang", f"must be one of {', '.join(LANGUAGES)}")
    request.session["lang"] = lang
    viewer = session_viewer(request)
    if viewer is not None:
        accounts.set_language(dep, viewer, lang)
    return RedirectResponse(_safe_next(back), status_code=303)


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a user to another site after sign-in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/map"
    return target


# --- map ---------------------------------------------------------------------------------


@router.get("/")
def home() -> Response:
    return RedirectResponse("/map", status_code=303)


@router.get("/map")
def map_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    settings = request.app.state.settings
    tiles = settings.tile_url or dep.scenario.info.map.tile_url
    _ = translations(language(request, viewer)).gettext
    labels = {status.value: _(status.value) for status in Status}
    return render(
        request, "map.html", viewer, tile_url=tiles, map=dep.scenario.info.map, status_labels=labels
    )


@router.get("/map/incidents.geojson")
def map_incidents(request: Request, dep: DepDep, viewer: ViewerDep) -> JSONResponse:
    query = _query_from(request, dep, limit=MAP_LIMIT)
    page = incidents.list_incidents(dep, viewer, query)
    lang_viewer = _with_language(viewer, language(request, viewer))
    return JSONResponse(incidents_collection(dep.scenario, dep.gazetteer, lang_viewer, page.items))


@router.get("/map/layers.geojson")
def map_layers(request: Request, dep: DepDep, viewer: ViewerDep) -> JSONResponse:
    lang_viewer = _with_language(viewer, language(request, viewer))
    return JSONResponse(geography.map_layers(dep, lang_viewer))


@router.get("/geo/lines")
def line_versions(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    """Every version of the line of contact, with where it came from."""
    return render(request, "lines.html", viewer, versions=geography.line_versions(dep))


@router.get("/geo/lines/{number}.geojson")
def line_drawing(number: int, dep: DepDep, viewer: ViewerDep) -> JSONResponse:
    return JSONResponse(geography.line_version(dep, number).document)


# --- incident list -----------------------------------------------------------------------


@router.get("/incidents")
def incident_list(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    filters = dict(request.query_params)
    try:
        query = _query_from(request, dep, limit=50)
        page = incidents.list_incidents(dep, viewer, query, filters.get("cursor") or None)
        error = None
    except DomainError as exc:
        page, error = incidents.Page([], None), exc.message
    lang = language(request, viewer)
    rows = [incidents.present_incident(dep, _with_language(viewer, lang), i) for i in page.items]
    template = "_incident_rows.html" if request.headers.get("hx-request") else "incidents.html"
    return render(
        request,
        template,
        viewer,
        rows=rows,
        next_cursor=page.next_cursor,
        filters=filters,
        error=error,
        statuses=list(Status),
    )


def _query_from(request: Request, dep: Deployment, limit: int) -> IncidentQuery:
    """The list filters from a page's query string (dates in the deployment's time zone)."""
    params = request.query_params
    zone = ZoneInfo(dep.scenario.info.time_zone)

    def day(name: str) -> datetime | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        try:
            return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), zone)
        except ValueError:
            raise InvalidInput(name, "must be a date like 2021-04-12") from None

    until = day("until")
    statuses = []
    for value in params.getlist("status"):
        if value:
            try:
                statuses.append(Status(value))
            except ValueError:
                raise InvalidInput("status", f"unknown status {value!r}") from None
    within = params.get("within_line", "").strip()
    try:
        within_line = float(within) if within else None
    except ValueError:
        raise InvalidInput("within_line", "must be a number of metres") from None
    return IncidentQuery(
        since=day("since"),
        until=until + timedelta(days=1) if until else None,
        categories=tuple(c for c in params.getlist("category") if c),
        statuses=tuple(statuses),
        place_id=params.get("place") or None,
        organisation_id=params.get("organisation") or None,
        zones=tuple(z for z in params.getlist("zone") if z),
        sides=tuple(p for p in params.getlist("side") if p),
        within_line_metres=within_line,
        limit=limit,
    )


# --- one incident ------------------------------------------------------------------------


@router.get("/places/search")
def place_search(
    request: Request, dep: DepDep, viewer: ViewerDep, q: str = "", place_search: str = ""
) -> HTMLResponse:
    """Place suggestions as an HTML fragment: for the report form's field (HTMX sends it as
    `place_search`) or any page's `q`."""
    typed = (q or place_search).strip()[: places.MAX_QUERY].replace("\x00", "")
    lang_viewer = _with_language(viewer, language(request, viewer))
    found = places.search_places(dep, lang_viewer, typed) if typed else []
    return render(request, "_place_hits.html", viewer, found=found, query=typed)


@router.get("/incidents/new")
def report_form(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return _render_form(request, dep, viewer, {}, None)


@router.post("/incidents/new")
async def report(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    values["restricted_to"] = ",".join(str(v) for v in form.getlist("restricted_to"))
    check_csrf(request, values.get("csrf_token", ""))
    if not values.get("place_id") and values.get("place_search", "").strip():
        values["place_id"] = places.place_named(dep, viewer, values["place_search"]) or ""
    try:
        draft = draft_from_form(values, dep.scenario.info.time_zone, language(request, viewer))
        incident = incidents.report_incident(dep, viewer, draft)
    except ValidationError as exc:
        return _render_form(request, dep, viewer, values, first_error(exc), 422)
    except DomainError as exc:
        if exc.code not in ("invalid_input",):
            raise
        return _render_form(request, dep, viewer, values, exc.message, 422)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


def _render_form(
    request: Request,
    dep: Deployment,
    viewer: Viewer,
    values: dict[str, str],
    error: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "report.html",
        viewer,
        status_code=status_code,
        values=values,
        error=error,
        can_report=authz.can_report(viewer),
        classifications=list(Classification),
        time_precisions=list(TimePrecision),
        geo_precisions=list(GeoPrecision),
        platforms=list(Platform),
        sightings=list(Sighting),
        explosions=list(ExplosionKind),
        directions=list(Direction),
        weapons=list(Weapon),
        confidences=list(Confidence),
    )


def draft_from_form(values: dict[str, str], time_zone: str, lang: str) -> IncidentDraft:
    """Turn the report form's flat fields into a draft; local times are in the deployment's zone."""

    def local(name: str) -> str | None:
        moment = local_time(values, name, time_zone)
        return moment.isoformat() if moment else None

    def number(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    started = local("started_at")
    ended = local("ended_at")
    point = None
    if values.get("lat", "").strip() or values.get("lon", "").strip():
        point = {"lat": values.get("lat", "").strip(), "lon": values.get("lon", "").strip()}
    data: dict[str, Any] = {
        "category": values.get("category", ""),
        "title": values.get("title", ""),
        "started_at": started,
        "ended_at": ended,
        "time_precision": values.get("time_precision") or "exact",
        "location": {
            "place_id": values.get("place_id") or None,
            "point": point,
            "precision": values.get("geo_precision") or "exact",
            "description": values.get("location_description") or None,
        },
        "casualties": {
            key: number(key)
            for key in (
                "civilian_killed",
                "civilian_injured",
                "military_killed",
                "military_injured",
            )
        },
        "classification": values.get("classification") or "mission",
        "restricted_to": [r for r in values.get("restricted_to", "").split(",") if r],
    }
    narrative = values.get("narrative", "").strip()
    if narrative:
        data["narrative"] = {values.get("narrative_lang") or lang: narrative}
    if values.get("sighting"):
        data["observations"] = [
            {
                "platform": values.get("platform") or "post",
                "observer": values.get("observer") or None,
                "window_start": started,
                "window_end": ended or started,
                "sighting": values.get("sighting"),
                "explosion": values.get("explosion") or None,
                "count": number("count") or "1",
                "direction": values.get("direction") or "undetermined",
                "distance_min_m": number("distance_min_m"),
                "distance_max_m": number("distance_max_m"),
                "bearing_deg": number("bearing_deg"),
                "weapon": values.get("weapon") or "undetermined",
                "confidence": values.get("confidence") or "medium",
            }
        ]
    if values.get("source_channel"):
        data["sources"] = [
            {
                "channel": values.get("source_channel"),
                "reliability": values.get("source_reliability") or "F",
                "reference": values.get("source_reference") or None,
            }
        ]
    return IncidentDraft.model_validate(data)


@router.get("/incidents/{incident_id}")
def incident_page(
    incident_id: str, request: Request, dep: DepDep, viewer: ViewerDep
) -> HTMLResponse:
    lang_viewer = _with_language(viewer, language(request, viewer))
    incident = incidents.get_incident(dep, viewer, incident_id)
    found = incidents.incident_corroborations(dep, viewer, incident_id)
    shown = incidents.present_incident(dep, lang_viewer, incident, found)
    history = incidents.incident_history(dep, viewer, incident_id)
    next_statuses = [
        s
        for s in ALLOWED_TRANSITIONS[incident.status]
        if authz.can_set_status(viewer, incident.access, s)
    ]
    can_corroborate = authz.can_corroborate(viewer, incident.access) and not any(
        c.organisation_id == viewer.organisation_id for c in found
    )
    logged = incidents.present_log(
        viewer, incident, incidents.incident_log(dep, viewer, incident_id)
    )
    answers = notifications.replies_to(dep, viewer, incident_id)
    told = notifications.notifications_for_incident(dep, viewer, incident_id)
    return render(
        request,
        "incident.html",
        viewer,
        incident=shown,
        history=history,
        next_statuses=sorted(next_statuses),
        can_corroborate=can_corroborate,
        logged=logged,
        answers=answers,
        told=told,
        movement=movements.movement_of_incident(dep, viewer, incident_id),
        error=request.query_params.get("error"),
    )


@router.post("/incidents/{incident_id}/status")
def incident_status(
    incident_id: str,
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    status: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    base_version: Annotated[int | None, Form()] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        new = Status(status)
    except ValueError:
        raise InvalidInput("status", f"unknown status {status!r}") from None
    incidents.change_status(dep, viewer, incident_id, new, reason=reason, base_version=base_version)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/corroborate")
def incident_corroborate(
    incident_id: str,
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    note: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    incidents.corroborate_incident(dep, viewer, incident_id, note=note)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


# --- the log -----------------------------------------------------------------------------


@router.get("/log")
def log_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    return render(
        request,
        "log.html",
        viewer,
        checkpoint=log.checkpoint_state(dep),
        witnesses=log.witness_states(dep),
        keys=log.verifier_keys(dep),
        base_url=str(request.base_url).rstrip("/"),
    )


# --- notifications: acknowledgement links, the inbox, the duty officer's desk --------------


@router.get("/ack/{token}")
def ack_page(token: str, request: Request) -> HTMLResponse:
    """A link in a message opens this page; acknowledging takes a deliberate click, so a
    mail scanner that follows links does not acknowledge on anyone's behalf."""
    viewer = session_viewer(request)
    return render(request, "ack.html", viewer, token=token, done=None, error=None)


@router.post("/ack/{token}")
def ack(
    token: str,
    request: Request,
    dep: DepDep,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    viewer = session_viewer(request)
    who = viewer.username if viewer else name.strip()
    try:
        done = notifications.acknowledge_by_link(dep, token, who)
    except DomainError as exc:
        status = 404 if exc.code == "not_found" else 409
        return render(
            request,
            "ack.html",
            viewer,
            status_code=status,
            token=token,
            done=None,
            error=exc.message,
        )
    return render(request, "ack.html", viewer, token=token, done=done, error=None)


@router.get("/inbox")
def inbox_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    items = notifications.inbox(dep, viewer)
    template = "_inbox_rows.html" if request.headers.get("hx-request") else "inbox.html"
    return render(
        request,
        template,
        viewer,
        items=items,
        titles=_titles(dep, viewer, items),
        paths=RECORD_PATHS,
        can_ack=authz.can_acknowledge(viewer),
    )


@router.post("/inbox/{notification_id}/ack")
def inbox_ack(
    notification_id: str,
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    notifications.acknowledge(dep, viewer, notification_id, "web")
    return RedirectResponse("/inbox", status_code=303)


@router.post("/inbox/{notification_id}/reply")
def inbox_reply(
    notification_id: str,
    request: Request,
    dep: DepDep,
    viewer: ViewerDep,
    text: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    notifications.reply(dep, viewer, notification_id, text)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/desk")
def desk_page(request: Request, dep: DepDep, viewer: ViewerDep) -> HTMLResponse:
    """The duty officer's view: open, overdue, escalated and undeliverable notifications,
    refreshed every few seconds."""
    if not authz.can_watch_all_notifications(viewer):
        raise Forbidden("the desk is for the mission's duty officers")
    items = [n for n in notifications.inbox(dep, viewer) if n.acknowledged_at is None]
    template = "_desk.html" if request.headers.get("hx-request") else "desk.html"
    return render(
        request,
        template,
        viewer,
        items=items,
        titles=_titles(dep, viewer, items),
        paths=RECORD_PATHS,
        counts=notifications.desk_counts(dep),
        now=utcnow(),
    )


RECORD_PATHS = {
    "incident": "/incidents",
    "notice": "/notices",
    "case": "/desk/cases",
    "commitment": "/commitments",
    "report": "/reports/daily",
    "submission": "/intake",
    "assessment": "/aid/assessments",
}
"""Where the page of a record a notification is about lives, by its kind"""


def _titles(dep: Deployment, viewer: Viewer, items: list[Any]) -> dict[str, str]:
    """Titles of the records the notifications are about, where the viewer may read them."""
    titles = {}
    for kind, record_id in {(n.record_kind, n.record_id) for n in items}:
        try:
            if kind == "notice":
                titles[record_id] = notices.get_notice(dep, viewer, record_id).draft.title
            elif kind == "report":
                said = translations(viewer.language).gettext("Daily situation report")
                titles[record_id] = f"{said} {record_id}"
            elif kind == "case":
                case = cases.case_view(dep, viewer, record_id)
                titles[record_id] = f"{case['reference']} · {case['category_name']}"
            else:
                titles[record_id] = incidents.get_incident(dep, viewer, record_id).draft.title
        except DomainError:
            continue
    return titles
