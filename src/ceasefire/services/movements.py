"""Movements through the corridor: register a convoy or a passage, record what happened at
each checkpoint, read a movement with its timeline.

A report that holds, turns back or disputes a movement is recorded together with an
incident of the pack's hold category (in one transaction), linked both ways and routed by
the notification rules like any incident. Movements are read as incidents are: by their
classification and named readers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Access, Viewer
from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.incidents import IncidentDraft
from ceasefire.domain.movements import (
    FINISHED,
    HOLDING,
    CheckpointReport,
    MovementDraft,
    MovementStatus,
    status_after,
)
from ceasefire.i18n import translations
from ceasefire.services import incidents, log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import movements as store
from ceasefire.store import tables
from ceasefire.store.db import advance
from ceasefire.store.movements import Movement, MovementVersion

MAX_LIST = 200


def access_of(movement: Movement) -> Access:
    draft = movement.draft
    return Access(
        classification=draft.classification,
        owner_org=movement.owner_org,
        author_id=movement.author_id,
        readers=frozenset(draft.restricted_to),
    )


def register_movement(
    dep: Deployment, viewer: Viewer, draft: MovementDraft, *, now: datetime | None = None
) -> Movement:
    """The organiser (a party's liaison officer, the peacekeepers' duty officer) registers a
    convoy or a passage before it sets off."""
    if not authz.can_register_movement(viewer):
        raise Forbidden("only liaison and duty officers register movements")
    _check_references(dep, draft)
    now = now or utcnow()
    movement_id = str(uuid.uuid4())
    with dep.db.begin() as conn:
        store.insert_movement(
            conn,
            movement_id=movement_id,
            draft=draft,
            owner_org=viewer.organisation_id,
            author_id=viewer.user_id,
            at=now,
        )
        version = MovementVersion(
            movement_id,
            1,
            now,
            viewer.organisation_id,
            "registered",
            MovementStatus.planned,
            {"movement": draft.model_dump(mode="json")},
        )
        store.insert_version(conn, version)
        log.record_movement(conn, version, draft.classification is Classification.public)
        found = store.get_movement(conn, movement_id)
    assert found is not None
    return found


def record_checkpoint(
    dep: Deployment,
    viewer: Viewer,
    movement_id: str,
    report: CheckpointReport,
    *,
    base_version: int | None = None,
    now: datetime | None = None,
) -> tuple[Movement, str | None]:
    """A post's monitor or duty officer records what happened at a checkpoint; a hold
    becomes a linked incident. Returns the movement and the incident's id, if any."""
    if not authz.can_report(viewer):
        raise Forbidden("only monitors and duty officers record checkpoint reports")
    if dep.gazetteer.place(report.place_id) is None:
        raise InvalidInput("place_id", f"unknown place {report.place_id!r}")
    if report.inspected_by is not None and dep.scenario.organisation(report.inspected_by) is None:
        raise InvalidInput("inspected_by", f"unknown organisation {report.inspected_by!r}")
    now = now or utcnow()
    if report.at > now + dep.future_tolerance:
        raise InvalidInput("at", "is in the future")
    with dep.db.begin() as conn:
        movement = _visible(conn, viewer, movement_id, for_update=True)
        if movement.status in FINISHED:
            raise InvalidInput("outcome", f"the movement has already {movement.status.value}")
        version = movement.version if base_version is None else base_version
        status = status_after(report.outcome)
        if version != movement.version or not advance(
            conn, tables.movements, movement_id, version, status=status.value, updated_at=now
        ):
            raise Conflict(f"the movement is at version {movement.version}: reload", "base_version")
        incident_id = None
        if report.outcome in HOLDING:
            draft = _hold_incident(dep, viewer, movement, report)
            incident_id = incidents.report_in(conn, dep, viewer, draft, now).id
        entry = MovementVersion(
            movement_id,
            version + 1,
            now,
            viewer.organisation_id,
            "checkpoint",
            status,
            {"report": report.model_dump(mode="json")},
            incident_id,
        )
        store.insert_version(conn, entry)
        public = movement.draft.classification is Classification.public
        log.record_movement(conn, entry, public)
        updated = store.get_movement(conn, movement_id)
    assert updated is not None
    return updated, incident_id


def get_movement(dep: Deployment, viewer: Viewer, movement_id: str) -> Movement:
    with dep.db.read() as conn:
        return _visible(conn, viewer, movement_id)


def timeline(dep: Deployment, viewer: Viewer, movement_id: str) -> list[MovementVersion]:
    """The registration and every checkpoint's report, in order."""
    with dep.db.read() as conn:
        _visible(conn, viewer, movement_id)
        return store.versions_of(conn, movement_id)


def list_movements(dep: Deployment, viewer: Viewer) -> list[Movement]:
    """The latest movements the viewer may read, newest first."""
    with dep.db.read() as conn:
        found = store.recent_movements(conn, MAX_LIST * 5)
    return [m for m in found if authz.can_read(viewer, access_of(m))][:MAX_LIST]


def movement_of_incident(dep: Deployment, viewer: Viewer, incident_id: str) -> Movement | None:
    """The movement a held-up incident came from, if the viewer may read it."""
    with dep.db.read() as conn:
        movement_id = store.movement_of_incident(conn, incident_id)
        movement = store.get_movement(conn, movement_id) if movement_id else None
    if movement is None or not authz.can_read(viewer, access_of(movement)):
        return None
    return movement


