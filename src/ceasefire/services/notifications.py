"""Notifications: the parties told by rule, in the record's own transaction; delivery with
retries; one-time acknowledgement; escalation when nobody answers; "why was X told?".

`enqueue_for_version` runs inside the transaction that writes an incident version,
so a record and its notifications commit together or not at all. A rule never
reaches an organisation that may not read the record. Every step of a
notification (queued, delivered, failed, dead, acknowledged, escalated) is a
version and a log leaf, so a party can later prove it was told — or that it
was not.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Role, Viewer
from ceasefire.domain.errors import Forbidden, InvalidInput, NotFound
from ceasefire.domain.incidents import STORED, IncidentDraft
from ceasefire.domain.notifications import (
    ContactPoint,
    Decision,
    Event,
    Routing,
    route,
    severity_of,
)
from ceasefire.domain.records import Incident, IncidentVersion
from ceasefire.domain.scenario import Scenario
from ceasefire.ledger.leaf import new_secret
from ceasefire.services import log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import incidents as incident_store
from ceasefire.store import log as log_store
from ceasefire.store import notifications as store
from ceasefire.store.notifications import Notification, NotificationVersion, Reply

SYSTEM = "ceasefire"
"""author_org of the steps the service itself takes (delivery attempts)."""
MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling, at most an hour."""
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def contact_viewer(scenario: Scenario, contact: ContactPoint) -> Viewer:
    """A contact point as the authorization rules see it: a desk that must act."""
    organisation = scenario.organisation(contact.organisation)
    return Viewer(
        user_id=0,
        username=f"contact:{contact.id}",
        organisation_id=contact.organisation,
        roles=frozenset({Role.duty_officer, Role.liaison_officer}),
        mission=bool(organisation and organisation.mission),
        language=contact.language,
        audience=contact.audience or (organisation.audience if organisation else "neutral"),
    )


def incident_event(dep: Deployment, incident: Incident, version: IncidentVersion) -> Event:
    draft = incident.draft
    category = dep.scenario.category(draft.category)
    violation = bool(category and category.violation)
    killed = (draft.casualties.civilian_killed or 0) + (draft.casualties.military_killed or 0)
    injured = (draft.casualties.civilian_injured or 0) + (draft.casualties.military_injured or 0)
    return Event(
        kind="incident",
        record_id=incident.id,
        version=version.version,
        change=version.change,
        status=version.status.value,
        category=draft.category,
        violation=violation,
        severity=severity_of(killed, injured, violation),
        reporting_organisation=incident.owner_org,
        place_id=draft.location.place_id,
        at=version.at,
    )


@dataclass
class Explanation:
    event: Event
    decisions: list[Decision]
    recipients: dict[str, list[str]]
    withheld: dict[str, str] = field(default_factory=dict)
    """contact id -> why a chosen contact was not told (it may not read the record)"""
    deadlines: dict[str, timedelta] = field(default_factory=dict)
    escort: bool = False


def explain_event(
    scenario: Scenario, event: Event, access: authz.Access, routing: Routing | None = None
) -> Explanation:
    """Who the rules choose for an event (`routing`, if the caller has it already), less
    those who may not read the record."""
    routing = routing or route(scenario.policy, event, ZoneInfo(scenario.info.time_zone))
    explanation = Explanation(
        event, routing.decisions, {}, deadlines=routing.deadlines, escort=routing.escort
    )
    for contact_id, rules in routing.recipients.items():
        contact = scenario.policy.contact(contact_id)
        if contact is None:
            continue
        if authz.can_read(contact_viewer(scenario, contact), access):
            explanation.recipients[contact_id] = rules
        else:
            explanation.withheld[contact_id] = (
                f"{contact.organisation} may not read a {access.classification.value} record"
            )
    return explanation


def enqueue_for_version(
    conn: Any, dep: Deployment, incident: Incident, version: IncidentVersion
) -> list[NotificationVersion]:
    """Route an incident version and queue its notifications (in the caller's transaction);
    return their first steps, for the caller to log with the version (`log.record_version`)."""
    event = incident_event(dep, incident, version)
    steps: list[NotificationVersion] = []
    enqueue(
        conn, dep, explain_event(dep.scenario, event, incident.access), version.author_org, steps
    )
    return steps


