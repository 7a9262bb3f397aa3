"""Incidents as an HXL-tagged CSV (Humanitarian Exchange Language): the header row, then
the hashtag row directly under it, then a row per incident.

Casualties keep "unknown" apart from 0: an unknown count is an empty cell, and each total
(`+total`) is written explicitly — the sum of the known counts, empty when none is known —
so a reader never has to guess whether a blank meant none.
"""

from __future__ import annotations

from typing import Any

from ceasefire.domain.records import Incident
from ceasefire.domain.scenario import Category

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("date", "#date+occurred"),
    ("time_precision", "#date+precision"),
    ("category", "#event+type+code"),
    ("category_name", "#event+type+name"),
    ("acled_event_type", "#event+type+acled"),
    ("status", "#status+verification"),
    ("title", "#description+title"),
    ("place", "#loc+name"),
    ("place_id", "#loc+code"),
    ("area", "#loc+area+code"),
    ("zone", "#loc+zone+code"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("geo_precision", "#geo+precision"),
    ("reported_by", "#org+reporting+code"),
    ("civilian_killed", "#affected+killed+civilians+num"),
    ("military_killed", "#affected+killed+military+num"),
    ("killed_total", "#affected+killed+total+num"),
    ("civilian_injured", "#affected+injured+civilians+num"),
    ("military_injured", "#affected+injured+military+num"),
    ("injured_total", "#affected+injured+total+num"),
    ("observed", "#indicator+observed+num"),
)
HEADER = [name for name, _ in COLUMNS]
TAGS = [tag for _, tag in COLUMNS]


def _total(*counts: int | None) -> int | str:
    known = [n for n in counts if n is not None]
    return sum(known) if known else ""


def _count(value: int | None) -> int | str:
    return "" if value is None else value


def row(
    incident: Incident,
    category: Category | None,
    *,
    local_date: str,
    place: str,
    category_name: str,
    area: str,
) -> list[Any]:
    draft = incident.draft
    harm = draft.casualties
    standing = incident.standing
    values = {
        "id": incident.id,
        "date": local_date,
        "time_precision": draft.time_precision.value,
        "category": draft.category,
        "category_name": category_name,
        "acled_event_type": category.acled_event_type if category else "",
        "status": incident.status.value,
        "title": draft.title,
        "place": place,
        "place_id": draft.location.place_id or "",
        "area": area,
        "zone": (standing.zone or "") if standing else "",
        "latitude": f"{incident.lat:.5f}",
        "longitude": f"{incident.lon:.5f}",
        "geo_precision": draft.location.precision.value,
        "reported_by": incident.owner_org,
        "civilian_killed": _count(harm.civilian_killed),
        "military_killed": _count(harm.military_killed),
        "killed_total": _total(harm.civilian_killed, harm.military_killed),
        "civilian_injured": _count(harm.civilian_injured),
        "military_injured": _count(harm.military_injured),
        "injured_total": _total(harm.civilian_injured, harm.military_injured),
        "observed": sum(o.count for o in draft.observations),
    }
    return [values[name] for name in HEADER]
