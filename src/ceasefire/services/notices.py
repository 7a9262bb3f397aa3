"""Activity notices: file one (assessed, then routed by rule to the desks across the line
and to the peacekeepers' nearest post, in one transaction), cancel it, read it with its
acknowledgements, and each post's notices for a day, as a page or an iCalendar feed.

A notice is restricted: its filer, the mission and the organisations it was routed to read
it. Its reasons are stored as codes with figures and written out in each reader's language.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Access, Viewer
from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.geography import Geography
from ceasefire.domain.notices import (
    NoticeDraft,
    NoticeStatus,
    Thresholds,
    assess,
    shape,
)
from ceasefire.domain.notifications import Event, Severity, route
from ceasefire.domain.records import IncidentQuery
from ceasefire.i18n import N_, distance, translations
from ceasefire.services import geography, log, notifications
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import incidents as incident_store
from ceasefire.store import notices as store
from ceasefire.store import notifications as notification_store
from ceasefire.store import tables
from ceasefire.store.db import advance
from ceasefire.store.notices import Notice, NoticeVersion
from ceasefire.store.notifications import Notification, NotificationVersion

SEVERITY = {"low": Severity.low, "medium": Severity.medium, "high": Severity.high}
MAX_DAYS = 62


REASONS = {
    "crosses_line": N_("The activity crosses the line of contact."),
    "close_to_line": N_("It comes within {metres} of the line of contact."),
    "near_line": N_("It comes within {metres} of the line of contact."),
    "in_hazard_area": N_("It enters a hazard area: {hazard}."),
    "near_hazard_area": N_("A hazard area is near: {hazard}."),
    "incidents_nearby": N_("{count} incident(s) recorded nearby in the last {days} days."),
    "armed": N_("Not everyone who goes is unarmed."),
    "far_from_line": N_("It stays {metres} from the line of contact."),
}


def file_notice(
    dep: Deployment, viewer: Viewer, draft: NoticeDraft, *, now: datetime | None = None
) -> Notice:
    """File a notice: assess it, route it, and record it with its notifications."""
    if not authz.can_file_notice(viewer):
        raise Forbidden("only liaison officers, caseworkers and duty officers file notices")
    if draft.place_id is not None and dep.gazetteer.place(draft.place_id) is None:
        raise InvalidInput("place_id", f"unknown place {draft.place_id!r}")
    now = now or utcnow()
    if draft.last_end <= now:
        raise InvalidInput("ends_at", "the activity is over: a notice is filed in advance")
    notice_id = str(uuid.uuid4())
    with dep.db.begin() as conn:
        stored = _assess(dep, conn, viewer, draft, now)
        readers, explanation = _routed(dep, viewer, notice_id, draft, stored, now)
        store.insert_notice(
            conn,
            notice_id=notice_id,
            draft=draft,
            owner_org=viewer.organisation_id,
            author_id=viewer.user_id,
            assessment=stored,
            escort=explanation.escort,
            readers=sorted(readers),
            at=now,
        )
        content = {
            "notice": draft.model_dump(mode="json"),
            "assessment": stored,
            "escort": explanation.escort,
            "readers": sorted(readers),
        }
        _record(dep, conn, explanation, NoticeVersion(
            notice_id, 1, now, viewer.organisation_id, "filed", NoticeStatus.filed, content
        ))  # fmt: skip
        notice = store.get_notice(conn, notice_id)
    assert notice is not None
    return notice


def cancel_notice(
    dep: Deployment,
    viewer: Viewer,
    notice_id: str,
    *,
    reason: str,
    base_version: int | None = None,
    now: datetime | None = None,
) -> Notice:
    """The filer calls the activity off; those who were told are told again."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "say why the activity is called off")
    if len(reason) > 2000:
        raise InvalidInput("reason", "at most 2000 characters")
    now = now or utcnow()
    with dep.db.begin() as conn:
        current = _visible(conn, viewer, notice_id, for_update=True)
        if not authz.can_cancel_notice(viewer, access_of(current)):
            raise Forbidden("only the organisation that filed a notice cancels it")
        if current.status is NoticeStatus.cancelled:
            raise InvalidInput("status", "the notice is already cancelled")
        version = current.version if base_version is None else base_version
        if version != current.version or not advance(
            conn, tables.notices, notice_id, version,
            status=NoticeStatus.cancelled.value, updated_at=now,
        ):  # fmt: skip
            raise Conflict(f"the notice is at version {current.version}: reload", "base_version")
        event = _event(
            notice_id, version + 1, "cancelled", current.draft, current.assessment,
            current.owner_org, now,
        )  # fmt: skip
        explanation = notifications.explain_event(dep.scenario, event, access_of(current))
        content = {"reason": reason}
        _record(dep, conn, explanation, NoticeVersion(
            notice_id, version + 1, now, viewer.organisation_id, "cancelled",
            NoticeStatus.cancelled, content,
        ))  # fmt: skip
        notice = store.get_notice(conn, notice_id)
    assert notice is not None
    return notice


