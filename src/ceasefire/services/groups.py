"""Working groups at work: the chairs' secretariat schedules numbered meetings, whose agenda
the system proposes (what the group's rules take since the previous meeting: incidents, the
civilian desk's hand-overs and open cases, the group's overdue commitments, standing items)
and the secretary edits; after a meeting it records who came and, per item, each side's
position and the decision; commitments say who promised what, by when and how it is shown,
and are reminded before they are due and escalated when overdue.

A confidential group is invisible to non-members: every read answers as if it did not
exist. Every version of a meeting or commitment is a log leaf (committed to, not revealed).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Role, Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.groups import (
    AgendaItem,
    CommitmentChange,
    CommitmentDraft,
    CommitmentStatus,
    MeetingDraft,
    Minutes,
    WorkingGroup,
    overdue,
)
from ceasefire.domain.naming import in_language
from ceasefire.domain.notifications import Event, Severity, parse_duration
from ceasefire.services import cases, incidents, log, notifications
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import cases as case_store
from ceasefire.store import groups as store
from ceasefire.store import incidents as incident_store
from ceasefire.store import tables
from ceasefire.store.db import advance
from ceasefire.store.groups import Commitment, Meeting
from ceasefire.store.notifications import NotificationVersion

ACKNOWLEDGE_WITHIN = timedelta(days=1)
"""How long a desk has to acknowledge a commitment's reminder or escalation"""

# --- groups ------------------------------------------------------------------------------


def visible_groups(dep: Deployment, viewer: Viewer) -> list[WorkingGroup]:
    return [g for g in dep.scenario.groups if _sees(viewer, g)]


def get_group(dep: Deployment, viewer: Viewer, group_id: str) -> WorkingGroup:
    """The group, or NotFound (also for a confidential group the viewer is not a member of)."""
    group = next((g for g in dep.scenario.groups if g.id == group_id), None)
    if group is None or not _sees(viewer, group):
        raise NotFound("no such working group", "group_id")
    return group


def present_group(dep: Deployment, viewer: Viewer, group: WorkingGroup) -> dict[str, Any]:
    today = utcnow().date()
    with dep.db.read() as conn:
        held = store.meetings_of(conn, group.id)
        promised = store.commitments_of(conn, [group.id])
    return {
        "id": group.id,
        "name": in_language(group.names, viewer.language, group.id),
        "members": list(group.members),
        "chairs": list(group.chairs),
        "confidential": group.confidential,
        "meetings": [present_meeting(dep, viewer, group, m) for m in held],
        "open_commitments": len([c for c in promised if c.status is CommitmentStatus.open]),
        "overdue_commitments": len([c for c in promised if overdue(c.status, c.due, today)]),
        "record": _record_of_sides(group, promised, today),
        "can_run": authz.can_run_group(viewer, set(group.chairs)),
    }


def _record_of_sides(
    group: WorkingGroup, promised: list[Commitment], today: date
) -> dict[str, dict[str, int]]:
    """What each member promised the group and delivered: commitments made, done, open,
    overdue (of the open) and disputed."""
    record = {m: {"made": 0, "done": 0, "open": 0, "overdue": 0, "disputed": 0}
              for m in group.members}  # fmt: skip
    for item in promised:
        side = record.setdefault(item.organisation, dict.fromkeys(record[group.members[0]], 0))
        side["made"] += 1
        side[item.status.value] += 1
        side["overdue"] += overdue(item.status, item.due, today)
    return record


# --- meetings ----------------------------------------------------------------------------


def schedule_meeting(
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    draft: MeetingDraft,
    now: datetime | None = None,
) -> Meeting:
    """The group's next meeting, numbered, with the agenda proposed from what came since the
    previous one."""
    group = run_group(dep, viewer, group_id)
    _check_place(dep, draft.place_id)
    now = now or utcnow()
    try:
        return _schedule(dep, viewer, group, draft, now)
    except IntegrityError:
        raise Conflict("another meeting of the group was scheduled meanwhile: try again") from None


