"""The civilian desk's intake: a resident's request becomes a case, assigned by the mandate
and told, de-identified, to whoever must act; the resident can look its status up with the
reference and secret it was given; the desk sees its queue.

Who asks (name, phone, e-mail, home, the request in their words, a petition's signatories)
is sealed before it is written (store.sealing) and opened only for the desk. Messages to
whoever acts carry the category, the village, the zone, the priority and the reference, never
the person. A case's version is a log leaf committed to, never revealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import (
    REFERENCE,
    CaseStatus,
    RequestDraft,
    new_reference,
    new_secret,
    normalise_phone,
)
from ceasefire.domain.desk import NEAREST_POST, Priority, assign
from ceasefire.domain.errors import Forbidden, InvalidInput, NotFound
from ceasefire.domain.naming import in_language
from ceasefire.domain.notifications import Event, Severity
from ceasefire.services import geography, log, notifications
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import cases as store
from ceasefire.store.cases import Case
from ceasefire.store.notifications import NotificationVersion

SEVERITY = {
    Priority.urgent: Severity.critical,
    Priority.high: Severity.high,
    Priority.normal: Severity.medium,
    Priority.low: Severity.low,
}
QUEUE = 500


@dataclass(frozen=True)
class Filed:
    case: Case
    secret: str
    """Shown to the resident once, with the reference: it opens the status page"""


def file_request(
    dep: Deployment,
    draft: RequestDraft,
    *,
    viewer: Viewer | None = None,
    now: datetime | None = None,
) -> Filed:
    """A resident's request (the public form: no viewer) or one taken by the desk's operator
    (a viewer of the desk) becomes a case: assigned by the mandate, its acting and informed
    desks told, its identity sealed."""
    if viewer is not None and not authz.can_work_desk(viewer):
        raise Forbidden("only the mission's desk takes requests for residents")
    desk = dep.scenario.desk
    category = desk.category(draft.category)
    if category is None:
        known = [c.id for c in desk.categories]
        raise InvalidInput("category", f"unknown category {draft.category!r}: one of {known}")
    place = dep.gazetteer.place(draft.place_id) if draft.place_id else None
    if draft.place_id and place is None:
        raise InvalidInput("place_id", f"unknown place {draft.place_id!r}")
    assert dep.sealer is not None
    now = now or utcnow()
    case_id, secret = str(uuid.uuid4()), new_secret()
    priority = Priority.urgent if draft.urgent else category.default_priority
    times = desk.response_times[priority]
    with dep.db.begin() as conn:
        zone, post = _where(dep, conn, draft, place)
        found = assign(desk, draft.category, zone)
        acts = _desks(dep, found.acts, post) if found else []
        inform = [c for c in (found.inform if found else ()) if c not in acts]
        sealed = dep.sealer.seal(
            json.dumps(_identity(draft), ensure_ascii=False), f"case:{case_id}"
        )
        phone = draft.requester.phone
        values: dict[str, Any] = {
            "id": case_id,
            "reference": _unused_reference(conn),
            "secret_hash": _hash(secret),
            "version": 1,
            "status": (CaseStatus.assigned if acts else CaseStatus.new).value,
            "category": draft.category,
            "priority": priority.value,
            "place_id": draft.place_id,
            "zone": zone,
            "nearest_post": post,
            "acts": acts,
            "inform": inform,
            "other_side_first": bool(found and found.other_side_first),
            "mandate_rule": found.rule if found else None,
            "language": draft.requester.language,
            "channel": draft.requester.channel.value,
            "affected": draft.affected,
            "signatories": len(draft.signatories),
            "sealed": sealed,
            "phone_index": dep.sealer.index(normalise_phone(phone), "phone") if phone else None,
            "source": "public" if viewer is None else "operator",
            "created_at": now,
            "updated_at": now,
            "first_response_due": now + times.first_response_within,
            "resolution_due": now + times.resolution_within,
        }
        store.insert_case(conn, **values)
        filed = store.get_case(conn, case_id)
        assert filed is not None
        steps: list[NotificationVersion] = []
        notifications.enqueue(conn, dep, _routing(filed, now, times.first_response_within),
                              notifications.SYSTEM, steps)  # fmt: skip
        log.record_case(conn, filed, steps)
    return Filed(filed, secret)


def case_status(dep: Deployment, reference: str, secret: str) -> dict[str, Any]:
    """What the resident may see of their request: never internal notes or other people."""
    reference = reference.strip().upper()
    if not REFERENCE.match(reference):
        raise NotFound("no request with this reference and secret", "reference")
    with dep.db.read() as conn:
        found = store.by_reference(conn, reference)
    if found is None or not hmac.compare_digest(found.secret_hash, _hash(secret.strip())):
        raise NotFound("no request with this reference and secret", "reference")
    return {
        "reference": found.reference,
        "status": found.status.value,
        "category": found.category,
        "filed_at": found.created_at.isoformat(),
        "updated_at": found.updated_at.isoformat(),
    }


def queue(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    """The desk's open cases, most urgent first, with who asks (opened for the desk only)."""
    if not authz.can_work_desk(viewer):
        raise Forbidden("the queue is the mission's desk's")
    assert dep.sealer is not None
    with dep.db.read() as conn:
        found = store.open_cases(conn, QUEUE)
    shown = []
    for item in found:
        identity = json.loads(dep.sealer.open(item.sealed, f"case:{item.id}"))
        shown.append({**present(dep, viewer, item), "requester": identity["requester"],
                      "description": identity["description"]})  # fmt: skip
    return shown


