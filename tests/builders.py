"""Valid inputs to start tests from; each test changes what it is about."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from ceasefire.domain.incidents import IncidentDraft

NOW = datetime.now(UTC).replace(microsecond=0)


def violation(**changes: Any) -> dict[str, Any]:
    """A drone-observed shelling near Taghavard, as JSON the API accepts."""
    started = (NOW - timedelta(hours=3)).isoformat()
    ended = (NOW - timedelta(hours=2, minutes=50)).isoformat()
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


def violation_draft(**changes: Any) -> IncidentDraft:
    return IncidentDraft.model_validate(violation(**changes))
