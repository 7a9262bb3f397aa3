"""The civilian desk's cases: a resident's request becomes a case, assigned by the mandate and
told, de-identified, to whoever must act; the desk takes it, triages it, updates it, merges
duplicates, links it to the record and hands it to the working group when the other side
must act; overdue cases escalate; the resident hears of each change through the channel they
came by, and can look the case up with the reference and secret they were given.

Who asks (name, phone, e-mail, home, the request in their words, a petition's signatories)
and what the desk writes are sealed before they are written (store.sealing) and opened only
for the desk. Messages to whoever acts carry the category, the village, the zone, the
priority and the reference, never the person. Every version of a case is a log leaf
committed to, never revealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import (
    FINISHED,
    REFERENCE,
    CaseStatus,
    CaseUpdate,
    Channel,
    HandOver,
    Link,
    RequestDraft,
    can_move,
    new_reference,
    new_secret,
    normalise_phone,
)
from ceasefire.domain.desk import NEAREST_POST, Priority, assign
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.naming import in_language
from ceasefire.domain.notifications import Event, Severity
from ceasefire.services import geography, incidents, log, notices, notifications
from ceasefire.services.deployment import Deployment, sealer_of, utcnow
from ceasefire.store import cases as store
from ceasefire.store import tables
from ceasefire.store.cases import Case, CaseEvent, ResidentMessage
from ceasefire.store.db import advance
from ceasefire.store.notifications import NotificationVersion

SendToResident = Callable[[str, str, notifications.Message], str | None]
"""(the channel's URL template, the address, the message) -> None, or what went wrong"""
ResidentRender = Callable[[Deployment, Any, ResidentMessage], notifications.Message]

SEVERITY = {
    Priority.urgent: Severity.critical,
    Priority.high: Severity.high,
    Priority.normal: Severity.medium,
    Priority.low: Severity.low,
}
QUEUE = 500
TOLD = frozenset({Channel.sms, Channel.email, Channel.telegram})
"""The channels a resident is written to (the others read the status page)"""


@dataclass(frozen=True)
class Filed:
    case: Case
    secret: str
    """Shown to the resident once, with the reference: it opens the status page"""


# --- intake ------------------------------------------------------------------------------


def file_request(
    dep: Deployment,
    draft: RequestDraft,
    *,
    viewer: Viewer | None = None,
    now: datetime | None = None,
) -> Filed:
    """A resident's request (the public form: no viewer) or one taken by the desk's operator
    (a viewer of the desk) becomes a case: assigned by the mandate, its acting and informed
    desks told, its identity sealed. The same resident asking again about the same thing in
    the same village while their first case is open gets a case merged into that one."""
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
    sealer = sealer_of(dep)
    now = now or utcnow()
    case_id, secret = str(uuid.uuid4()), new_secret()
    priority = Priority.urgent if draft.urgent else category.default_priority
    times = desk.response_times[priority]
    phone = draft.requester.phone
    phone_index = sealer.index(normalise_phone(phone), "phone") if phone else None
    with dep.db.begin() as conn:
        zone, post = _where(dep, conn, draft, place)
        found = assign(desk, draft.category, zone)
        acts = _desks(dep, found.acts, post) if found else []
        inform = [c for c in (found.inform if found else ()) if c not in acts]
        earlier = (
            store.open_duplicate(conn, phone_index, draft.category, draft.place_id)
            if phone_index
            else None
        )
        status = CaseStatus.assigned if acts else CaseStatus.new
        store.insert_case(
            conn,
            id=case_id,
            reference=_unused_reference(conn),
            secret_hash=_hash(secret),
            version=1,
            status=(CaseStatus.merged if earlier else status).value,
            category=draft.category,
            priority=priority.value,
            place_id=draft.place_id,
            zone=zone,
            nearest_post=post,
            acts=acts,
            inform=inform,
            other_side_first=bool(found and found.other_side_first),
            mandate_rule=found.rule if found else None,
            language=draft.requester.language,
            channel=draft.requester.channel.value,
            affected=draft.affected,
            signatories=len(draft.signatories),
            sealed=sealer.seal(json.dumps(_identity(draft), ensure_ascii=False), f"case:{case_id}"),
            phone_index=phone_index,
            source="public" if viewer is None else "operator",
            created_at=now,
            updated_at=now,
            first_response_due=now + times.first_response_within,
            resolution_due=now + times.resolution_within,
            merged_into=earlier.id if earlier else None,
            links=[],
        )
        filed = _get(conn, case_id)
        actor = viewer.username if viewer else "public"
        steps: list[NotificationVersion] = []
        if earlier is None:
            within = times.first_response_within
            notifications.enqueue(conn, dep, _routing(filed, now, "filed", within),
                                  notifications.SYSTEM, steps)  # fmt: skip
        _event(conn, dep, filed, actor, "filed", now, {}, None, steps)
        if earlier is not None:
            joined = {"duplicate": filed.reference}
            _change(conn, dep, earlier, "public", "joined", now, {}, joined, tell=False)
    return Filed(filed, secret)


# --- what the desk does ------------------------------------------------------------------


def take(dep: Deployment, viewer: Viewer, case_id: str, now: datetime | None = None) -> Case:
    """The desk member takes the case on: they own it, it is in progress, and the resident
    is told (their first response)."""
    item = _for_desk(dep, viewer, case_id)
    if item.status in FINISHED:
        raise Conflict(f"the case is {item.status.value}: reopen it with an update first")
    now = now or utcnow()
    values: dict[str, Any] = {"owner": viewer.username}
    if item.status in (CaseStatus.new, CaseStatus.assigned):
        values["status"] = CaseStatus.in_progress.value
    with dep.db.begin() as conn:
        current = _current(conn, item)
        return _change(conn, dep, current, viewer.username, "taken", now, values, {},
                       tell="status" in values)  # fmt: skip


def triage(
    dep: Deployment, viewer: Viewer, case_id: str, priority: Priority, now: datetime | None = None
) -> Case:
    """Set the case's priority; its response times start again from when it was filed."""
    item = _for_desk(dep, viewer, case_id)
    if item.status in FINISHED:
        raise Conflict(f"the case is {item.status.value}: its priority no longer matters")
    times = dep.scenario.desk.response_times[priority]
    values = {
        "priority": priority.value,
        "first_response_due": item.created_at + times.first_response_within,
        "resolution_due": item.created_at + times.resolution_within,
        "escalated": 0,
    }
    details = {"from": item.priority.value, "to": priority.value}
    with dep.db.begin() as conn:
        current = _current(conn, item)
        return _change(conn, dep, current, viewer.username, "triaged", now or utcnow(), values,
                       details, tell=False)  # fmt: skip


def update(
    dep: Deployment, viewer: Viewer, case_id: str, change: CaseUpdate, now: datetime | None = None
) -> Case:
    """A new status, a word to the resident, a note for the desk: the resident hears of the
    first two through their channel, never of the note."""
    item = _for_desk(dep, viewer, case_id)
    now = now or utcnow()
    values: dict[str, Any] = {}
    if change.status is not None and change.status is not item.status:
        reason = can_move(item.status, change.status)
        if reason is not None:
            raise InvalidInput("status", reason)
        values["status"] = change.status.value
        if change.status is CaseStatus.resolved:
            values["resolved_at"] = now
        elif change.status is not CaseStatus.closed:
            values["resolved_at"] = None
    elif item.status in (CaseStatus.closed, CaseStatus.merged) and change.to_resident:
        raise InvalidInput("to_resident", f"the case is {item.status.value}: nobody follows it")
    notes = {"to_resident": change.to_resident, "internal": change.internal_note}
    tell = bool("status" in values or change.to_resident)
    with dep.db.begin() as conn:
        return _change(conn, dep, _current(conn, item), viewer.username, "updated", now, values,
                       {}, notes, tell=tell)  # fmt: skip


def merge(
    dep: Deployment, viewer: Viewer, case_id: str, into_reference: str, now: datetime | None = None
) -> Case:
    """A duplicate the desk found (the same resident, place and thing): it follows the other
    case from now on, and its resident is told which."""
    item = _for_desk(dep, viewer, case_id)
    with dep.db.read() as conn:
        into = store.by_reference(conn, into_reference.strip().upper())
    if into is None:
        raise InvalidInput("into", f"no case with reference {into_reference!r}")
    if into.id == item.id or into.status in FINISHED or item.status in FINISHED:
        raise InvalidInput("into", "merge an open case into another open case")
    now = now or utcnow()
    with dep.db.begin() as conn:
        values = {"status": CaseStatus.merged.value, "merged_into": into.id}
        merged = _change(conn, dep, _current(conn, item), viewer.username, "merged", now,
                         values, {"into": into.reference})  # fmt: skip
        joined = {"duplicate": item.reference}
        _change(conn, dep, _current(conn, into), viewer.username, "joined", now, {}, joined,
                tell=False)  # fmt: skip
    return merged


def hand_over(
    dep: Deployment, viewer: Viewer, case_id: str, handover: HandOver, now: datetime | None = None
) -> Case:
    """The fix needs the other side (a pipe behind its trenches): the case goes to the working
    group as a structured item — which party, what is needed, by when — and that party's desks
    are told, de-identified."""
    item = _for_desk(dep, viewer, case_id)
    party = dep.scenario.organisation(handover.party)
    parties = sorted(o.id for o in dep.scenario.organisations if o.party and not o.mission)
    if party is None or party.id not in parties:
        raise InvalidInput("party", f"not a party's organisation: one of {parties}")
    if item.status in FINISHED:
        raise Conflict(f"the case is {item.status.value}: reopen it with an update first")
    now = now or utcnow()
    carried = {**handover.model_dump(mode="json"), "by_desk": viewer.organisation_id}
    values = {"status": CaseStatus.handed_over.value, "handover": carried}
    told = [c.id for c in dep.scenario.policy.contact_points if c.organisation == party.id]
    with dep.db.begin() as conn:
        steps: list[NotificationVersion] = []
        current = _current(conn, item)
        routing = _routing(current, now, "handed_over", _first_response(dep, current), told)
        notifications.enqueue(conn, dep, routing, notifications.SYSTEM, steps)
        return _change(conn, dep, current, viewer.username, "handed_over", now, values,
                       {"party": party.id}, steps=steps)  # fmt: skip


def link(
    dep: Deployment, viewer: Viewer, case_id: str, target: Link, now: datetime | None = None
) -> Case:
    """Tie the case to an incident or an activity notice the desk may read."""
    item = _for_desk(dep, viewer, case_id)
    try:
        if target.kind == "incident":
            incidents.get_incident(dep, viewer, target.id)
        else:
            notices.get_notice(dep, viewer, target.id)
    except NotFound:
        raise InvalidInput("id", f"no {target.kind} {target.id!r} you may read") from None
    entry = target.model_dump()
    if entry in item.links:
        return item
    with dep.db.begin() as conn:
        current = _current(conn, item)
        return _change(conn, dep, current, viewer.username, "linked", now or utcnow(),
                       {"links": [*current.links, entry]}, entry, tell=False)  # fmt: skip


def escalate_overdue(dep: Deployment, now: datetime | None = None) -> int:
    """Escalate every open case past its first-response time without a response, or past its
    resolution time: the desk's escalation contacts are told, the case is marked. Each case
    escalates once for each; returns how many escalated."""
    now = now or utcnow()
    with dep.db.read() as conn:
        due = store.overdue(conn, now)
    escalated = 0
    for item in due:
        missed = _overdue(item, now)
        if missed == "first_response" and item.escalated >= 1:
            missed = "resolution"
        with dep.db.begin() as conn:
            current = store.get_case(conn, item.id, for_update=True)
            if current is None or current.version != item.version:
                continue  # changed since: the next round looks again
            told = list(dep.scenario.desk.escalate_to)
            routing = _routing(current, now, "escalated", _first_response(dep, current), told)
            steps: list[NotificationVersion] = []
            notifications.enqueue(conn, dep, routing, notifications.SYSTEM, steps)
            level = 1 if missed == "first_response" else 2
            _change(conn, dep, current, "system", "escalated", now, {"escalated": level},
                    {"missed": missed}, tell=False, steps=steps)  # fmt: skip
        escalated += 1
    return escalated


def deliver_to_residents(
    dep: Deployment,
    send: SendToResident,
    render: ResidentRender,
    now: datetime | None = None,
    limit: int = 50,
) -> int:
    """Send the residents' due news through the desk's channels (`dep.resident_channels`: an
    Apprise URL per channel, with `{to}` for the address); retry what fails. The address is
    opened only to send. Returns how many were tried."""
    with dep.db.begin() as conn:
        claimed = store.claim_messages(conn, now or utcnow(), notifications.LEASE, limit)
    if not claimed:
        return 0
    outcomes = []
    for message in claimed:
        template = dep.resident_channels.get(message.channel)
        error: str | None
        if template is None:
            error = f"no channel is configured for {message.channel}: set resident_channels"
        else:
            try:
                with dep.db.read() as conn:
                    text = render(dep, conn, message)
                address = sealer_of(dep).open(message.sealed_to, f"message:{message.id}")
                error = send(template, address, text)
            except Exception as exc:  # the attempt's outcome (never with the address)
                error = type(exc).__name__
        outcomes.append((message, error, now or utcnow()))
    with dep.db.begin() as conn:
        for message, error, at in outcomes:
            attempts = message.attempts + 1
            if error is None:
                store.update_message(conn, message.id, status="sent", attempts=attempts,
                                     sent_at=at, last_error=None)  # fmt: skip
                continue
            dead = attempts >= notifications.MAX_ATTEMPTS
            store.update_message(conn, message.id, status="dead" if dead else "retrying",
                                 attempts=attempts, last_error=error[:500],
                                 next_attempt_at=at + notifications.backoff(attempts))  # fmt: skip
    return len(claimed)


def resident_news(dep: Deployment, conn: Any, message: ResidentMessage) -> dict[str, Any]:
    """What a message to a resident says: their reference, the status of the version it is
    about (of their case, or of the case theirs was merged into) or which case theirs now
    follows, and the desk's words to them — never words written to someone else."""
    item = _get(conn, message.case_id)
    about = message.follows or item.id
    event = next(e for e in store.events_of(conn, about) if e.version == message.version)
    merged = item.merged_into if not message.follows else None
    return {
        "reference": item.reference,
        "language": item.language,
        "action": event.action,
        "status": event.status.value,
        "follows": _get(conn, merged).reference if merged else None,
        "message": "" if message.follows else _notes(dep, event).get("to_resident", ""),
    }


def _overdue(item: Case, now: datetime) -> str | None:
    """What an open case has missed: its first response, its resolution, or nothing."""
    if item.first_response_at is None and item.first_response_due <= now:
        return "first_response"
    if item.resolution_due <= now:
        return "resolution"
    return None


def _median_hours(spans: list[Any]) -> float | None:
    if not spans:
        return None
    hours = statistics.median(s.total_seconds() for s in spans) / 3600
    return round(float(hours), 1)


# --- what each reader sees ---------------------------------------------------------------


def case_status(dep: Deployment, reference: str, secret: str) -> dict[str, Any]:
    """What the resident may see of their request: its status and what the desk wrote to
    them, never internal notes or other people. A merged request shows the case it follows."""
    reference = reference.strip().upper()
    if not REFERENCE.match(reference):
        raise NotFound("no request with this reference and secret", "reference")
    with dep.db.read() as conn:
        found = store.by_reference(conn, reference)
        if found is None or not hmac.compare_digest(found.secret_hash, _hash(secret.strip())):
            raise NotFound("no request with this reference and secret", "reference")
        followed = _get(conn, found.merged_into) if found.merged_into else found
        events = store.events_of(conn, followed.id)
    updates = []
    for event in events:  # the desk's words to another resident stay theirs
        words = _notes(dep, event).get("to_resident", "") if followed is found else ""
        if event.action == "filed" or event.details.get("status_changed") or words:
            updates.append({"at": event.at.isoformat(), "status": event.status.value,
                            "message": words})  # fmt: skip
    return {
        "reference": found.reference,
        "follows": followed.reference if followed is not found else None,
        "status": followed.status.value,
        "category": found.category,
        "filed_at": found.created_at.isoformat(),
        "updated_at": followed.updated_at.isoformat(),
        "updates": updates,
    }


def queue(dep: Deployment, viewer: Viewer, post: str | None = None) -> list[dict[str, Any]]:
    """The desk's open cases (of one post, if given), most urgent first, with who asks
    (opened for the desk only)."""
    if not authz.can_work_desk(viewer):
        raise Forbidden("the queue is the mission's desk's")
    with dep.db.read() as conn:
        found = store.open_cases(conn, QUEUE, post)
    return [{**present(dep, viewer, item), **_opened(dep, item)} for item in found]


def case_view(dep: Deployment, viewer: Viewer, case_id: str) -> dict[str, Any]:
    """A case with its timeline: for the desk, with who asks, every note and the messages to
    the resident; for a desk the mandate told, de-identified (no person, no note)."""
    with dep.db.read() as conn:
        item = store.get_case(conn, case_id)
        if item is None or not can_read_case(dep, viewer, item):
            raise NotFound("no such case", "case_id")
        events = store.events_of(conn, item.id)
        sent = store.messages_of(conn, item.id) if authz.can_work_desk(viewer) else []
        merged_into = _get(conn, item.merged_into).reference if item.merged_into else None
    desk = authz.can_work_desk(viewer)
    timeline = []
    for event in events:
        shown: dict[str, Any] = {
            "version": event.version,
            "at": event.at.isoformat(),
            "actor": event.actor if desk else None,
            "action": event.action,
            "status": event.status.value,
            "priority": event.priority.value,
            "details": event.details,
        }
        if desk:
            shown["notes"] = _notes(dep, event)
        timeline.append(shown)
    view = {**present(dep, viewer, item), "timeline": timeline, "merged_into": merged_into}
    if desk:
        view.update(_opened(dep, item))
        view["messages"] = [
            {"version": m.version, "channel": m.channel, "status": m.status,
             "attempts": m.attempts, "last_error": m.last_error,
             "sent_at": m.sent_at.isoformat() if m.sent_at else None}
            for m in sent
        ]  # fmt: skip
    return view


AGES = (("under_a_day", 1), ("under_three_days", 3), ("under_a_week", 7), ("older", None))
"""The dashboard's age bands of open cases: under a day, under three days, under a week,
older"""


def dashboard(dep: Deployment, viewer: Viewer, now: datetime | None = None) -> dict[str, Any]:
    """Where the desk stands: open cases by category, post, priority and age; each post's
    workload; the median hours to a first response and to resolution; what is overdue."""
    if not authz.can_work_desk(viewer):
        raise Forbidden("the dashboard is the mission's desk's")
    now = now or utcnow()
    with dep.db.read() as conn:
        every = list(store.all_cases(conn))
    open_ = [c for c in every if c.status not in FINISHED]
    by: dict[str, dict[str, int]] = {"category": {}, "post": {}, "priority": {}, "age": {}}
    posts: dict[str, dict[str, int]] = {}
    for item in open_:
        post = item.nearest_post or "-"
        age_days = (now - item.created_at).total_seconds() / 86400
        age = next(name for name, days in AGES if days is None or age_days < days)
        for key, value in (("category", item.category), ("post", post),
                           ("priority", item.priority.value), ("age", age)):  # fmt: skip
            by[key][value] = by[key].get(value, 0) + 1
        load = posts.setdefault(post, {"open": 0, "urgent": 0, "overdue": 0, "unowned": 0})
        load["open"] += 1
        load["urgent"] += item.priority is Priority.urgent
        load["overdue"] += bool(_overdue(item, now))
        load["unowned"] += item.owner is None
    answered = [c.first_response_at - c.created_at for c in every if c.first_response_at]
    resolved = [c.resolved_at - c.created_at for c in every if c.resolved_at]
    overdue = [
        {**present(dep, viewer, c), "missed": _overdue(c, now)} for c in open_ if _overdue(c, now)
    ]
    return {
        "at": now.isoformat(),
        "open": len(open_),
        "by": by,
        "posts": posts,
        "first_response_hours": _median_hours(answered),
        "resolution_hours": _median_hours(resolved),
        "answered": len(answered),
        "resolved": len(resolved),
        "overdue": sorted(overdue, key=lambda c: c["first_response_due"]),
    }


def can_read_case(dep: Deployment, viewer: Viewer, item: Case) -> bool:
    """The desk reads every case; a desk the mandate told (to act or to know) reads its
    case, without who asks."""
    if authz.can_work_desk(viewer):
        return True
    if not viewer.has(*authz.ACTING_ROLES):
        return False
    told = {*item.acts, *item.inform, *_handover_contacts(dep, item)}
    organisations = {c.organisation for c in dep.scenario.policy.contact_points if c.id in told}
    return viewer.organisation_id in organisations


def present(dep: Deployment, viewer: Viewer, item: Case) -> dict[str, Any]:
    """A case without who asks: what anyone told of it may see."""
    scenario = dep.scenario
    category = scenario.desk.category(item.category)
    place = dep.gazetteer.place(item.place_id or "")
    post = dep.gazetteer.place(item.nearest_post or "")
    return {
        "id": item.id,
        "reference": item.reference,
        "version": item.version,
        "status": item.status.value,
        "category": item.category,
        "category_name": in_language(category.names, viewer.language, category.id)
        if category
        else item.category,
        "priority": item.priority.value,
        "place_id": item.place_id,
        "place": scenario.name_of(place.names, viewer.audience, viewer.language) if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "zone": item.zone,
        "zone_name": geography.zone_name(dep, item.zone, viewer.language) if item.zone else None,
        "nearest_post": item.nearest_post,
        "post_name": scenario.name_of(post.names, viewer.audience, viewer.language)
        if post
        else None,
        "acts": list(item.acts),
        "inform": list(item.inform),
        "other_side_first": item.other_side_first,
        "affected": item.affected,
        "signatories": item.signatories,
        "owner": item.owner,
        "escalated": item.escalated,
        "handover": item.handover,
        "links": list(item.links),
        "filed_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "first_response_due": item.first_response_due.isoformat(),
        "first_response_at": item.first_response_at.isoformat() if item.first_response_at else None,
        "resolution_due": item.resolution_due.isoformat(),
        "resolved_at": item.resolved_at.isoformat() if item.resolved_at else None,
    }


# --- inside ------------------------------------------------------------------------------


def _change(
    conn: Any,
    dep: Deployment,
    item: Case,
    actor: str,
    action: str,
    now: datetime,
    values: dict[str, Any],
    details: dict[str, Any],
    notes: dict[str, str] | None = None,
    *,
    tell: bool = True,
    steps: list[NotificationVersion] | None = None,
) -> Case:
    """Move a case on one version: write the change, its timeline entry and its log leaf, and
    queue the resident's news (`tell`), in the caller's transaction. A change the resident
    hears of is the desk's first response."""
    status_changed = "status" in values and values["status"] != item.status.value
    if status_changed:
        details = {**details, "status_changed": True}
    if tell and item.first_response_at is None and actor not in ("system", "public"):
        values = {**values, "first_response_at": now}
    if not advance(conn, tables.cases, item.id, item.version, updated_at=now, **values):
        raise Conflict("the case changed meanwhile: reload it and try again")
    changed = _get(conn, item.id)
    _event(conn, dep, changed, actor, action, now, details, notes, steps or [])
    if tell:
        _tell_resident(conn, dep, changed, now)
    if status_changed:  # those whose requests were merged into this one hear its status too
        for duplicate in store.merged_into(conn, changed.id):
            _tell_resident(conn, dep, duplicate, now, about=changed)
    return changed


def _event(
    conn: Any,
    dep: Deployment,
    item: Case,
    actor: str,
    action: str,
    now: datetime,
    details: dict[str, Any],
    notes: dict[str, str] | None,
    steps: list[NotificationVersion],
) -> None:
    written = {k: v for k, v in (notes or {}).items() if v}
    sealed = (
        sealer_of(dep).seal(
            json.dumps(written, ensure_ascii=False), f"case:{item.id}:{item.version}"
        )
        if written
        else None
    )
    store.insert_event(
        conn,
        case_id=item.id,
        version=item.version,
        at=now,
        actor=actor,
        action=action,
        status=item.status.value,
        priority=item.priority.value,
        owner=item.owner,
        acts=list(item.acts),
        inform=list(item.inform),
        other_side_first=item.other_side_first,
        details=details,
        notes=sealed,
    )
    event = store.events_of(conn, item.id)[-1]
    log.record_case(conn, item, event, steps)
    if action == "filed":
        _tell_resident(conn, dep, item, now)


def _tell_resident(
    conn: Any, dep: Deployment, item: Case, now: datetime, about: Case | None = None
) -> None:
    """Queue news for the case's resident, by their channel (the status page needs none): of
    the case's latest version, or of the case it was merged into (`about`)."""
    channel = Channel(item.channel)
    if channel not in TOLD:
        return
    requester = _opened(dep, item)["requester"]
    address = requester["email"] if channel is Channel.email else requester["phone"]
    message_id = str(uuid.uuid4())
    store.insert_message(
        conn,
        id=message_id,
        case_id=item.id,
        version=(about or item).version,
        follows=about.id if about else None,
        channel=channel.value,
        sealed_to=sealer_of(dep).seal(address, f"message:{message_id}"),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def _for_desk(dep: Deployment, viewer: Viewer, case_id: str) -> Case:
    if not authz.can_work_desk(viewer):
        raise Forbidden("cases are worked by the mission's desk")
    with dep.db.read() as conn:
        item = store.get_case(conn, case_id)
    if item is None:
        raise NotFound("no such case", "case_id")
    return item


def _current(conn: Any, item: Case) -> Case:
    """The case as it is now, locked for the change (it must not have moved since read)."""
    current = store.get_case(conn, item.id, for_update=True)
    if current is None or current.version != item.version:
        raise Conflict("the case changed meanwhile: reload it and try again")
    return current


def _get(conn: Any, case_id: str) -> Case:
    found = store.get_case(conn, case_id)
    if found is None:
        raise NotFound("no such case", "case_id")
    return found


def _opened(dep: Deployment, item: Case) -> dict[str, Any]:
    identity = json.loads(sealer_of(dep).open(item.sealed, f"case:{item.id}"))
    return {
        "requester": identity["requester"],
        "description": identity["description"],
        "place_text": identity.get("place_text", ""),
        "signatory_list": identity.get("signatories", []),
    }


def _notes(dep: Deployment, event: CaseEvent) -> dict[str, str]:
    if event.notes is None:
        return {}
    opened: dict[str, str] = json.loads(
        sealer_of(dep).open(event.notes, f"case:{event.case_id}:{event.version}")
    )
    return opened


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


def _handover_contacts(dep: Deployment, item: Case) -> list[str]:
    party = (item.handover or {}).get("party")
    return [c.id for c in dep.scenario.policy.contact_points if party and c.organisation == party]


def _first_response(dep: Deployment, item: Case) -> Any:
    return dep.scenario.desk.response_times[item.priority].first_response_within


def _identity(draft: RequestDraft) -> dict[str, Any]:
    return {
        "requester": draft.requester.model_dump(mode="json"),
        "description": draft.description,
        "place_text": draft.place_text,
        "signatories": [s.model_dump(mode="json") for s in draft.signatories],
    }


def _routing(
    item: Case, now: datetime, change: str, within: Any, told: list[str] | None = None
) -> notifications.Explanation:
    """Who hears of the case: the mandate's desks when it is filed (its first version), else
    `told`, of the version the change is about to write."""
    event = Event(
        kind="case",
        record_id=item.id,
        version=item.version if told is None else item.version + 1,
        change=change,
        status=item.status.value,
        category=item.category,
        violation=False,
        severity=SEVERITY[item.priority],
        reporting_organisation=notifications.SYSTEM,
        place_id=item.place_id,
        at=now,
    )
    if told is None:
        reason = [f"mandate rule {item.mandate_rule}"]
        recipients = {contact: reason for contact in [*item.acts, *item.inform]}
    else:
        recipients = {contact: [f"case {change}"] for contact in told}
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