def _schedule(
    dep: Deployment, viewer: Viewer, group: WorkingGroup, draft: MeetingDraft, now: datetime
) -> Meeting:
    with dep.db.begin() as conn:
        number = store.last_number(conn, group.id) + 1
        previous = store.get_meeting(conn, group.id, number - 1) if number > 1 else None
        if previous is not None and draft.scheduled_at <= previous.scheduled_at:
            raise InvalidInput("scheduled_at", f"after meeting {previous.number}'s time")
        since = previous.scheduled_at if previous else None
        meeting_id = str(uuid.uuid4())
        store.insert_meeting(
            conn,
            id=meeting_id,
            group_id=group.id,
            number=number,
            version=1,
            status="planned",
            scheduled_at=draft.scheduled_at,
            since=since,
            place_id=draft.place_id,
            place_text=draft.place_text,
            agenda=[i.model_dump() for i in propose_agenda(dep, conn, group, since, now)],
            attendance=[],
            created_at=now,
            updated_at=now,
        )
        meeting = store.get_meeting(conn, group.id, number)
        assert meeting is not None
        record(conn, "meeting", meeting.id, 1, now, viewer, "scheduled", _content(meeting))
    return meeting


def propose_agenda(
    dep: Deployment, conn: Any, group: WorkingGroup, since: datetime | None, until: datetime
) -> list[AgendaItem]:
    """What the group's rules take between its previous meeting (`since`) and `until`: the
    desk's hand-overs of its categories to one of its member parties, its open desk cases of
    its categories, its open commitments past due, the incidents of its categories (and
    zones) every member may read, and its standing items."""
    rules = group.agenda
    items: list[AgendaItem] = []
    if rules.handovers:
        handed = {item.id: item for item, _ in case_store.handed_over(conn, rules.handovers,
                                                                     since, until)}  # fmt: skip
        for item in handed.values():
            if (item.handover or {}).get("party") in group.members:
                needs = (item.handover or {}).get("needs", "")
                items.append(AgendaItem(kind="handover", ref=item.id,
                                        title=f"{item.reference}: {needs}"[:300]))  # fmt: skip
    listed = {item.ref for item in items}
    for item in case_store.open_of_categories(conn, rules.open_cases) if rules.open_cases else []:
        if item.id not in listed:
            items.append(AgendaItem(kind="case", ref=item.id,
                                    title=f"{item.reference}: {item.category}"))  # fmt: skip
    for promised in store.commitments_of(conn, [group.id]):
        if overdue(promised.status, promised.due, until.date()):
            title = f"{promised.organisation}: {promised.text} ({promised.due.isoformat()})"
            items.append(AgendaItem(kind="commitment", ref=promised.id, title=title[:300]))
    if rules.incident_categories:
        readers = [_organisation_viewer(dep, member) for member in group.members]
        for incident in incident_store.reported_between(
            conn, rules.incident_categories, since, until
        ):
            zone = incident.standing.zone if incident.standing else None
            if rules.zones and zone not in rules.zones:
                continue
            if all(authz.can_read(reader, incident.access) for reader in readers):
                items.append(AgendaItem(kind="incident", ref=incident.id,
                                        title=incident.draft.title))  # fmt: skip
    for index, standing in enumerate(rules.standing):
        items.append(AgendaItem(kind="standing", ref=str(index),
                                title=in_language(standing, "en", "")))  # fmt: skip
    return items


def set_agenda(
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    number: int,
    items: list[AgendaItem],
    now: datetime | None = None,
) -> Meeting:
    """The secretary's agenda: the proposed items kept, reordered, others added."""
    group = run_group(dep, viewer, group_id)
    meeting = _meeting(dep, group, number)
    if meeting.status != "planned":
        raise InvalidInput("agenda", "the meeting has met: its minutes hold its agenda")
    agenda = [i.model_dump() for i in items]
    return _change_meeting(dep, viewer, meeting, "agenda", now, agenda=agenda)


