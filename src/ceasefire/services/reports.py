"""The daily situation report, as one reader may read it: gathered from the records that
reader may read, in its language and its audience's names, with the log checkpoint it was
computed from; and sent each day to the desks the notification rules choose.

A report is a plain dict (the API's JSON; the page, the PDF and the CLI render it). Its
`sha256` is the hash of its figures, recorded in the log with who took the report.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput, NotFound
from ceasefire.domain.naming import in_language
from ceasefire.domain.notifications import REPORT, Event, Severity, route
from ceasefire.domain.records import Incident, IncidentQuery
from ceasefire.domain.reports import ELSEWHERE
from ceasefire.i18n import translations
from ceasefire.ledger.leaf import canonical
from ceasefire.reports.daily import OBSERVED, DailyFigures, Period, areas_in_order, daily_figures
from ceasefire.reports.pdf import report_pdf
from ceasefire.services import cases, geography, groups, log, notifications
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.services.exports import record_export, taken
from ceasefire.services.movements import access_of
from ceasefire.services.notifications import contact_viewer
from ceasefire.store import cases as case_store
from ceasefire.store import exports as export_store
from ceasefire.store import groups as group_store
from ceasefire.store import incidents as incident_store
from ceasefire.store import log as log_store
from ceasefire.store import movements as movement_store
from ceasefire.store import notices as notice_store
from ceasefire.store.notifications import NotificationVersion

EVERY = 10_000_000
"""No limit: a report counts every record of its period."""


def zone_of(dep: Deployment) -> ZoneInfo:
    return ZoneInfo(dep.scenario.info.time_zone)


def reader_for(
    dep: Deployment, viewer: Viewer, audience: str | None = None, language: str | None = None
) -> Viewer:
    """The viewer, reading in another audience's names or another language if asked."""
    known = {a.id for a in dep.scenario.audiences}
    if audience is not None and audience not in known:
        raise InvalidInput(
            "audience", f"unknown audience {audience[:40]!r}: one of {sorted(known)}"
        )
    if language is not None and language not in ("en", "ru", "hy", "az"):
        raise InvalidInput("language", "one of en, ru, hy, az")
    return replace(viewer, language=language or viewer.language,
                   audience=audience or viewer.audience)  # fmt: skip


def contact_reader(dep: Deployment, contact_id: str) -> Viewer:
    """A contact point's desk as a report's reader (its organisation's rights, its language)."""
    contact = dep.scenario.policy.contact(contact_id)
    if contact is None:
        raise NotFound(f"unknown contact point {contact_id[:80]!r}", "for")
    return contact_viewer(dep.scenario, contact)


def daily_report(
    dep: Deployment, viewer: Viewer, day: date, *, record: bool = True
) -> dict[str, Any]:
    """The report of the period whose cut-off falls on `day`, as `viewer` may read it."""
    settings = dep.scenario.reports
    zone = zone_of(dep)
    period = Period.ending(day, settings, zone)
    previous = period.before(settings, zone)
    scope = authz.read_scope(viewer)
    query = IncidentQuery(since=previous.start, until=period.end, limit=EVERY)
    with dep.db.read() as conn:
        found = incident_store.list_incidents(conn, scope, query)
        notices = notice_store.list_notices(
            conn, scope, between=(period.start, period.end), limit=EVERY
        )
        movements = movement_store.planned_between(conn, period.start, period.end)
        active = case_store.active_between(conn, period.start, period.end)
        group_ids = [g.id for g in groups.visible_groups(dep, viewer)]
        commitments = group_store.commitments_of(conn, group_ids)
        log_state = state_of_log(conn)
    figures = daily_figures(
        settings,
        period,
        previous,
        [i for i in found if authz.can_read(viewer, i.access)],
        notices,
        [m for m in movements if authz.can_read(viewer, access_of(m))],
        [c for c in active if cases.can_read_case(dep, viewer, c)],
        commitments,
        zone,
    )
    report = present(dep, viewer, figures)
    return seal(dep, viewer, report, log_state, _figures_only(report),
                ("daily-report", {"day": day.isoformat()}) if record else None)  # fmt: skip


def state_of_log(conn: Any) -> dict[str, Any]:
    """The log's size and its latest signed checkpoint, read with the records a report
    counts (in the same transaction)."""
    checkpoint = log_store.latest_checkpoint(conn)
    return {
        "size": log_store.next_index(conn),
        "checkpoint": None
        if checkpoint is None
        else {
            "size": checkpoint.size,
            "root_hash": base64.b64encode(checkpoint.root_hash).decode(),
            "created_at": checkpoint.created_at.isoformat(),
            "note": checkpoint.note,
        },
    }