def present(dep: Deployment, viewer: Viewer, item: Case) -> dict[str, Any]:
    """A case without who asks: what anyone told of it may see."""
    scenario = dep.scenario
    category = scenario.desk.category(item.category)
    place = dep.gazetteer.place(item.place_id or "")
    return {
        "id": item.id,
        "reference": item.reference,
        "status": item.status.value,
        "category": item.category,
        "category_name": in_language(category.names, viewer.language, category.id)
        if category
        else item.category,
        "priority": item.priority.value,
        "place": scenario.name_of(place.names, viewer.audience, viewer.language) if place else None,
        "zone": item.zone,
        "zone_name": geography.zone_name(dep, item.zone, viewer.language) if item.zone else None,
        "nearest_post": item.nearest_post,
        "acts": list(item.acts),
        "inform": list(item.inform),
        "other_side_first": item.other_side_first,
        "affected": item.affected,
        "signatories": item.signatories,
        "filed_at": item.created_at.isoformat(),
        "first_response_due": item.first_response_due.isoformat(),
        "resolution_due": item.resolution_due.isoformat(),
    }


# --- inside ------------------------------------------------------------------------------


def _where(
    dep: Deployment, conn: Any, draft: RequestDraft, place: Any
) -> tuple[str | None, str | None]:
    """The zone and the nearest post of the request (from its village, else the home)."""
    home = draft.requester.home
    lat, lon = (place.lat, place.lon) if place else (home.lat, home.lon) if home else (None, None)
    if lat is None or lon is None:
        return None, None
    found = geography.stand(conn, dep, lat, lon)
    return found.zone, found.post_id


def _desks(dep: Deployment, acts: str, post: str | None) -> list[str]:
    if acts != NEAREST_POST:
        return [acts]
    return [c.id for c in dep.scenario.policy.contact_points if post and post in c.posts]


def _identity(draft: RequestDraft) -> dict[str, Any]:
    return {
        "requester": draft.requester.model_dump(mode="json"),
        "description": draft.description,
        "place_text": draft.place_text,
        "signatories": [s.model_dump(mode="json") for s in draft.signatories],
    }


def _routing(item: Case, now: datetime, within: Any) -> notifications.Explanation:
    event = Event(
        kind="case",
        record_id=item.id,
        version=item.version,
        change="filed",
        status=item.status.value,
        category=item.category,
        violation=False,
        severity=SEVERITY[item.priority],
        reporting_organisation=notifications.SYSTEM,
        place_id=item.place_id,
        at=now,
    )
    reason = [f"mandate rule {item.mandate_rule}"]
    recipients = {contact: reason for contact in [*item.acts, *item.inform]}
    return notifications.Explanation(
        event, [], recipients, deadlines={c: within for c in recipients}
    )


def _unused_reference(conn: Any) -> str:
    while True:
        reference = new_reference()
        if store.by_reference(conn, reference) is None:
            return reference


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
