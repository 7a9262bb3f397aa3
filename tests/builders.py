"""Valid inputs to start tests from; each test changes what it is about."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ceasefire.domain.incidents import IncidentDraft

NOW = datetime.now(UTC).replace(microsecond=0)


def last_noon(zone: str = "Asia/Baku") -> datetime:
    """The latest noon in the reference deployment's time zone at least an hour ago: a report
    recorded then meets the daytime rules only (the pack's `night-violation` rule adds the
    peacekeepers between 20:00 and 06:00), whenever the tests run."""
    local = (NOW - timedelta(hours=1)).astimezone(ZoneInfo(zone))
    noon = datetime.combine(local.date(), time(12), local.tzinfo)
    return (noon if noon <= local else noon - timedelta(days=1)).astimezone(UTC)


DAYTIME = last_noon()


def violation(at: datetime = NOW, **changes: Any) -> dict[str, Any]:
    """A drone-observed shelling near Taghavard, 3 hours before `at`, as JSON the API accepts."""
    started = (at - timedelta(hours=3)).isoformat()
    ended = (at - timedelta(hours=2, minutes=50)).isoformat()
    body: dict[str, Any] = {
        "category": "shelling",
        "title": "Mortar impacts east of Taghavard",
        "started_at": started,
        "ended_at": ended,
        "time_precision": "exact",
        "location": {"place_id": "taghavard", "precision": "near_town"},
        "observations": [
            {
                "platform": "drone",
                "observer": "JMC UAV sortie 2",
                "window_start": started,
                "window_end": ended,
                "sighting": "explosion",
                "explosion": "impact",
                "count": 4,
                "direction": "incoming",
                "distance_min_m": 2000,
                "distance_max_m": 3000,
                "bearing_deg": 95,
                "weapon": "mortar",
                "confidence": "high",
            }
        ],
        "casualties": {"civilian_killed": 0, "civilian_injured": None},
        "narrative": {"en": "Four impacts in an orchard.", "ru": "Четыре разрыва в саду."},
        "sources": [{"organisation_id": "jmc-russia", "channel": "drone", "reliability": "B"}],
        "classification": "public",
    }
    body.update(copy.deepcopy(changes))
    return body


def violation_draft(at: datetime = NOW, **changes: Any) -> IncidentDraft:
    return IncidentDraft.model_validate(violation(at, **changes))