def preview(dep: Deployment, viewer: Viewer, draft: NoticeDraft) -> dict[str, Any]:
    """The assessment and the routing a notice would get, without filing it (for the form)."""
    if not authz.can_file_notice(viewer):
        raise Forbidden("only liaison officers, caseworkers and duty officers file notices")
    now = utcnow()
    with dep.db.read() as conn:
        stored = _assess(dep, conn, viewer, draft, now)
    explanation = _routed(dep, viewer, "preview", draft, stored, now)[1]
    return {
        "assessment": present_assessment(dep, viewer, stored),
        "escort": explanation.escort,
        "recipients": [_contact(dep, viewer, contact_id) for contact_id in explanation.recipients],
    }


def get_notice(dep: Deployment, viewer: Viewer, notice_id: str) -> Notice:
    with dep.db.read() as conn:
        return _visible(conn, viewer, notice_id)


def list_notices(dep: Deployment, viewer: Viewer, limit: int = 200) -> list[Notice]:
    """The notices the viewer may read whose activity is not over yet, soonest first."""
    now = utcnow()
    with dep.db.read() as conn:
        return store.list_notices(
            conn, authz.read_scope(viewer), between=(now, now + timedelta(days=400)), limit=limit
        )


def acknowledgements(dep: Deployment, viewer: Viewer, notice: Notice) -> list[Notification]:
    """Who was told of a notice and who acknowledged: all of it for the filer and the
    mission, its own for anyone else."""
    with dep.db.read() as conn:
        found = notification_store.for_record(conn, "notice", notice.id)
    if authz.can_see_every_acknowledgement(viewer, access_of(notice)):
        return found
    return [n for n in found if n.organisation_id == viewer.organisation_id]


def history(dep: Deployment, viewer: Viewer, notice_id: str) -> list[NoticeVersion]:
    with dep.db.read() as conn:
        _visible(conn, viewer, notice_id)
        return store.versions_of(conn, notice_id)


def today(dep: Deployment) -> date:
    """Today in the deployment's time zone."""
    return utcnow().astimezone(ZoneInfo(dep.scenario.info.time_zone)).date()


def post_day(
    dep: Deployment, viewer: Viewer, post_id: str, day: date
) -> list[tuple[Notice, list[tuple[datetime, datetime]]]]:
    """A post's notices with a window on `day` (the deployment's local day), by start."""
    return post_days(dep, viewer, post_id, day, 1)


def post_days(
    dep: Deployment, viewer: Viewer, post_id: str, first: date, days: int
) -> list[tuple[Notice, list[tuple[datetime, datetime]]]]:
    post = dep.gazetteer.place(post_id)
    if post is None or post.kind != "post":
        raise NotFound("no such post", "post")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("days", f"must be between 1 and {MAX_DAYS}")
    zone = ZoneInfo(dep.scenario.info.time_zone)
    begin = datetime.combine(first, datetime.min.time(), zone)
    end = begin + timedelta(days=days)
    with dep.db.read() as conn:
        candidates = store.list_notices(
            conn, authz.read_scope(viewer), post=post_id, between=(begin, end), limit=1000
        )
    found = []
    for notice in candidates:
        windows = [
            window
            for offset in range(days)
            for window in notice.draft.on(first + timedelta(days=offset), zone)
        ]
        windows = sorted(set(windows))
        if windows:
            found.append((notice, windows))
    return sorted(found, key=lambda item: item[1][0][0])


