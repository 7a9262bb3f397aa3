"""Incident actions: report, correct, corroborate, change status, read, list, history.

Each write is one transaction that updates the incident's current state and
appends its new version; nothing is ever deleted. Reads return only what
`domain.authorization` allows, with protected fields removed; a record the
viewer may not read is reported as not found, so its existence does not leak.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.geography import BEYOND
from ceasefire.domain.incidents import (
    IncidentDraft,
    Observation,
    Status,
    changed_fields,
    check_era,
    check_times,
    check_transition,
)
from ceasefire.domain.naming import in_language
from ceasefire.domain.records import Corroboration, Incident, IncidentQuery, IncidentVersion
from ceasefire.domain.scenario import draft_reference_problems
from ceasefire.ledger.leaf import derive
from ceasefire.services import geography, log, notifications
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import incidents as store
from ceasefire.store.attachments import known_attachments

MAX_PAGE = 500
SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


def report_incident(
    dep: Deployment, viewer: Viewer, draft: IncidentDraft, *, now: datetime | None = None
) -> Incident:
    """A monitor records a new incident (version 1, status reported)."""
    if not authz.can_report(viewer):
        raise Forbidden("only monitors and duty officers report incidents")
    now = now or utcnow()
    with dep.db.begin() as conn:
        return report_in(conn, dep, viewer, draft, now)


def report_in(
    conn: Any, dep: Deployment, viewer: Viewer, draft: IncidentDraft, now: datetime
) -> Incident:
    """Report an incident in the caller's transaction (a hold at a checkpoint is recorded
    together with the incident it becomes); the caller has checked the viewer may report."""
    lat, lon = _check_draft(dep, draft, now)
    incident_id = str(uuid.uuid4())
    _check_attachments(dep, conn, draft)
    store.insert_incident(
        conn,
        incident_id=incident_id,
        draft=draft,
        owner_org=viewer.organisation_id,
        author_id=viewer.user_id,
        lat=lat,
        lon=lon,
        at=now,
    )
    geography.place_record(conn, dep, "incident", incident_id, lat, lon)
    return _record_version(
        dep, conn, viewer, incident_id, 1, now, "reported", Status.reported, draft, None
    )


def correct_incident(
    dep: Deployment,
    viewer: Viewer,
    incident_id: str,
    draft: IncidentDraft,
    *,
    base_version: int,
    reason: str,
    now: datetime | None = None,
) -> Incident:
    """The reporting organisation corrects its record; the old version stays in the history."""
    if not reason.strip():
        raise InvalidInput("reason", "a correction needs a reason")
    now = now or utcnow()
    lat, lon = _check_draft(dep, draft, now)
    with dep.db.begin() as conn:
        current = _visible(conn, viewer, incident_id, for_update=True)
        if not authz.can_correct(viewer, current.access):
            raise Forbidden("only the reporting organisation corrects its record")
        if current.status is Status.retracted:
            raise InvalidInput("status", "a retracted record cannot be corrected")
        _check_attachments(dep, conn, draft)
        return _new_version(
            dep,
            conn,
            viewer,
            current,
            base_version,
            draft,
            current.status,
            "corrected",
            reason,
            now,
            lat,
            lon,
        )


def change_status(
    dep: Deployment,
    viewer: Viewer,
    incident_id: str,
    status: Status,
    *,
    reason: str,
    base_version: int | None = None,
    now: datetime | None = None,
) -> Incident:
    """Verify, dispute, retract… with a reason; the change is a new version."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        current = _visible(conn, viewer, incident_id, for_update=True)
        check_transition(current.status, status, reason)
        if not authz.can_set_status(viewer, current.access, status):
            raise Forbidden(f"your role cannot set status {status.value}")
        version = current.version if base_version is None else base_version
        return _new_version(
            dep,
            conn,
            viewer,
            current,
            version,
            current.draft,
            status,
            "status",
            reason,
            now,
            current.lat,
            current.lon,
        )


