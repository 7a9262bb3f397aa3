"""A notification as its recipient reads it: in the contact point's language, with place
and organisation names for its audience, and only what its organisation may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.naming import in_language
from ceasefire.domain.notifications import REPORT
from ceasefire.i18n import translations
from ceasefire.reports.pdf import OBSERVED_LABELS
from ceasefire.services import cases, incidents, notices, reports
from ceasefire.services.deployment import Deployment
from ceasefire.services.notifications import Message, ack_token, contact_viewer
from ceasefire.store import cases as case_store
from ceasefire.store import groups as group_store
from ceasefire.store import incidents as incident_store
from ceasefire.store import notices as notice_store
from ceasefire.store import notifications as notification_store
from ceasefire.store.cases import ResidentMessage
from ceasefire.store.notifications import Notification


def render(dep: Deployment, conn: Connection, notification: Notification) -> Message:
    """The message for one notification, read through `conn`."""
    contact = dep.scenario.policy.contact(notification.contact_id)
    if contact is None:
        raise LookupError(f"contact point {notification.contact_id} is no longer in the policy")
    reader = contact_viewer(dep.scenario, contact)
    if notification.record_kind == "notice":
        return _notice_message(dep, conn, notification, reader)
    if notification.record_kind == "case":
        return _case_message(dep, conn, notification, reader)
    if notification.record_kind == "commitment":
        return _commitment_message(dep, conn, notification, reader)
    if notification.record_kind == REPORT:
        return _report_message(dep, notification, reader)
    _ = translations(reader.language).gettext
    incident = incident_store.get_incident(conn, notification.record_id)
    answer = (
        notification_store.replies_of(conn, reply_id=notification.reply_id)
        if notification.reply_id
        else []
    )
    if incident is None:
        raise LookupError(f"record {notification.record_id} is gone")
    shown = incidents.present_incident(dep, reader, incident)
    record, display = shown["record"], shown["display"]
    casualties = record["casualties"]
    labels = (_("civilians killed"), _("civilians injured"), _("military killed"),
              _("military injured"))  # fmt: skip
    keys = ("civilian_killed", "civilian_injured", "military_killed", "military_injured")
    counts = ", ".join(
        f"{label}: {'?' if casualties[key] is None else casualties[key]}"
        for key, label in zip(keys, labels, strict=True)
    )
    where = display["place"] or f"{shown['lat']:.4f}, {shown['lon']:.4f}"
    when = record["started_at"][:16].replace("T", " ")
    reporter = display["organisations"].get(incident.owner_org, incident.owner_org)
    narrative = in_language(record.get("narrative", {}), reader.language)
    lines = [
        f"{display['category']}: {record['title']}",
        _("Status") + f": {_(shown['status'])}",
        _("When") + f": {when} ({_(record['time_precision'])})",
        _("Where") + f": {where} ({_(record['location']['precision'])})",
        _("Reported by") + f": {reporter}",
        _("Casualties") + f": {counts}",
        *([narrative] if narrative else []),
        *(
            [
                _("Reply from {organisation}").format(
                    organisation=_name(dep, reader, a.organisation_id)
                )
                + f": {a.text}"
                for a in answer
            ]
        ),
        *_footer(dep, notification, _, _("Record"), f"/incidents/{incident.id}"),
    ]
    title = f"[ceasefire] {display['category']}: {record['title']}"
    if answer:
        title = "[ceasefire] " + _("Reply") + f": {record['title']}"
    return Message(idempotency_key=notification.id, title=title, body="\n".join(lines))


def _notice_message(
    dep: Deployment, conn: Connection, notification: Notification, reader: Viewer
) -> Message:
    """A notice as a desk reads it: what, who, where, when, the risk and its reasons."""
    _ = translations(reader.language).gettext
    notice = notice_store.get_notice(conn, notification.record_id)
    if notice is None:
        raise LookupError(f"notice {notification.record_id} is gone")
    shown = notices.present_notice(dep, reader, notice)
    draft, display = notice.draft, shown["display"]
    zone = ZoneInfo(dep.scenario.info.time_zone)
    windows = list(draft.occurrences(zone))
    when = f"{windows[0][0]:%Y-%m-%d %H:%M}–{windows[0][1]:%H:%M}"
    if len(windows) > 1:
        when += " " + _("and {count} more times until {until}").format(
            count=len(windows) - 1, until=f"{windows[-1][0]:%Y-%m-%d}"
        )
    cancelled = notice.status.value == "cancelled"
    where = [display["place"]] if display["place"] else []
    if display["post"]:
        where.append(_("nearest post") + f": {display['post']}")
    lines = [
        *([_("CANCELLED: the activity is called off.")] if cancelled else []),
        f"{display['activity']}: {draft.title}",
        display["risk"],
        *(f"- {reason}" for reason in shown["assessment"]["reasons"]),
        *([_("An escort is suggested.")] if notice.escort else []),
        _("When") + f": {when} ({dep.scenario.info.time_zone})",
        _("Where") + ": " + " · ".join(where),
        _("Who")
        + ": "
        + _("{people} people, {state}").format(
            people=draft.people, state=_("unarmed") if draft.unarmed else _("not all unarmed")
        ),
        _("Filed by") + f": {display['filed_by']}",
        *([draft.description] if draft.description else []),
        *(
            _sent_to(dep, conn, notification, reader)
            if reader.organisation_id == notice.owner_org
            else []
        ),
        *_footer(dep, notification, _, _("Notice"), f"/notices/{notice.id}"),
    ]
    title = f"[ceasefire] {display['activity']}: {draft.title} ({_(notice.risk)})"
    if cancelled:
        title = "[ceasefire] " + _("Cancelled") + f": {draft.title}"
    return Message(idempotency_key=notification.id, title=title, body="\n".join(lines))


def _case_message(
    dep: Deployment, conn: Connection, notification: Notification, reader: Viewer
) -> Message:
    """A resident's request as a desk that must act on it or be informed reads it: what, where,
    how urgent — never who asks or in their words."""
    _ = translations(reader.language).gettext
    item = case_store.get_case(conn, notification.record_id)
    if item is None:
        raise LookupError(f"case {notification.record_id} is gone")
    shown = cases.present(dep, reader, item)
    post = dep.gazetteer.place(item.nearest_post or "")
    where = [x for x in (shown["place"], shown["zone_name"]) if x]
    if post is not None:
        name = dep.scenario.name_of(post.names, reader.audience, reader.language)
        where.append(_("nearest post") + f": {name}")
    acting = notification.contact_id in item.acts
    lines = [
        f"{shown['category_name']} ({_(item.priority.value)})",
        _("Reference") + f": {item.reference}",
        _("Where") + ": " + " · ".join(where),
        _("People affected") + f": {item.affected}"
        + (" · " + _("petition with {count} signatories").format(count=item.signatories)
           if item.signatories else ""),
        *_case_change(dep, conn, notification, reader, item),
        _("Your desk acts on it.") if acting else _("For your information."),
        *([_("The other side is to be contacted first.")] if item.other_side_first else []),
        *_footer(dep, notification, _, _("Inbox"), "/inbox"),
    ]  # fmt: skip
    title = f"[ceasefire] {shown['category_name']}: {shown['place'] or item.reference}"
    return Message(idempotency_key=notification.id, title=title, body="\n".join(lines))


def _commitment_message(
    dep: Deployment, conn: Connection, notification: Notification, reader: Viewer
) -> Message:
    """A commitment coming due (to the organisation that made it) or overdue (to it, the
    group's chairs and its escalation desks)."""
    _ = translations(reader.language).gettext
    item = group_store.get_commitment(conn, notification.record_id)
    if item is None:
        raise LookupError(f"commitment {notification.record_id} is gone")
    group = next((g for g in dep.scenario.groups if g.id == item.group_id), None)
    group_name = in_language(group.names, reader.language, item.group_id) if group else ""
    late = item.escalated_at is not None
    said = (
        _("Overdue: this commitment was due on {due}.")
        if late
        else _("Reminder: this commitment is due on {due}.")
    )
    lines = [
        said.format(due=item.due.isoformat()),
        _("Working group") + f": {group_name}",
        _("Who committed") + f": {_name(dep, reader, item.organisation)}",
        _("Commitment") + f": {item.text}",
        _("How it is shown to be done") + f": {item.evidence_needed}",
        *_footer(dep, notification, _, _("Commitments"), f"/commitments?group={item.group_id}"),
    ]
    said_title = _("Commitment overdue") if late else _("Commitment due soon")
    title = f"[ceasefire] {said_title}: {item.text}"[:160]
    return Message(idempotency_key=notification.id, title=title, body="\n".join(lines))


def _report_message(dep: Deployment, notification: Notification, reader: Viewer) -> Message:
    """A day's situation report as the desk's organisation may read it: the totals against
    the day before, each category, what was observed by area, the notable incidents, the
    desk's cases and the commitments due; the page, the PDF and the figures' hash."""
    _ = translations(reader.language).gettext
    day = reports.parse_day(notification.record_id)
    report = reports.daily_report(dep, reader, day, record=False)
    totals = report["totals"]
    lines = [
        _("%(n)s incidents (%(v)s ceasefire violations); %(p)s the day before.")
        % {"n": totals["incidents"], "v": totals["violations"], "p": totals["previous"]},
        *(f"- {c['name']}: {c['total']} ({c['change']:+d})" for c in report["categories"]),
    ]
    for row in report["observed"]:
        seen = ", ".join(f"{_(label)} {row[key]}" for key, label in OBSERVED_LABELS.items()
                         if row[key])  # fmt: skip
        lines.append(f"{row['name'] or _('Elsewhere')}: {seen}")
    if report["notable"]:
        lines += ["", _("Notable incidents")]
        lines += [f"- {n['started_at'][11:16]} {n['category']}"
                  f"{' — ' + n['place'] if n['place'] else ''}: {n['title']}"
                  for n in report["notable"]]  # fmt: skip
    lines += [
        "",
        _("Opened %(opened)s, closed %(closed)s, overdue at the cut-off %(overdue)s.")
        % report["cases"]["totals"],
        _("Commitments due") + f": {len(report['commitments'])}",
        _("Figures SHA-256: %(hash)s") % {"hash": report["sha256"]},
        "PDF: " + f"{dep.public_url}/reports/daily.pdf?date={day}",
        *_footer(dep, notification, _, _("Daily situation report"), f"/reports/daily/{day}"),
    ]
    title = f"[ceasefire] {_('Daily situation report')} {day}"
    return Message(idempotency_key=notification.id, title=title, body="\n".join(lines))


def _case_change(
    dep: Deployment, conn: Connection, notification: Notification, reader: Viewer, item: Any
) -> list[str]:
    """What the version a desk is told of did, when it is more than the filing."""
    _ = translations(reader.language).gettext
    event = next(
        (
            e
            for e in case_store.events_of(conn, item.id)
            if e.version == notification.record_version
        ),
        None,
    )
    if event is None or event.action not in ("escalated", "handed_over"):
        return []
    if event.action == "escalated":
        if event.details.get("missed") == "first_response":
            due = _("Overdue: nobody answered the resident by {due} UTC.")
            return [due.format(due=f"{item.first_response_due:%Y-%m-%d %H:%M}")]
        due = _("Overdue: it was to be resolved by {due} UTC.")
        return [due.format(due=f"{item.resolution_due:%Y-%m-%d %H:%M}")]
    handover = item.handover or {}
    lines = [
        _("Handed over to the working group: the other side's action is needed."),
        _("Needed of {party}").format(party=_name(dep, reader, handover.get("party", "")))
        + f": {handover.get('needs', '')}",
    ]
    if handover.get("by"):
        lines.append(_("Needed by") + f": {handover['by']}")
    return lines


def resident_message(dep: Deployment, conn: Connection, message: ResidentMessage) -> Message:
    """News of a case for the resident who asked, in their language: short enough for an SMS,
    with the desk's words to them and nothing the desk keeps for itself."""
    news = cases.resident_news(dep, conn, message)
    _ = translations(news["language"]).gettext
    reference = news["reference"]
    if news["follows"]:
        said = _("Your request {reference} is the same as your request {other}; we follow it "
                 "there.").format(reference=reference, other=news["follows"])  # fmt: skip
    elif news["action"] == "filed":
        said = _("We have received your request {reference}. We will write when something "
                 "changes.").format(reference=reference)  # fmt: skip
    else:
        said = _("Your request {reference}: {status}.").format(
            reference=reference, status=_(news["status"])
        )
    lines = [said, *([news["message"]] if news["message"] else [])]
    lines.append(_("Status") + f": {dep.public_url}/request/status?reference={reference}")
    title = _("Peacekeepers' desk") + f": {reference}"
    return Message(idempotency_key=message.id, title=title, body="\n".join(lines))


def _footer(
    dep: Deployment, notification: Notification, _: Callable[[str], str], label: str, path: str
) -> list[str]:
    """The end of every message: escalation, the one-time link, the record, the deadline."""
    return [
        *([_("Escalated: nobody acknowledged in time.")] if notification.level else []),
        "",
        _("Acknowledge") + f": {dep.public_url}/ack/{ack_token(dep, notification.id)}",
        f"{label}: {dep.public_url}{path}",
        _("Acknowledge by") + f": {notification.ack_deadline:%Y-%m-%d %H:%M} UTC",
        _("Reference") + f": {notification.id}",
    ]


def _sent_to(
    dep: Deployment, conn: Connection, notification: Notification, reader: Viewer
) -> list[str]:
    """For the filer: the other desks this version of the notice went to."""
    _ = translations(reader.language).gettext
    others = [
        n
        for n in notification_store.for_record(conn, "notice", notification.record_id)
        if n.record_version == notification.record_version and n.id != notification.id
    ]
    if not others:
        return [_("Nobody else was told.")]
    lines = [_("It was sent to:")]
    for other in others:
        contact = dep.scenario.policy.contact(other.contact_id)
        name = contact.name if contact else other.contact_id
        lines.append(f"- {_name(dep, reader, other.organisation_id)}: {name}")
    return lines


def _name(dep: Deployment, reader: Viewer, organisation_id: str) -> str:
    organisation = dep.scenario.organisation(organisation_id)
    if organisation is None:
        return organisation_id
    return dep.scenario.name_of(organisation.names, reader.audience, reader.language)