def enqueue(
    conn: Any,
    dep: Deployment,
    explanation: Explanation,
    author_org: str,
    steps: list[NotificationVersion],
) -> None:
    """Queue a notification to every recipient an event was routed to, in the caller's
    transaction; their first steps are collected in `steps` for the caller to log."""
    event = explanation.event
    for contact_id, rules in explanation.recipients.items():
        contact = dep.scenario.policy.contact(contact_id)
        assert contact is not None
        _queue(
            conn,
            dep,
            contact,
            event.kind,
            event.record_id,
            event.version,
            rules,
            0,
            None,
            event.at + explanation.deadlines[contact_id],
            event.at,
            author_org,
            steps,
        )


def _queue(
    conn: Any,
    dep: Deployment,
    contact: ContactPoint,
    kind: str,
    record_id: str,
    record_version: int,
    rules: list[str],
    level: int,
    escalated_from: str | None,
    deadline: datetime,
    now: datetime,
    author_org: str,
    steps: list[NotificationVersion] | None = None,
) -> str:
    """Insert a notification and its first step; with `steps`, the step's log leaf is left
    for the caller to append together with others (one sequencer round-trip)."""
    notification_id = str(uuid.uuid4())
    store.insert_notification(
        conn,
        id=notification_id,
        record_kind=kind,
        record_id=record_id,
        record_version=record_version,
        contact_id=contact.id,
        organisation_id=contact.organisation,
        rules=",".join(rules),
        level=level,
        escalated_from=escalated_from,
        version=1,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        ack_deadline=deadline,
        ack_token_hash=_token_hash(ack_token(dep, notification_id)),
        created_at=now,
    )
    _step(
        conn,
        notification_id,
        1,
        now,
        "queued",
        author_org,
        {
            "record": {"kind": kind, "id": record_id, "version": record_version},
            "contact": contact.id,
            "organisation": contact.organisation,
            "rules": rules,
            "level": level,
            "escalated_from": escalated_from,
            "ack_deadline": deadline.isoformat(),
        },
        steps,
    )
    return notification_id


def _step(
    conn: Any,
    notification_id: str,
    number: int,
    at: datetime,
    event: str,
    author_org: str,
    content: dict[str, Any],
    pending: list[NotificationVersion] | None = None,
) -> None:
    """Store one step of a notification and its log leaf (committed to: it names who was
    told) — or, given `pending`, collect the step for `_log_steps` to append with others."""
    version = NotificationVersion(notification_id, number, at, event, author_org, content)
    store.insert_version(conn, version)
    if pending is None:
        _log_steps(conn, [version])
    else:
        pending.append(version)


def _log_steps(conn: Any, steps: list[NotificationVersion]) -> None:
    if steps:
        log_store.append(conn, log.notification_leaves(steps))


# --- acknowledgement ---------------------------------------------------------------------


def ack_token(dep: Deployment, notification_id: str) -> str:
    return hmac.new(dep.secret, notification_id.encode(), hashlib.sha256).hexdigest()[:40]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def acknowledge_by_link(
    dep: Deployment, token: str, who: str = "", now: datetime | None = None
) -> Notification:
    """The one-time link in a message: works once, and only with its own token."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        notification = store.by_token_hash(conn, _token_hash(token))
        if notification is None:
            raise NotFound("this acknowledgement link is not valid", "token")
        return _acknowledge(
            conn,
            notification,
            who or f"link:{notification.contact_id}",
            notification.organisation_id,
            "link",
            now,
        )


def acknowledge(
    dep: Deployment,
    viewer: Viewer,
    notification_id: str,
    channel: str = "api",
    now: datetime | None = None,
) -> Notification:
    """A user of the notified organisation acknowledges (API or inbox)."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        notification = store.get(conn, notification_id, for_update=True)
        if notification is None or notification.organisation_id != viewer.organisation_id:
            raise NotFound("no such notification", "id")
        if not authz.can_acknowledge(viewer):
            raise Forbidden("your role cannot acknowledge notifications")
        return _acknowledge(
            conn, notification, viewer.username, viewer.organisation_id, channel, now
        )


def _acknowledge(
    conn: Any, notification: Notification, who: str, org: str, channel: str, now: datetime
) -> Notification:
    if notification.acknowledged_at is not None:
        raise InvalidInput("token", "already acknowledged")
    number = notification.version + 1
    store.update_notification(
        conn,
        notification.id,
        version=number,
        acknowledged_at=now,
        acknowledged_by=who,
        ack_channel=channel,
    )
    _step(conn, notification.id, number, now, "acknowledged", org, {"by": who, "channel": channel})
    updated = store.get(conn, notification.id)
    assert updated is not None
    return updated


# --- replies -----------------------------------------------------------------------------

MAX_REPLY = 5000