def present_movement(dep: Deployment, viewer: Viewer, movement: Movement) -> dict[str, Any]:
    """A movement for a reader, with its places and organisations named for them."""
    scenario, draft = dep.scenario, movement.draft
    _ = translations(viewer.language).gettext
    zone = ZoneInfo(scenario.info.time_zone)

    def place(place_id: str | None) -> str | None:
        found = dep.gazetteer.place(place_id or "")
        return scenario.name_of(found.names, viewer.audience, viewer.language) if found else None

    def organisation(org_id: str | None) -> str | None:
        found = scenario.organisation(org_id or "")
        return scenario.name_of(found.names, viewer.audience, viewer.language) if found else None

    return {
        "id": movement.id,
        "version": movement.version,
        "status": movement.status.value,
        "registered_by": movement.owner_org,
        "movement": draft.model_dump(mode="json"),
        "display": {
            "planned": f"{draft.planned_at.astimezone(zone):%Y-%m-%d %H:%M}",
            "kind": _(draft.kind.value),
            "status": _(movement.status.value),
            "from": place(draft.from_place),
            "to": place(draft.to_place),
            "route": [place(p) or p for p in draft.route],
            "escorted_by": organisation(draft.escorted_by),
            "registered_by": organisation(movement.owner_org),
        },
    }


def present_timeline(
    dep: Deployment, viewer: Viewer, versions: list[MovementVersion]
) -> list[dict[str, Any]]:
    scenario = dep.scenario
    _ = translations(viewer.language).gettext
    zone = ZoneInfo(scenario.info.time_zone)
    shown = []
    for v in versions:
        report = v.content.get("report")
        happened = datetime.fromisoformat(report["at"]) if report else v.at
        item: dict[str, Any] = {
            "version": v.version,
            "at": v.at.isoformat(),
            "local": f"{happened.astimezone(zone):%Y-%m-%d %H:%M}",
            "change": v.change,
            "status": v.status.value,
            "incident_id": v.incident_id,
        }
        if report:
            found = dep.gazetteer.place(report["place_id"])
            inspector = scenario.organisation(report.get("inspected_by") or "")
            lang, audience = viewer.language, viewer.audience
            item["report"] = {
                **report,
                "place": scenario.name_of(found.names, audience, lang) if found else None,
                "lat": found.lat if found else None,
                "lon": found.lon if found else None,
                "outcome_label": _(str(report.get("outcome"))),
                "inspected_by_name": scenario.name_of(inspector.names, audience, lang)
                if inspector
                else None,
            }
        shown.append(item)
    return shown


# --- inside ------------------------------------------------------------------------------------


def _visible(conn: Any, viewer: Viewer, movement_id: str, *, for_update: bool = False) -> Movement:
    try:
        uuid.UUID(movement_id)
    except ValueError:
        raise NotFound("no such movement", "id") from None
    movement = store.get_movement(conn, movement_id, for_update=for_update)
    if movement is None or not authz.can_read(viewer, access_of(movement)):
        raise NotFound("no such movement", "id")
    return movement


def _check_references(dep: Deployment, draft: MovementDraft) -> None:
    for field, place_id in (("from_place", draft.from_place), ("to_place", draft.to_place)):
        if dep.gazetteer.place(place_id) is None:
            raise InvalidInput(field, f"unknown place {place_id!r}")
    for i, place_id in enumerate(draft.route):
        if dep.gazetteer.place(place_id) is None:
            raise InvalidInput(f"route.{i}", f"unknown place {place_id!r}")
    organisations = {o.id for o in dep.scenario.organisations}
    if draft.escorted_by is not None and draft.escorted_by not in organisations:
        raise InvalidInput("escorted_by", f"unknown organisation {draft.escorted_by!r}")
    for i, org in enumerate(draft.restricted_to):
        if org not in organisations:
            raise InvalidInput(f"restricted_to.{i}", f"unknown organisation {org!r}")


def _hold_incident(
    dep: Deployment, viewer: Viewer, movement: Movement, report: CheckpointReport
) -> IncidentDraft:
    """The incident a hold becomes: the pack's hold category, at the checkpoint, shared as
    the movement is, with the findings as its narrative."""
    settings = dep.scenario.geography.movements
    if settings is None:
        raise InvalidInput("outcome", "this deployment names no incident category for holds")
    _ = translations(viewer.language).gettext
    place = dep.gazetteer.place(report.place_id)
    name = (
        dep.scenario.name_of(place.names, viewer.audience, viewer.language)
        if place
        else report.place_id
    )
    title = _("{movement}: {outcome} at {place}").format(
        movement=movement.draft.title, outcome=_(report.outcome.value), place=name
    )
    readers: list[str] = []
    if movement.draft.restricted_to:  # the organiser reads what became of its movement
        named = [*movement.draft.restricted_to, movement.owner_org]
        readers = sorted(set(named) - {viewer.organisation_id})
    actors = []
    if report.inspected_by:
        actors.append({"organisation_id": report.inspected_by, "role": "other"})
    if movement.draft.escorted_by:
        actors.append({"organisation_id": movement.draft.escorted_by, "role": "responder"})
    return IncidentDraft.model_validate(
        {
            "category": settings.hold_category,
            "title": title[:200],
            "started_at": report.at.isoformat(),
            "time_precision": "exact",
            "location": {"place_id": report.place_id, "precision": "exact"},
            "actors": actors,
            "narrative": {viewer.language: report.findings},
            "classification": movement.draft.classification.value,
            "restricted_to": readers,
        }
    )