def post_calendar(
    dep: Deployment, viewer: Viewer, post_id: str, first: date, days: int = 31
) -> bytes:
    """A post's coming notices as iCalendar (RFC 5545): one event per window."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ceasefire//activity notices//EN")
    calendar.add("version", "2.0")
    post = dep.gazetteer.place(post_id)
    name = dep.scenario.name_of(post.names, viewer.audience, viewer.language) if post else post_id
    calendar.add("x-wr-calname", name)
    now = utcnow()
    for notice, windows in post_days(dep, viewer, post_id, first, days):
        shown = present_notice(dep, viewer, notice)
        for start, end in windows:
            event = icalendar.Event()
            event.add("uid", f"{notice.id}-{start.astimezone(UTC):%Y%m%dT%H%M}@ceasefire")
            event.add("dtstamp", now)
            event.add("dtstart", start)
            event.add("dtend", end)
            event.add("summary", f"{shown['display']['activity']}: {notice.draft.title}")
            event.add("location", shown["display"]["place"] or shown["display"]["post"] or "")
            event.add("description", "\n".join(
                [shown["display"]["risk"], *shown["assessment"]["reasons"],
                 f"{dep.public_url}/notices/{notice.id}"]
            ))  # fmt: skip
            event.add(
                "status", "CANCELLED" if notice.status is NoticeStatus.cancelled else "CONFIRMED"
            )
            calendar.add_component(event)
    return bytes(calendar.to_ical())


# --- presenting -------------------------------------------------------------------------------


def access_of(notice: Notice) -> Access:
    return Access(Classification.restricted, notice.owner_org, 0, notice.readers)


def present_notice(dep: Deployment, viewer: Viewer, notice: Notice) -> dict[str, Any]:
    """A notice for a reader: as filed, its assessment in their language, names for their
    audience."""
    _ = translations(viewer.language).gettext
    scenario, draft = dep.scenario, notice.draft
    place = dep.gazetteer.place(draft.place_id or "")
    post = dep.gazetteer.place(notice.assessment["measures"]["post_id"] or "")
    organisation = scenario.organisation(notice.owner_org)
    return {
        "id": notice.id,
        "version": notice.version,
        "status": notice.status.value,
        "filed_by": notice.owner_org,
        "author": notice.author,
        "created_at": notice.created_at.isoformat(),
        "notice": draft.model_dump(mode="json"),
        "assessment": present_assessment(dep, viewer, notice.assessment),
        "escort": notice.escort,
        "display": {
            "activity": _(draft.activity.value),
            "risk": _("risk: {level}").format(level=_(notice.risk)),
            "place": scenario.name_of(place.names, viewer.audience, viewer.language)
            if place
            else None,
            "post": scenario.name_of(post.names, viewer.audience, viewer.language)
            if post
            else None,
            "filed_by": scenario.name_of(organisation.names, viewer.audience, viewer.language)
            if organisation
            else notice.owner_org,
        },
    }


def present_assessment(dep: Deployment, viewer: Viewer, stored: dict[str, Any]) -> dict[str, Any]:
    _ = translations(viewer.language).gettext
    measures = stored["measures"]
    parties = {p.id: dep.scenario.name_of(p.names, viewer.audience, viewer.language)
               for p in dep.scenario.parties}  # fmt: skip
    texts = []
    for reason in stored["reasons"]:
        figures = dict(reason["figures"])
        if figures.get("metres") is not None:
            figures["metres"] = distance(viewer.language, figures["metres"])
        if "hazard" in figures:
            figures["hazard"] = geography.hazard_name(dep, viewer, figures["hazard"])
        message = REASONS[reason["code"]]
        texts.append(_(message).format(**figures))
    return {
        "risk": stored["risk"],
        "reasons": texts,
        "codes": [r["code"] for r in stored["reasons"]],
        "line_metres": measures["line_metres"],
        "crosses_line": measures["crosses_line"],
        "sides": [parties.get(p, p) for p in measures["sides"]],
        "counterparts": [parties.get(p, p) for p in stored["counterparts"]],
        "hazards": [geography.hazard_name(dep, viewer, h) for h in measures["hazards_near"]],
        "incidents_nearby": stored["incidents_nearby"],
        "nearest_post": measures["post_id"],
        "nearest_post_metres": measures["post_metres"],
        "line_version": stored["line_version"],
    }


def _contact(dep: Deployment, viewer: Viewer, contact_id: str) -> dict[str, Any]:
    contact = dep.scenario.policy.contact(contact_id)
    organisation = dep.scenario.organisation(contact.organisation) if contact else None
    return {
        "contact": contact_id,
        "name": contact.name if contact else contact_id,
        "organisation": dep.scenario.name_of(organisation.names, viewer.audience, viewer.language)
        if organisation
        else None,
    }


# --- inside ------------------------------------------------------------------------------------


def _visible(conn: Any, viewer: Viewer, notice_id: str, *, for_update: bool = False) -> Notice:
    try:
        uuid.UUID(notice_id)
    except ValueError:
        raise NotFound("no such notice", "id") from None
    notice = store.get_notice(conn, notice_id, for_update=for_update)
    if notice is None or not authz.can_read(viewer, access_of(notice)):
        raise NotFound("no such notice", "id")
    return notice


def _assess(
    dep: Deployment, conn: Any, viewer: Viewer, draft: NoticeDraft, now: datetime
) -> dict[str, Any]:
    """The notice's assessment, as it is stored and logged (reasons as codes and figures)."""
    settings = dep.scenario.geography.notices
    line, place = geography.current_geography(conn, dep)
    area = shape(draft.area.model_dump())
    measures = place.measure(area, settings.counterpart_within_metres)
    nearby = _incidents_nearby(dep, conn, viewer, place, area, now)
    organisation = dep.scenario.organisation(viewer.organisation_id)
    thresholds = Thresholds(
        settings.high_within_metres, settings.medium_within_metres, settings.incidents_for_high
    )
    found = assess(
        draft,
        measures,
        nearby,
        settings.incident_days,
        thresholds,
        organisation.party if organisation else None,
    )
    return {
        "risk": found.risk.value,
        "reasons": [
            {"code": r.code, "risk": r.risk.value, "figures": r.figures} for r in found.reasons
        ],
        "measures": asdict(found.measures),
        "incidents_nearby": found.incidents_nearby,
        "counterparts": list(found.counterparts),
        "line_version": line.number,
    }