def reply(
    dep: Deployment, viewer: Viewer, notification_id: str, text: str, now: datetime | None = None
) -> Reply:
    """A party answers a notification: the reply is attached to the record, acknowledges the
    notification if it was not yet, and is routed back by the rules for replies."""
    text = text.strip()
    if not text:
        raise InvalidInput("text", "a reply needs a text")
    if len(text) > MAX_REPLY:
        raise InvalidInput("text", f"at most {MAX_REPLY} characters")
    now = now or utcnow()
    with dep.db.begin() as conn:
        notification = store.get(conn, notification_id, for_update=True)
        if notification is None or notification.organisation_id != viewer.organisation_id:
            raise NotFound("no such notification", "id")
        if not authz.can_acknowledge(viewer):
            raise Forbidden("your role cannot answer notifications")
        if notification.record_kind != "incident":
            raise InvalidInput("id", "replies answer incidents; acknowledge a notice instead")
        incident = incident_store.get_incident(conn, notification.record_id)
        if incident is None:
            raise NotFound("the record is gone", "id")
        answer = Reply(
            str(uuid.uuid4()),
            notification.id,
            incident.id,
            viewer.organisation_id,
            viewer.username,
            now,
            text,
        )
        store.insert_reply(conn, answer, viewer.user_id)
        log_store.append(conn, [(log.reply_entry(answer), new_secret(), True)])
        if notification.acknowledged_at is None:
            _acknowledge(conn, notification, viewer.username, viewer.organisation_id, "reply", now)
        event = replace(
            incident_event(dep, incident, _current_version(conn, incident)),
            kind="reply",
            change="reply",
            at=now,
            reporting_organisation=viewer.organisation_id,
        )
        explanation = explain_event(dep.scenario, event, incident.access)
        routing = route(dep.scenario.policy, event, ZoneInfo(dep.scenario.info.time_zone))
        for contact_id, rules in explanation.recipients.items():
            contact = dep.scenario.policy.contact(contact_id)
            if contact is None or contact.organisation == viewer.organisation_id:
                continue
            queued = _queue(
                conn,
                dep,
                contact,
                "incident",
                incident.id,
                incident.version,
                rules,
                0,
                None,
                now + routing.deadlines[contact_id],
                now,
                viewer.organisation_id,
            )
            store.update_notification(conn, queued, reply_id=answer.id)
    return answer


def _current_version(conn: Any, incident: Incident) -> IncidentVersion:
    return incident_store.versions_of(conn, incident.id)[-1]


def replies_to(dep: Deployment, viewer: Viewer, incident_id: str) -> list[Reply]:
    """Replies attached to a record, for whoever may read the record."""
    with dep.db.read() as conn:
        _readable(conn, viewer, incident_id)
        return store.replies_of(conn, incident_id)


# --- escalation --------------------------------------------------------------------------


def escalate_overdue(dep: Deployment, now: datetime | None = None) -> list[str]:
    """Past its deadline and unanswered: notify the next in the contact's chain."""
    now = now or utcnow()
    created = []
    with dep.db.begin() as conn:
        for notification in store.overdue(conn, now):
            contact = dep.scenario.policy.contact(notification.contact_id)
            if contact is None or contact.escalates_to is None:
                continue
            upper = dep.scenario.policy.contact(contact.escalates_to)
            if upper is None:
                continue
            deadline = now + (notification.ack_deadline - notification.created_at)
            created.append(
                _queue(
                    conn,
                    dep,
                    upper,
                    notification.record_kind,
                    notification.record_id,
                    notification.record_version,
                    list(notification.rules),
                    notification.level + 1,
                    notification.id,
                    deadline,
                    now,
                    SYSTEM,
                )
            )
            number = notification.version + 1
            store.update_notification(conn, notification.id, version=number)
            _step(conn, notification.id, number, now, "escalated", SYSTEM, {"to": upper.id})
    return created


# --- delivery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    idempotency_key: str
    title: str
    body: str


Send = Callable[[list[str], Message], str | None]
"""Deliver a message to channel URLs; return None on success, else the error."""


Render = Callable[[Deployment, Any, Notification], Message]
"""Write a notification's message, reading what it is about through the given connection."""

SENDERS = 8
"""Messages sent at once: a channel may take tens of milliseconds (an SMTP handshake)."""