def corroborate_incident(
    dep: Deployment,
    viewer: Viewer,
    incident_id: str,
    *,
    note: str,
    observations: list[Observation] | None = None,
    now: datetime | None = None,
) -> Corroboration:
    """A second organisation confirms the event with its own record, linked to the incident."""
    if not note.strip():
        raise InvalidInput("note", "say what your organisation observed")
    now = now or utcnow()
    observations = observations or []
    for i, observation in enumerate(observations):
        for field, stamp in (
            ("window_start", observation.window_start),
            ("window_end", observation.window_end),
        ):
            if stamp > now + dep.future_tolerance:
                raise InvalidInput(f"observations.{i}.{field}", "is in the future")
    with dep.db.begin() as conn:
        current = _visible(conn, viewer, incident_id, for_update=True)
        if not authz.can_corroborate(viewer, current.access):
            raise Forbidden(
                "corroboration comes from a monitoring organisation other than the reporter"
            )
        if current.status is Status.retracted:
            raise InvalidInput("status", "a retracted record cannot be corroborated")
        if any(
            c.organisation_id == viewer.organisation_id
            for c in store.corroborations_of(conn, incident_id)
        ):
            raise Conflict("your organisation has already corroborated this incident")
        corroboration = Corroboration(
            id=str(uuid.uuid4()),
            incident_id=incident_id,
            organisation_id=viewer.organisation_id,
            author=viewer.username,
            at=now,
            note=note.strip(),
            content={"observations": [o.model_dump(mode="json") for o in observations]},
        )
        store.insert_corroboration(conn, corroboration, viewer.user_id)
        log.record_corroboration(conn, corroboration, current.draft.classification)
        if current.status in (Status.reported, Status.disputed):
            reason = f"corroborated by {viewer.organisation_id}"
            _new_version(
                dep,
                conn,
                viewer,
                current,
                current.version,
                current.draft,
                Status.corroborated,
                "corroborated",
                reason,
                now,
                current.lat,
                current.lon,
            )
        return corroboration


def get_incident(dep: Deployment, viewer: Viewer, incident_id: str) -> Incident:
    with dep.db.read() as conn:
        return _visible(conn, viewer, incident_id)


@dataclass(frozen=True)
class Page:
    items: list[Incident]
    next_cursor: str | None


def list_incidents(
    dep: Deployment, viewer: Viewer, query: IncidentQuery, cursor: str | None = None
) -> Page:
    """A page of the incidents the viewer may read, newest first."""
    if not 1 <= query.limit <= MAX_PAGE:
        raise InvalidInput("limit", f"must be between 1 and {MAX_PAGE}")
    if query.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = query.bbox
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise InvalidInput("bbox", "must be min_lon,min_lat,max_lon,max_lat within range")
    for field, values in (
        ("category", query.categories),
        ("place", (query.place_id,) if query.place_id else ()),
        ("organisation", (query.organisation_id,) if query.organisation_id else ()),
    ):
        if any(not SLUG.match(value) for value in values):
            raise InvalidInput(field, "is not an identifier of this deployment")
    zones = {z.id for z in dep.scenario.geography.zones} | {BEYOND}
    for zone in query.zones:
        if zone not in zones:
            raise InvalidInput("zone", f"unknown zone {zone[:80]!r}: one of {sorted(zones)}")
    parties = {p.id for p in dep.scenario.parties}
    for side in query.sides:
        if side not in parties:
            raise InvalidInput("side", f"unknown party {side[:80]!r}: one of {sorted(parties)}")
    if query.within_line_metres is not None and not 0 <= query.within_line_metres <= 1e7:
        raise InvalidInput("within_line", "must be between 0 and 10,000,000 metres")
    for field, moment in (("since", query.since), ("until", query.until)):
        if moment is not None:
            try:
                check_era(moment)
            except ValueError as exc:
                raise InvalidInput(field, str(exc)) from None
    if cursor:
        query = replace(query, after=decode_cursor(cursor))
    with dep.db.read() as conn:
        rows = store.list_incidents(conn, authz.read_scope(viewer), query)
    items = [row for row in rows if authz.can_read(viewer, row.access)]
    assert len(items) == len(rows), "the SQL visibility filter and can_read disagree"
    next_cursor = None
    if len(rows) == query.limit:
        last = rows[-1]
        next_cursor = encode_cursor(last.draft.started_at, last.id)
    return Page(items=items, next_cursor=next_cursor)