def seal(
    dep: Deployment,
    viewer: Viewer,
    report: dict[str, Any],
    log_state: dict[str, Any],
    figures: dict[str, Any],
    taken_as: tuple[str, dict[str, Any]] | None,
) -> dict[str, Any]:
    """Add the log's state and the hash of the report's figures; record who took it (as
    `taken_as`: the kind and its parameters), unless None."""
    report["log"] = log_state
    report["sha256"] = hashlib.sha256(canonical(figures)).hexdigest()
    if taken_as is not None:
        kind, parameters = taken_as
        record_export(dep, viewer, kind, parameters, report["sha256"],
                      len(report["incident_ids"]))  # fmt: skip
    return report


def _figures_only(report: dict[str, Any]) -> dict[str, Any]:
    """What the hash covers: the counts and the records counted — not the names (which differ
    by audience and language) nor the log's size (which each report taken adds to) — so two
    readers' reports of a day can be compared while the records stand."""
    return {
        "day": report["day"],
        "reader": report["reader"],
        "incident_ids": report["incident_ids"],
        "categories": [
            {k: c[k] for k in ("id", "by_area", "previous")} for c in report["categories"]
        ],
        "observed": [{k: v for k, v in row.items() if k != "name"} for row in report["observed"]],
        "cases": report["cases"],
    }


def present(dep: Deployment, viewer: Viewer, figures: DailyFigures) -> dict[str, Any]:
    """The figures with every name in the reader's language and audience."""
    scenario = dep.scenario
    lang = viewer.language
    settings = scenario.reports
    area_ids = areas_in_order(settings)
    area_names = {a.id: in_language(a.names, lang, a.id) for a in settings.areas}
    area_names[ELSEWHERE] = ""

    def place_name(place_id: str | None) -> str | None:
        place = scenario.place(place_id or "")
        return scenario.name_of(place.names, viewer.audience, lang) if place else None

    def org_name(org_id: str | None) -> str | None:
        org = scenario.organisation(org_id or "")
        return scenario.name_of(org.names, viewer.audience, lang) if org else org_id

    def local(moment: datetime) -> str:
        """In the deployment's zone, as the report's day and cut-off are."""
        return moment.astimezone(zone_of(dep)).isoformat()

    categories = []
    for category in scenario.categories:
        now = {a: figures.incidents[(category.id, a)] for a in area_ids}
        before = sum(figures.previous_incidents[(category.id, a)] for a in area_ids)
        total = sum(now.values())
        if total or before:
            categories.append(
                {
                    "id": category.id,
                    "name": in_language(category.names, lang, category.id),
                    "violation": category.violation,
                    "by_area": now,
                    "total": total,
                    "previous": before,
                    "change": total - before,
                }
            )
    observed = []
    for area in area_ids:
        totals = figures.observed.get(area)
        if totals:
            observed.append({"area": area, "name": area_names[area],
                             **{k: totals[k] for k in OBSERVED}})  # fmt: skip
    cases_by_area = {
        key: {a: counts[a] for a in area_ids}
        for key, counts in (
            ("opened", figures.cases_opened),
            ("closed", figures.cases_closed),
            ("overdue", figures.cases_overdue),
        )
    }
    return {
        "kind": "daily",
        "day": figures.period.day.isoformat(),
        "period": _span(figures.period),
        "previous": _span(figures.previous),
        "time_zone": scenario.info.time_zone,
        "cutoff": settings.daily.cutoff,
        "reader": viewer.organisation_id,
        "reader_name": org_name(viewer.organisation_id),
        "audience": viewer.audience,
        "language": lang,
        "areas": [{"id": a, "name": area_names[a]} for a in area_ids],
        "categories": categories,
        "totals": {
            "incidents": sum(c["total"] for c in categories),
            "previous": sum(c["previous"] for c in categories),
            "violations": sum(c["total"] for c in categories if c["violation"]),
        },
        "observed": observed,
        "imprecise": figures.imprecise,
        "notable": [_notable(i, lang, place_name, scenario, local) for i in figures.notable],
        "notices": [
            {
                "id": n.id,
                "title": n.draft.title,
                "activity": n.draft.activity.value,
                "people": n.draft.people,
                "place": place_name(n.draft.place_id),
                "starts_at": local(n.draft.starts_at),
                "ends_at": local(n.draft.ends_at),
                "risk": n.risk,
                "escort": n.escort,
                "status": n.status.value,
            }
            for n in figures.notices
        ],
        "movements": [
            {
                "id": m.id,
                "title": m.draft.title,
                "kind": m.draft.kind.value,
                "status": m.status.value,
                "planned_at": local(m.draft.planned_at),
                "from": place_name(m.draft.from_place),
                "to": place_name(m.draft.to_place),
                "escorted_by": org_name(m.draft.escorted_by) if m.draft.escorted_by else None,
            }
            for m in figures.movements
        ],
        "cases": {
            **cases_by_area,
            "totals": {k: sum(v.values()) for k, v in cases_by_area.items()},
        },
        "commitments": [
            {
                "id": c.id,
                "group": c.group_id,
                "organisation": org_name(c.organisation),
                "text": c.text,
                "due": c.due.isoformat(),
                "overdue": c.due < figures.period.day,
            }
            for c in figures.commitments_due
        ],
        "points": [
            {
                "lat": i.lat,
                "lon": i.lon,
                "category": i.draft.category,
                "violation": bool((c := scenario.category(i.draft.category)) and c.violation),
                "label": i.draft.title,
            }
            for i in figures.counted
        ],
        "incident_ids": [i.id for i in figures.counted],
        "generated_at": utcnow().isoformat(),
    }