def deliver_due(
    dep: Deployment,
    send: Send,
    render: Render,
    now: datetime | None = None,
    limit: int = 50,
) -> int:
    """Claim due notifications, render them (reading what they are about through one
    connection), deliver them several at once, and record the outcomes in one transaction;
    return how many were tried. `now` is injected by tests; otherwise each outcome is stamped
    when it happened."""
    with dep.db.begin() as conn:
        claimed = store.claim_due(conn, now or utcnow(), LEASE, limit)
    if not claimed:
        return 0
    with dep.db.read() as conn:
        rendered = [_rendered(dep, conn, render, notification) for notification in claimed]

    def attempt(job: tuple[Notification, Message | str]) -> tuple[str, str | None, datetime]:
        notification, message = job
        urls = dep.channels.get(notification.contact_id, [])
        if isinstance(message, str):
            error: str | None = message
        elif not urls:
            error = "no channel is configured for this contact point"
        else:
            try:
                error = send(urls, message)
            except Exception as exc:  # a channel's failure is the attempt's outcome
                error = f"{type(exc).__name__}: {exc}"
        return notification.id, error, now or utcnow()

    with ThreadPoolExecutor(max_workers=min(SENDERS, len(claimed))) as pool:
        outcomes = list(pool.map(attempt, zip(claimed, rendered, strict=True)))
    with dep.db.begin() as conn:  # one write for the batch: SQLite has a single writer
        steps: list[NotificationVersion] = []
        for notification_id, error, at in outcomes:
            _record_attempt(conn, notification_id, error, at, steps)
        _log_steps(conn, steps)  # last: the sequencer is locked from here to the commit
    return len(claimed)


def _rendered(
    dep: Deployment,
    conn: Any,
    render: Render,
    notification: Notification,
) -> Message | str:
    """The message, or why it could not be written (the attempt's outcome)."""
    try:
        return render(dep, conn, notification)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _record_attempt(
    conn: Any,
    notification_id: str,
    error: str | None,
    now: datetime,
    steps: list[NotificationVersion],
) -> None:
    current = store.get(conn, notification_id, for_update=True)
    if current is None or current.status != "sending":
        return  # someone else recorded it (its lease ran out and it was retried)
    attempts = current.attempts + 1
    number = current.version + 1
    if error is None:
        store.update_notification(
            conn,
            current.id,
            status="sent",
            attempts=attempts,
            version=number,
            sent_at=now,
            last_error=None,
            next_attempt_at=None,
        )
        _step(conn, current.id, number, now, "delivered", SYSTEM, {"attempt": attempts}, steps)
        return
    dead = attempts >= MAX_ATTEMPTS or error.startswith("no channel")
    store.update_notification(
        conn,
        current.id,
        status="dead" if dead else "retrying",
        attempts=attempts,
        version=number,
        last_error=error[:1000],
        next_attempt_at=None if dead else now + backoff(attempts),
    )
    _step(
        conn,
        current.id,
        number,
        now,
        "dead" if dead else "failed",
        SYSTEM,
        {"attempt": attempts, "error": error[:1000]},
        steps,
    )


# --- reading -----------------------------------------------------------------------------


def notifications_for_incident(
    dep: Deployment, viewer: Viewer, incident_id: str
) -> list[Notification]:
    """Who was told of a record: the mission sees all; a party sees what went to it."""
    with dep.db.read() as conn:
        _readable(conn, viewer, incident_id)
        found = store.for_record(conn, "incident", incident_id)
    if authz.can_see_every_recipient(viewer):
        return found
    return [n for n in found if n.organisation_id == viewer.organisation_id]


def _readable(conn: Any, viewer: Viewer, incident_id: str) -> Incident:
    incident = incident_store.get_incident(conn, incident_id)
    if incident is None or not authz.can_read(viewer, incident.access):
        raise NotFound("no such incident", "id")
    return incident


def inbox(dep: Deployment, viewer: Viewer, open_only: bool = False) -> list[Notification]:
    """What was sent to the viewer's organisation (the mission's duty officers see all)."""
    with dep.db.read() as conn:
        everyone = viewer.mission and viewer.has(Role.duty_officer)
        return store.for_organisation(conn, None if everyone else viewer.organisation_id, open_only)


def desk_counts(dep: Deployment, now: datetime | None = None) -> dict[str, int]:
    with dep.db.read() as conn:
        return store.counts(conn, now or utcnow())


def explain_incident(dep: Deployment, viewer: Viewer, incident_id: str) -> list[Explanation]:
    """For each version of a readable incident: which rules fired, which did not, and why."""
    with dep.db.read() as conn:
        incident = _readable(conn, viewer, incident_id)
        versions = incident_store.versions_of(conn, incident_id)
    explanations = []
    for version in versions:
        then = replace(
            incident, draft=IncidentDraft.model_validate(version.content, context=STORED)
        )
        event = incident_event(dep, then, version)
        explanations.append(explain_event(dep.scenario, event, then.access))
    return explanations