def _incidents_nearby(
    dep: Deployment, conn: Any, viewer: Viewer, place: Geography, area: Any, now: datetime
) -> int:
    """Incidents the filer may read, started in the last N days within the radius."""
    settings = dep.scenario.geography.notices
    min_lon, min_lat, max_lon, max_lat = area.bounds
    pad = settings.incident_radius_metres / 100_000 * 1.5  # degrees, generously
    query = IncidentQuery(
        since=now - timedelta(days=settings.incident_days),
        until=now,
        bbox=(min_lon - pad, min_lat - pad, max_lon + pad, max_lat + pad),
        limit=1000,
    )
    candidates = incident_store.list_incidents(conn, authz.read_scope(viewer), query)
    if not candidates:
        return 0
    return place.count_within(
        area, [(i.lat, i.lon) for i in candidates], settings.incident_radius_metres
    )


def _event(
    notice_id: str,
    version: int,
    change: str,
    draft: NoticeDraft,
    assessment: dict[str, Any],
    organisation: str,
    at: datetime,
) -> Event:
    """A notice's version as the notification rules see it."""
    measures = assessment["measures"]
    return Event(
        kind="notice",
        record_id=notice_id,
        version=version,
        change=change,
        status="cancelled" if change == "cancelled" else "filed",
        category=draft.activity.value,
        violation=False,
        severity=SEVERITY[assessment["risk"]],
        reporting_organisation=organisation,
        place_id=draft.place_id or measures["settlement_id"],
        at=at,
        risk=assessment["risk"],
        counterparts=tuple(assessment["counterparts"]),
        nearest_post=measures["post_id"],
    )


def _routed(
    dep: Deployment,
    viewer: Viewer,
    notice_id: str,
    draft: NoticeDraft,
    assessment: dict[str, Any],
    now: datetime,
) -> tuple[frozenset[str], notifications.Explanation]:
    """A new notice's readers (the mission, and every organisation a rule routes it to), and
    whom the rules send it to."""
    event = _event(notice_id, 1, "filed", draft, assessment, viewer.organisation_id, now)
    routing = route(dep.scenario.policy, event, ZoneInfo(dep.scenario.info.time_zone))
    told = set()
    for contact_id in routing.recipients:
        contact = dep.scenario.policy.contact(contact_id)
        if contact is not None:
            told.add(contact.organisation)
    filer = viewer.organisation_id
    readers = frozenset((told | dep.scenario.mission_organisations()) - {filer})
    access = Access(Classification.restricted, filer, viewer.user_id, readers)
    return readers, notifications.explain_event(dep.scenario, event, access, routing)


def _record(
    dep: Deployment, conn: Any, explanation: notifications.Explanation, version: NoticeVersion
) -> None:
    store.insert_version(conn, version)
    steps: list[NotificationVersion] = []
    notifications.enqueue(conn, dep, explanation, version.author_org, steps)
    log.record_notice(conn, version, steps)