def _span(period: Period) -> dict[str, str]:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _notable(
    incident: Incident, lang: str, place_name: Any, scenario: Any, local: Any
) -> dict[str, Any]:
    draft = incident.draft
    category = scenario.category(draft.category)
    return {
        "id": incident.id,
        "started_at": local(draft.started_at),
        "category": in_language(category.names, lang, draft.category)
        if category
        else draft.category,
        "place": place_name(draft.location.place_id),
        "title": draft.title,
        "narrative": in_language(draft.narrative, lang) if draft.narrative else "",
        "casualties": {k: v for k, v in draft.casualties.model_dump().items() if v is not None},
        "status": incident.status.value,
    }


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", "must be a date as YYYY-MM-DD") from None


def last_day(dep: Deployment, now: datetime | None = None) -> date:
    """The day of the latest period that has ended (today once today's cut-off has passed)."""
    local = (now or utcnow()).astimezone(zone_of(dep))
    today = local.date()
    cutoff = dep.scenario.reports.daily.cutoff_time
    return today if local.time() >= cutoff else date.fromordinal(today.toordinal() - 1)


REPORTS = uuid.UUID("6f1d2c4e-58a4-4c0b-9d4e-2b1f0a7c3e91")
"""Namespace of the ids of the reports sent: one id per day and desk, so a report is sent
once however many dispatchers run."""


def send_daily(dep: Deployment, now: datetime | None = None) -> int:
    """After a day's cut-off, send that day's report to each desk the notification rules
    choose (`kinds: [report]`), as that desk's organisation may read it; once per day and
    desk. Returns how many were sent."""
    now = now or utcnow()
    day = last_day(dep, now)
    event = Event(kind=REPORT, record_id=day.isoformat(), version=1, change="daily",
                  status="issued", category="daily", violation=False, severity=Severity.low,
                  reporting_organisation=notifications.SYSTEM, place_id=None, at=now)  # fmt: skip
    routing = route(dep.scenario.policy, event, zone_of(dep))
    sent = 0
    for contact_id, rules in routing.recipients.items():
        export_id = str(uuid.uuid5(REPORTS, f"daily:{day}:{contact_id}"))
        with dep.db.read() as conn:
            if export_store.get_export(conn, export_id) is not None:
                continue
        reader = contact_reader(dep, contact_id)
        report = daily_report(dep, reader, day, record=False)
        export = taken(reader, "daily-report", {"day": day.isoformat(), "for": contact_id},
                       report["sha256"], len(report["incident_ids"]), now, export_id)  # fmt: skip
        explanation = notifications.Explanation(
            event, routing.decisions, {contact_id: rules},
            deadlines={contact_id: routing.deadlines[contact_id]},
        )  # fmt: skip
        try:
            with dep.db.begin() as conn:
                export_store.insert_export(conn, None, export)
                steps: list[NotificationVersion] = []
                notifications.enqueue(conn, dep, explanation, notifications.SYSTEM, steps)
                log.record_export(conn, export, steps)
        except IntegrityError:
            continue  # another dispatcher sent it meanwhile
        sent += 1
    return sent


def check_day(dep: Deployment, day: date, now: datetime | None = None) -> date:
    """A report's day: one whose period has ended, from 1900 on."""
    latest = last_day(dep, now)
    if day > latest:
        raise InvalidInput("date", f"that day's period has not ended yet: the latest is {latest}")
    if day.year < 1900:
        raise InvalidInput("date", "is before 1900")
    return day


def daily_pdf(dep: Deployment, viewer: Viewer, report: dict[str, Any]) -> bytes:
    """The report as PDF, labelled in its language, its map drawn on the reader's layers."""
    layers = geography.map_layers(dep, viewer)["features"]
    return report_pdf(report, layers, translations(report["language"]).gettext)
