"""Stored records as the services see them: an incident with its metadata, its versions,
its corroborations, and the query that lists incidents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceasefire.domain.authorization import Access
from ceasefire.domain.classification import Classification
from ceasefire.domain.geography import Standing
from ceasefire.domain.incidents import IncidentDraft, Status


@dataclass(frozen=True)
class Incident:
    id: str
    version: int
    status: Status
    owner_org: str
    author_id: int
    author: str
    created_at: datetime
    updated_at: datetime
    draft: IncidentDraft
    lat: float
    lon: float
    standing: Standing | None = None
    """Where it stands against the deployment's geography (None until enriched)"""

    @property
    def access(self) -> Access:
        return Access(
            classification=self.draft.classification,
            owner_org=self.owner_org,
            author_id=self.author_id,
            readers=frozenset(self.draft.restricted_to),
        )


@dataclass(frozen=True)
class IncidentVersion:
    incident_id: str
    version: int
    at: datetime
    author: str
    author_org: str
    change: str
    status: Status
    classification: Classification
    reason: str | None
    content: dict[str, Any]
    changed: tuple[str, ...] = ()
    """Top-level fields that differ from the previous version (as this reader sees them)."""


@dataclass(frozen=True)
class Corroboration:
    id: str
    incident_id: str
    organisation_id: str
    author: str
    at: datetime
    note: str
    content: dict[str, Any]


@dataclass(frozen=True)
class IncidentQuery:
    """Filters of an incident list; every field narrows it, None means any."""

    since: datetime | None = None
    until: datetime | None = None
    categories: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    """(min_lon, min_lat, max_lon, max_lat)"""
    place_id: str | None = None
    organisation_id: str | None = None
    zones: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    """Parties whose side's area holds the record"""
    within_line_metres: float | None = None
    limit: int = 50
    after: tuple[datetime, str] | None = None
    """Cursor: the (started_at, id) of the last item of the previous page."""