def record_minutes(
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    number: int,
    minutes: Minutes,
    now: datetime | None = None,
) -> Meeting:
    """Who came, and each item's positions and decision: the meeting has met."""
    group = run_group(dep, viewer, group_id)
    meeting = _meeting(dep, group, number)
    for i, came in enumerate(minutes.attendance):
        if came.organisation not in group.members:
            raise InvalidInput(f"attendance.{i}.organisation", "not a member of the group")
    for i, item in enumerate(minutes.items):
        for organisation in item.positions:
            if organisation not in group.members:
                raise InvalidInput(f"items.{i}.positions", f"{organisation!r} is not a member")
    return _change_meeting(
        dep,
        viewer,
        meeting,
        "minutes",
        now,
        status="met",
        agenda=[i.model_dump() for i in minutes.items],
        attendance=[a.model_dump() for a in minutes.attendance],
    )


def get_meeting(dep: Deployment, viewer: Viewer, group_id: str, number: int) -> Meeting:
    return _meeting(dep, get_group(dep, viewer, group_id), number)


def present_meeting(
    dep: Deployment, viewer: Viewer, group: WorkingGroup, meeting: Meeting
) -> dict[str, Any]:
    place = dep.gazetteer.place(meeting.place_id or "")
    shown = asdict(meeting)
    for key in ("scheduled_at", "since", "created_at", "updated_at"):
        shown[key] = shown[key].isoformat() if shown[key] else None
    shown["place"] = (
        dep.scenario.name_of(place.names, viewer.audience, viewer.language)
        if place
        else meeting.place_text
    )
    for item in shown["agenda"]:
        if item["kind"] == "standing" and item["ref"] is not None:
            names = group.agenda.standing[int(item["ref"])]
            item["title"] = in_language(names, viewer.language, item["title"])
    return shown


# --- commitments -------------------------------------------------------------------------


def add_commitment(
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    draft: CommitmentDraft,
    now: datetime | None = None,
) -> Commitment:
    """Record what a member organisation promised the group."""
    group = run_group(dep, viewer, group_id)
    if draft.organisation not in group.members:
        raise InvalidInput("organisation", f"not a member of the group: one of {group.members}")
    for i, settles in enumerate(draft.resolves):
        _check_resolves(dep, viewer, settles.kind, settles.id, f"resolves.{i}.id")
    now = now or utcnow()
    with dep.db.begin() as conn:
        if draft.meeting is not None and store.get_meeting(conn, group.id, draft.meeting) is None:
            raise InvalidInput("meeting", f"the group has no meeting {draft.meeting}")
        commitment_id = str(uuid.uuid4())
        store.insert_commitment(
            conn,
            id=commitment_id,
            group_id=group.id,
            meeting=draft.meeting,
            version=1,
            status=CommitmentStatus.open.value,
            organisation=draft.organisation,
            text=draft.text,
            due=draft.due,
            evidence_needed=draft.evidence,
            evidence=None,
            resolves=[r.model_dump() for r in draft.resolves],
            created_at=now,
            updated_at=now,
        )
        made = store.get_commitment(conn, commitment_id)
        assert made is not None
        record(conn, "commitment", made.id, 1, now, viewer, "made", _content(made))
    return made


def change_commitment(
    dep: Deployment,
    viewer: Viewer,
    commitment_id: str,
    change: CommitmentChange,
    now: datetime | None = None,
) -> Commitment:
    """Done (with what shows it), disputed (with why), or open again."""
    with dep.db.read() as conn:
        found = store.get_commitment(conn, commitment_id)
    if found is None:
        raise NotFound("no such commitment", "commitment_id")
    group = get_group(dep, viewer, found.group_id)
    if change.status is CommitmentStatus.disputed:
        allowed = authz.can_dispute_commitment(viewer, set(group.members))
    else:
        allowed = authz.can_answer_commitment(viewer, found.organisation, set(group.chairs))
    if not allowed:
        raise Forbidden(f"you may not mark this commitment {change.status.value}")
    now = now or utcnow()
    with dep.db.begin() as conn:
        values = {"status": change.status.value, "evidence": change.evidence, "updated_at": now}
        if not advance(conn, tables.commitments, found.id, found.version, **values):
            raise Conflict("the commitment changed meanwhile: reload it and try again")
        changed = store.get_commitment(conn, found.id)
        assert changed is not None
        record(conn, "commitment", changed.id, changed.version, now, viewer,
                change.status.value, _content(changed))  # fmt: skip
    return changed