def incident_history(dep: Deployment, viewer: Viewer, incident_id: str) -> list[IncidentVersion]:
    """Every version of a readable incident, oldest first, with protected fields removed."""
    with dep.db.read() as conn:
        current = _visible(conn, viewer, incident_id)
        versions = store.versions_of(conn, incident_id)
    hidden = authz.hidden_fields(viewer, current.access)
    shown: list[IncidentVersion] = []
    previous: dict[str, Any] | None = None
    for v in versions:
        content = {k: val for k, val in v.content.items() if k not in hidden}
        shown.append(
            replace(
                v,
                author="" if "reported_by" in hidden else v.author,
                content=content,
                changed=tuple(changed_fields(previous, content)) if previous is not None else (),
            )
        )
        previous = content
    return shown


def incident_log(dep: Deployment, viewer: Viewer, incident_id: str) -> list[log.LeafState]:
    """Where each version of a readable incident (and its corroborations) stands in the log."""
    with dep.db.read() as conn:
        _visible(conn, viewer, incident_id)
        versions = store.versions_of(conn, incident_id)
        corroborations = store.corroborations_of(conn, incident_id)
        return log.leaf_states(conn, versions, corroborations)


def present_log(viewer: Viewer, incident: Incident, states: list[log.LeafState]) -> list[Any]:
    """The log states as JSON: the salts this reader needs to check each leaf."""
    sees_protected = not authz.hidden_fields(viewer, incident.access)
    shown = []
    for state in states:
        item: dict[str, Any] = {
            "kind": state.kind,
            "id": state.record_id,
            "version": state.version,
            "index": state.index,
            "state": state.state,
        }
        if state.secret is not None and state.committed:
            item["salt"] = base64.b64encode(derive(state.secret, "content")).decode()
        if state.secret is not None and sees_protected and state.kind == "incident":
            item["protected_salt"] = base64.b64encode(derive(state.secret, "protected")).decode()
        shown.append(item)
    return shown


def incident_corroborations(
    dep: Deployment, viewer: Viewer, incident_id: str
) -> list[Corroboration]:
    with dep.db.read() as conn:
        current = _visible(conn, viewer, incident_id)
        found = store.corroborations_of(conn, incident_id)
    if "reported_by" in authz.hidden_fields(viewer, current.access):
        return [_without_author(c) for c in found]
    return found


def present_incident(
    dep: Deployment,
    viewer: Viewer,
    incident: Incident,
    corroborations: list[Corroboration] | None = None,
) -> dict[str, Any]:
    """The JSON shape of an incident for this viewer: the record as stated (minus hidden
    fields), its state, and its names rendered for the viewer's audience and language."""
    scenario = dep.scenario
    hidden = authz.hidden_fields(viewer, incident.access)
    record = incident.draft.model_dump(mode="json")
    for field in hidden:
        record.pop(field, None)
    lang, audience = viewer.language, viewer.audience
    org_ids = {incident.owner_org, *incident.draft.restricted_to}
    org_ids.update(a.organisation_id for a in incident.draft.actors if a.organisation_id)
    if "sources" not in hidden:
        org_ids.update(s.organisation_id for s in incident.draft.sources if s.organisation_id)
    org_ids.update(c.organisation_id for c in corroborations or [])
    organisations = {}
    for org_id in sorted(org_ids):
        org = scenario.organisation(org_id)
        organisations[org_id] = scenario.name_of(org.names, audience, lang) if org else org_id
    category = scenario.category(incident.draft.category)
    place = dep.gazetteer.place(incident.draft.location.place_id or "")
    return {
        "id": incident.id,
        "version": incident.version,
        "status": incident.status.value,
        "reporting_organisation": incident.owner_org,
        "reported_by": None if "reported_by" in hidden else incident.author,
        "created_at": incident.created_at.isoformat(),
        "updated_at": incident.updated_at.isoformat(),
        "lat": incident.lat,
        "lon": incident.lon,
        "record": record,
        "display": {
            "category": in_language(category.names, lang, category.id)
            if category
            else incident.draft.category,
            "place": scenario.name_of(place.names, audience, lang) if place else None,
            "organisations": organisations,
        },
        "geography": geography.present_standing(dep, viewer, incident.standing),
        "corroborations": [
            {
                "id": c.id,
                "organisation": c.organisation_id,
                "by": c.author or None,
                "at": c.at.isoformat(),
                "note": c.note,
                "observations": c.content.get("observations", []),
            }
            for c in corroborations or []
        ],
        "hidden_fields": list(hidden),
    }


