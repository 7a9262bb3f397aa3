"""/api/v1/notifications: a party's inbox and acknowledgement; who was told of a record, and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.incidents import Strict
from ceasefire.services import notifications
from ceasefire.services.deployment import Deployment
from ceasefire.store.notifications import Notification, Reply
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(tags=["notifications"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


def present(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "record": {
            "kind": notification.record_kind,
            "id": notification.record_id,
            "version": notification.record_version,
        },
        "contact": notification.contact_id,
        "organisation": notification.organisation_id,
        "rules": list(notification.rules),
        "level": notification.level,
        "status": notification.status,
        "attempts": notification.attempts,
        "ack_deadline": notification.ack_deadline.isoformat(),
        "acknowledged_at": notification.acknowledged_at.isoformat()
        if notification.acknowledged_at
        else None,
        "acknowledged_by": notification.acknowledged_by,
        "ack_channel": notification.ack_channel,
        "created_at": notification.created_at.isoformat(),
    }


@router.get("/notifications")
def inbox(
    dep: DepDep, viewer: ViewerDep, open_only: Annotated[bool, Query(alias="open")] = False
) -> dict[str, Any]:
    """What was sent to your organisation (the mission's duty officers see everything)."""
    return {"items": [present(n) for n in notifications.inbox(dep, viewer, open_only)]}


@router.post("/notifications/{notification_id}/ack")
def acknowledge(notification_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Acknowledge a notification sent to your organisation (once)."""
    return present(notifications.acknowledge(dep, viewer, notification_id, "api"))


class ReplyBody(Strict):
    text: str = Field(min_length=1, max_length=notifications.MAX_REPLY)


@router.post("/notifications/{notification_id}/reply", status_code=201)
def reply(notification_id: str, body: ReplyBody, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Answer a notification sent to your organisation; the reply goes onto the record."""
    answer = notifications.reply(dep, viewer, notification_id, body.text)
    return present_reply(answer)


def present_reply(answer: Reply) -> dict[str, Any]:
    return {
        "id": answer.id,
        "notification": answer.notification_id,
        "incident": answer.incident_id,
        "organisation": answer.organisation_id,
        "by": answer.author,
        "at": answer.at.isoformat(),
        "text": answer.text,
    }


@router.get("/incidents/{incident_id}/replies")
def replies(incident_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The parties' replies attached to this record."""
    return {"items": [present_reply(r) for r in notifications.replies_to(dep, viewer, incident_id)]}


@router.get("/incidents/{incident_id}/notifications")
def told(incident_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Who was told of this record, when, and who answered."""
    found = notifications.notifications_for_incident(dep, viewer, incident_id)
    return {"items": [present(n) for n in found]}


@router.get("/incidents/{incident_id}/routing")
def routing(incident_id: str, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """For each version: which rules fired, which did not and why, and who was chosen."""
    return {
        "versions": [
            {
                "version": e.event.version,
                "change": e.event.change,
                "severity": e.event.severity.value,
                "rules": [
                    {"rule": d.rule, "fired": d.fired, "reason": d.reason} for d in e.decisions
                ],
                "recipients": e.recipients,
                "withheld": e.withheld,
            }
            for e in notifications.explain_incident(dep, viewer, incident_id)
        ]
    }
