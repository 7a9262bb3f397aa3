"""Incidents as ACLED-style rows: ACLED's 31 columns in ACLED's order and meaning, so the
rows can be read beside ACLED's own data.

Codes follow ACLED's codebook: time precision 1 (day), 2 (week), 3 (month); geo-precision 1
(the place itself), 2 (near it or part of a region), 3 (the region); actor types 1 state
forces … 7 civilians, 8 external or other forces; interaction the two actor types joined,
smaller first (one actor alone: its type × 10). Unknown fatalities are written as 0, as
ACLED does, and tagged "fatalities unknown"; the record keeps the unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ceasefire.domain.incidents import GeoPrecision, TimePrecision
from ceasefire.domain.naming import in_language
from ceasefire.domain.records import Incident
from ceasefire.domain.reports import AcledSettings
from ceasefire.domain.scenario import Category

COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

TIME_PRECISION = {
    TimePrecision.exact: 1,
    TimePrecision.day: 1,
    TimePrecision.week: 2,
    TimePrecision.month: 3,
}
GEO_PRECISION = {
    GeoPrecision.exact: 1,
    GeoPrecision.town: 1,
    GeoPrecision.near_town: 2,
    GeoPrecision.region: 3,
}
DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Riots": "Political violence",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
ACTOR_TYPE = {
    "ministry": 1,
    "authority": 1,
    "emergency_service": 1,
    "peacekeeping_mission": 8,
    "monitoring_centre": 8,
    "contingent": 8,
    "international_organisation": 8,
    "ngo": 7,
    "government_programme": 1,
}
CIVILIANS = 7
PERPETRATOR = ("alleged_perpetrator",)
TARGETS = ("target", "affected")


def row(
    incident: Incident,
    category: Category | None,
    settings: AcledSettings,
    *,
    local_date: str,
    place: str,
    organisation: Callable[[str], tuple[str, str] | None],
    sources: bool,
    language: str,
) -> dict[str, Any]:
    """One incident's row. `organisation(id)` gives (name, kind); `sources` is False when the
    exporter may not read who told the monitors (the column is then left empty)."""
    draft = incident.draft
    event_type = category.acled_event_type if category else ""
    first, first_assoc, inter1 = _actors(draft.actors, PERPETRATOR, organisation)
    second, second_assoc, inter2 = _actors(draft.actors, TARGETS, organisation)
    killed = [draft.casualties.civilian_killed, draft.casualties.military_killed]
    side = incident.standing.side if incident.standing else None
    country = settings.country_of(side)
    civilian = event_type == "Violence against civilians" or inter2 == CIVILIANS
    narrative = in_language(draft.narrative, language)
    return {
        "event_id_cnty": incident.id,
        "event_date": local_date,
        "year": local_date[:4],
        "time_precision": TIME_PRECISION[draft.time_precision],
        "disorder_type": DISORDER.get(event_type, ""),
        "event_type": event_type,
        "sub_event_type": category.acled_sub_event_type if category else "",
        "actor1": first,
        "assoc_actor_1": first_assoc,
        "inter1": inter1 or "",
        "actor2": second,
        "assoc_actor_2": second_assoc,
        "inter2": inter2 or "",
        "interaction": _interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if civilian else "",
        "iso": country.iso if country else "",
        "region": settings.region,
        "country": country.country if country else "",
        "admin1": "",
        "admin2": "",
        "admin3": "",
        "location": place,
        "latitude": f"{incident.lat:.4f}",
        "longitude": f"{incident.lon:.4f}",
        "geo_precision": GEO_PRECISION[draft.location.precision],
        "source": "; ".join(_source_names(draft.sources, organisation)) if sources else "",
        "source_scale": "Local" if sources and draft.sources else "",
        "notes": " ".join(part for part in (draft.title + ".", narrative) if part),
        "fatalities": sum(n or 0 for n in killed),
        "tags": "fatalities unknown" if all(n is None for n in killed) else "",
        "timestamp": int(incident.updated_at.timestamp()),
    }


def _actors(
    actors: list[Any], roles: tuple[str, ...], organisation: Callable[[str], tuple[str, str] | None]
) -> tuple[str, str, int | None]:
    named: list[tuple[str, int]] = []
    for actor in actors:
        if actor.role not in roles:
            continue
        known = organisation(actor.organisation_id) if actor.organisation_id else None
        if known is not None:
            named.append((known[0], ACTOR_TYPE.get(known[1], 8)))
        else:
            named.append((actor.name or "", CIVILIANS if actor.role in TARGETS else 8))
    if not named:
        return "", "", None
    return named[0][0], "; ".join(name for name, _ in named[1:]), named[0][1]


def _interaction(first: int | None, second: int | None) -> int | str:
    if first is None and second is None:
        return ""
    if first is None or second is None:
        return (first or second or 0) * 10
    low, high = sorted((first, second))
    return low * 10 + high


def _source_names(
    sources: list[Any], organisation: Callable[[str], tuple[str, str] | None]
) -> list[str]:
    names = []
    for source in sources:
        known = organisation(source.organisation_id) if source.organisation_id else None
        names.append(known[0] if known else source.name or source.channel)
    return names
