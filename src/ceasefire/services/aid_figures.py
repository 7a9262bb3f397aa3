"""The coordinators' figures: aggregates that name nobody — the displaced by village of origin
and by current place, entitled against delivered by programme and month, housing progress,
and the 3W map. Every count below the pack's minimum cell (`registry.minimum_cell`) is
suppressed (shown as "<n", exported empty and flagged), so that no household can be singled
out; no total is published beside suppressed cells, so none can be worked out by
subtraction.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import suppress
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Forbidden
from ceasefire.domain.households import DISPLACED
from ceasefire.services import activities, housing, programmes
from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

FIGURE_COLUMNS = (
    ("origin_place_id", "#adm3+origin+code"),
    ("origin", "#adm3+origin+name"),
    ("current_place_id", "#loc+current+code"),
    ("current", "#loc+current+name"),
    ("households", "#affected+displaced+hh+num"),
    ("people", "#affected+displaced+ind+num"),
    ("suppressed", "#meta+suppressed"),
)


def displaced(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    """Displaced households and people by village of origin and current place (active
    households, verified or not), small cells suppressed."""
    _check(viewer)
    h = tables.households.c
    minimum = dep.scenario.aid.registry.minimum_cell
    with dep.db.read() as conn:
        rows = conn.execute(
            select(
                h.origin_place_id,
                h.current_place_id,
                func.count().label("households"),
                func.sum(h.size).label("people"),
            )
            .where(
                h.status.in_(["active", "awaiting_verification"]),
                h.displacement.in_([d.value for d in DISPLACED]),
            )
            .group_by(h.origin_place_id, h.current_place_id)
            .order_by(h.origin_place_id, h.current_place_id)
        ).all()
    found = []
    for row in rows:
        shown = suppress(row.households, minimum)
        found.append(
            {
                "origin_place_id": row.origin_place_id or "",
                "origin": activities.place_name(dep, viewer, row.origin_place_id),
                "current_place_id": row.current_place_id,
                "current": activities.place_name(dep, viewer, row.current_place_id),
                "households": shown,
                "people": None if shown is None else int(row.people),
                "suppressed": shown is None,
            }
        )
    return found


def by_place(dep: Deployment, viewer: Viewer, column: str) -> dict[str, int | None]:
    """Displaced people by one place column (origin or current), suppressed."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    h = tables.households.c
    minimum = dep.scenario.aid.registry.minimum_cell
    with dep.db.read() as conn:
        rows = conn.execute(
            select(
                getattr(h, column).label("place"),
                func.count().label("n"),
                func.sum(h.size).label("people"),
            )
            .where(
                h.status.in_(["active", "awaiting_verification"]),
                h.displacement.in_([d.value for d in DISPLACED]),
            )
            .group_by(getattr(h, column))
        ).all()
    for row in rows:
        totals[row.place or ""] = [row.n, int(row.people)]
    return {
        place: None if suppress(n, minimum) is None else people
        for place, (n, people) in totals.items()
    }


def dashboard(dep: Deployment, viewer: Viewer) -> dict[str, Any]:
    """Everything the coordinators' page shows."""
    _check(viewer)
    minimum = dep.scenario.aid.registry.minimum_cell
    return {
        "minimum_cell": minimum,
        "displaced": displaced(dep, viewer),
        "origins": by_place(dep, viewer, "origin_place_id"),
        "current": by_place(dep, viewer, "current_place_id"),
        "programmes": programmes.reconciliation(dep, viewer),
        "housing": housing.housing_progress(dep, viewer),
        "activities": activity_map(dep, viewer),
    }


def activity_map(dep: Deployment, viewer: Viewer) -> dict[str, Any]:
    """The 3W as GeoJSON: a point per place with its activities (organisation, partner,
    sector, status)."""
    places: dict[str, dict[str, Any]] = {}
    for item in activities.activities(dep, viewer):
        if item["latitude"] is None:
            continue
        feature = places.setdefault(
            item["place_id"],
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(item["longitude"]), float(item["latitude"])],
                },
                "properties": {
                    "place_id": item["place_id"],
                    "place": item["place"],
                    "activities": [],
                },
            },
        )
        feature["properties"]["activities"].append(
            {
                k: item[k]
                for k in ("organisation", "partner", "sector", "activity", "status", "remote")
            }
        )
    return {"type": "FeatureCollection", "features": list(places.values())}


def export_displaced(dep: Deployment, viewer: Viewer) -> str:
    """The displaced by origin and current place as HXL-tagged CSV, suppressed cells empty
    and flagged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in FIGURE_COLUMNS])
    writer.writerow([tag for _, tag in FIGURE_COLUMNS])
    for row in displaced(dep, viewer):
        writer.writerow(
            [
                ("yes" if row[name] else "no")
                if name == "suppressed"
                else ""
                if row[name] is None
                else row[name]
                for name, _ in FIGURE_COLUMNS
            ]
        )
    return out.getvalue()


def _check(viewer: Viewer) -> None:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the humanitarian figures")