def list_commitments(
    dep: Deployment,
    viewer: Viewer,
    group_id: str | None = None,
    organisation: str | None = None,
    status: str | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """The commitments of the groups the viewer sees, soonest due first, filtered by group,
    organisation and status (open, done, disputed, or overdue: open and past due)."""
    if status is not None and status not in [*CommitmentStatus, "overdue"]:
        raise InvalidInput("status", "one of open, done, disputed, overdue")
    today = today or utcnow().date()
    groups = [get_group(dep, viewer, group_id)] if group_id else visible_groups(dep, viewer)
    with dep.db.read() as conn:
        found = store.commitments_of(conn, [g.id for g in groups])
    shown = [present_commitment(item, today) for item in found]
    if organisation:
        shown = [c for c in shown if c["organisation"] == organisation]
    if status == "overdue":
        shown = [c for c in shown if c["overdue"]]
    elif status:
        shown = [c for c in shown if c["status"] == status]
    return shown


def present_commitment(item: Commitment, today: date) -> dict[str, Any]:
    shown = asdict(item)
    shown["status"] = item.status.value
    shown["overdue"] = overdue(item.status, item.due, today)
    for key in ("due", "reminded_at", "escalated_at", "created_at", "updated_at"):
        shown[key] = shown[key].isoformat() if shown[key] else None
    return shown


def remind_commitments(dep: Deployment, now: datetime | None = None) -> tuple[int, int]:
    """Remind the organisation of each open commitment due within its group's `remind_before`
    (once), and escalate each one past due (once) to that organisation, the chairs and the
    group's `escalate_to`, through the notification system. Returns (reminded, escalated)."""
    now = now or utcnow()
    groups = {g.id: g for g in dep.scenario.groups}
    with dep.db.read() as conn:
        due = store.open_commitments(conn)
    reminded = escalated = 0
    for item in due:
        group = groups.get(item.group_id)
        if group is None:
            continue
        if overdue(item.status, item.due, now.date()) and item.escalated_at is None:
            told = _contacts(dep, [item.organisation, *group.chairs]) + list(group.escalate_to)
            escalated += _tell(dep, item, now, "overdue", told, escalated_at=now)
        elif item.reminded_at is None and (
            _midnight(item.due) - parse_duration(group.remind_before) <= now
        ):
            told = _contacts(dep, [item.organisation])
            reminded += _tell(dep, item, now, "reminder", told, reminded_at=now)
    return reminded, escalated


# --- inside ------------------------------------------------------------------------------


def _sees(viewer: Viewer, group: WorkingGroup) -> bool:
    return authz.can_see_group(viewer, set(group.members), group.confidential)


def run_group(dep: Deployment, viewer: Viewer, group_id: str) -> WorkingGroup:
    """The group, if the viewer works for its chairs' secretariat (else Forbidden)."""
    group = get_group(dep, viewer, group_id)
    if not authz.can_run_group(viewer, set(group.chairs)):
        raise Forbidden("the group's meetings and commitments are its chairs' to record")
    return group


def _meeting(dep: Deployment, group: WorkingGroup, number: int) -> Meeting:
    with dep.db.read() as conn:
        meeting = store.get_meeting(conn, group.id, number)
    if meeting is None:
        raise NotFound(f"the group has no meeting {number}", "number")
    return meeting


def _change_meeting(
    dep: Deployment,
    viewer: Viewer,
    meeting: Meeting,
    change: str,
    now: datetime | None,
    **values: Any,
) -> Meeting:
    now = now or utcnow()
    with dep.db.begin() as conn:
        if not advance(
            conn, tables.meetings, meeting.id, meeting.version, updated_at=now, **values
        ):
            raise Conflict("the meeting changed meanwhile: reload it and try again")
        changed = store.get_meeting(conn, meeting.group_id, meeting.number)
        assert changed is not None
        record(conn, "meeting", changed.id, changed.version, now, viewer, change,
                _content(changed))  # fmt: skip
    return changed


def _check_resolves(dep: Deployment, viewer: Viewer, kind: str, record_id: str, field: str) -> None:
    """A commitment settles an incident or a desk case the secretary may read."""
    try:
        if kind == "incident":
            incidents.get_incident(dep, viewer, record_id)
        else:
            cases.case_view(dep, viewer, record_id)
    except NotFound:
        raise InvalidInput(field, f"no {kind} {record_id!r} you may read") from None


def _check_place(dep: Deployment, place_id: str | None) -> None:
    if place_id is not None and dep.gazetteer.place(place_id) is None:
        raise InvalidInput("place_id", f"unknown place {place_id!r}")


def _content(record: Meeting | Commitment) -> dict[str, Any]:
    """A version's content, as the log commits to it."""
    shown = asdict(record)
    for key in ("created_at", "updated_at", "reminded_at", "escalated_at", "version"):
        shown.pop(key, None)
    for key, value in shown.items():
        if isinstance(value, date | datetime):
            shown[key] = value.isoformat()
        elif isinstance(value, CommitmentStatus):
            shown[key] = value.value
    return shown


def record(
    conn: Any,
    kind: str,
    record_id: str,
    version: int,
    now: datetime,
    viewer: Viewer | None,
    change: str,
    content: dict[str, Any],
    steps: list[NotificationVersion] | None = None,
) -> None:
    """Store a version of a group's record (a meeting, commitment, document, signature) and
    log it with the notifications it caused, in the caller's transaction."""
    author = viewer.organisation_id if viewer else notifications.SYSTEM
    store.insert_version(conn, kind=kind, record_id=record_id, version=version, at=now,
                         author_org=author, change=change, content=content)  # fmt: skip
    stored = store.versions_of(conn, kind, record_id)[-1]
    log.record_group_version(conn, stored, steps or [])


def _tell(
    dep: Deployment, item: Commitment, now: datetime, change: str, told: list[str], **mark: Any
) -> int:
    """Mark the commitment (reminded or escalated) as a new version and tell `told`."""
    with dep.db.begin() as conn:
        current = store.get_commitment(conn, item.id)
        if current is None or current.version != item.version:
            return 0  # changed since: the next round looks again
        if not advance(conn, tables.commitments, item.id, item.version, updated_at=now, **mark):
            return 0
        event = Event(
            kind="commitment",
            record_id=item.id,
            version=item.version + 1,
            change=change,
            status=item.status.value,
            category=item.group_id,
            violation=False,
            severity=Severity.high if change == "overdue" else Severity.medium,
            reporting_organisation=notifications.SYSTEM,
            place_id=None,
            at=now,
        )
        recipients = {contact: [f"commitment {change}"] for contact in dict.fromkeys(told)}
        explanation = notifications.Explanation(
            event, [], recipients, deadlines={c: ACKNOWLEDGE_WITHIN for c in recipients}
        )
        steps: list[NotificationVersion] = []
        notifications.enqueue(conn, dep, explanation, notifications.SYSTEM, steps)
        changed = store.get_commitment(conn, item.id)
        assert changed is not None
        record(conn, "commitment", item.id, changed.version, now, None, change,
                _content(changed), steps)  # fmt: skip
    return 1


def _contacts(dep: Deployment, organisations: list[str]) -> list[str]:
    """Each organisation's first-line desks: its contact points no other one escalates to
    and that answer for no post (an unanswered message climbs their escalation chain)."""
    points = dep.scenario.policy.contact_points
    above = {c.escalates_to for c in points if c.escalates_to}
    found = []
    for organisation in organisations:
        own = [c for c in points if c.organisation == organisation]
        first = [c.id for c in own if c.id not in above and not c.posts]
        found += first or [c.id for c in own]
    return found


def _organisation_viewer(dep: Deployment, organisation_id: str) -> Viewer:
    """An organisation as the reading rules see its desks (to ask what every member reads)."""
    organisation = dep.scenario.organisation(organisation_id)
    return Viewer(
        user_id=0,
        username=f"organisation:{organisation_id}",
        organisation_id=organisation_id,
        roles=frozenset({Role.duty_officer, Role.liaison_officer}),
        mission=bool(organisation and organisation.mission),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)