def encode_cursor(started_at: datetime, incident_id: str) -> str:
    raw = json.dumps([started_at.isoformat(), incident_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        started, incident_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(started)
        if moment.tzinfo is None or not isinstance(incident_id, str) or not _is_id(incident_id):
            raise ValueError
        check_era(moment)
        return moment, incident_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor", "is not a cursor this service issued") from None


def _without_author(c: Corroboration) -> Corroboration:
    return Corroboration(c.id, c.incident_id, c.organisation_id, "", c.at, c.note, c.content)


def _is_id(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _visible(conn: Any, viewer: Viewer, incident_id: str, *, for_update: bool = False) -> Incident:
    if not _is_id(incident_id):
        raise NotFound("no such incident", "id")
    incident = store.get_incident(conn, incident_id, for_update=for_update)
    if incident is None or not authz.can_read(viewer, incident.access):
        raise NotFound("no such incident", "id")
    return incident


def _check_draft(dep: Deployment, draft: IncidentDraft, now: datetime) -> tuple[float, float]:
    """Check a draft against the deployment and the clock; return its coordinates."""
    scenario = dep.scenario
    problems = draft_reference_problems(
        draft,
        {c.id for c in scenario.categories},
        dep.gazetteer.ids,
        {o.id for o in scenario.organisations},
    )
    if problems:
        field, reason = problems[0]
        raise InvalidInput(field, reason)
    category = scenario.category(draft.category)
    if category is not None and draft.observations and not category.violation:
        raise InvalidInput(
            "observations", f"category {draft.category!r} is not a ceasefire violation"
        )
    check_times(draft, now, dep.future_tolerance)
    if draft.location.point is not None:
        return draft.location.point.lat, draft.location.point.lon
    place = dep.gazetteer.place(draft.location.place_id or "")
    assert place is not None
    return place.lat, place.lon


def _check_attachments(dep: Deployment, conn: Any, draft: IncidentDraft) -> None:
    wanted = [a.sha256 for a in draft.attachments]
    if not wanted:
        return
    known = known_attachments(conn, wanted)
    for i, sha in enumerate(wanted):
        if sha not in known:
            raise InvalidInput(f"attachments.{i}.sha256", "no such attachment: upload it first")


def _record_version(
    dep: Deployment,
    conn: Any,
    viewer: Viewer,
    incident_id: str,
    number: int,
    at: datetime,
    change: str,
    status: Status,
    draft: IncidentDraft,
    reason: str | None,
) -> Incident:
    """Store one version of an incident, its log leaf and its notifications, in the caller's
    transaction; return the incident as it now stands."""
    version = IncidentVersion(
        incident_id=incident_id,
        version=number,
        at=at,
        author=viewer.username,
        author_org=viewer.organisation_id,
        change=change,
        status=status,
        classification=draft.classification,
        reason=reason,
        content=draft.model_dump(mode="json"),
    )
    store.insert_version(conn, version, viewer.user_id)
    incident = store.get_incident(conn, incident_id)
    assert incident is not None
    steps = notifications.enqueue_for_version(conn, dep, incident, version)
    log.record_version(conn, version, steps)
    return incident


def _new_version(
    dep: Deployment,
    conn: Any,
    viewer: Viewer,
    current: Incident,
    base_version: int,
    draft: IncidentDraft,
    status: Status,
    change: str,
    reason: str,
    now: datetime,
    lat: float,
    lon: float,
) -> Incident:
    if base_version != current.version:
        raise Conflict(
            f"the record is at version {current.version}, not {base_version}: reload and retry",
            "base_version",
        )
    if not store.update_incident(
        conn,
        incident_id=current.id,
        from_version=base_version,
        draft=draft,
        status=status,
        lat=lat,
        lon=lon,
        at=now,
    ):
        raise Conflict("the record changed meanwhile: reload and retry", "base_version")
    if (lat, lon) != (current.lat, current.lon) or current.standing is None:
        geography.place_record(conn, dep, "incident", current.id, lat, lon)
    return _record_version(
        dep, conn, viewer, current.id, base_version + 1, now, change, status, draft, reason.strip()
    )
