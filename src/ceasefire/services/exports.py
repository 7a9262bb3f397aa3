"""Exports of incidents (ACLED-style CSV, GeoJSON, HXL CSV), streamed a page at a time, and
the record of who took which report or export: a row and a log leaf each, written before the
first byte leaves, so a taken export is never unrecorded."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.incidents import Status
from ceasefire.domain.naming import in_language
from ceasefire.domain.records import Incident, IncidentQuery
from ceasefire.reports import acled, geojson, hxl
from ceasefire.services import geography, incidents, log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import exports as store
from ceasefire.store.exports import Export


def record_export(
    dep: Deployment,
    viewer: Viewer,
    kind: str,
    parameters: dict[str, Any],
    sha256: str | None = None,
    records: int = 0,
    now: datetime | None = None,
) -> Export:
    """Record that `viewer` took an export of `kind` with these filters (and, for a report,
    the hash of its figures and how many records it counts)."""
    export = taken(viewer, kind, parameters, sha256, records, now)
    with dep.db.begin() as conn:
        store.insert_export(conn, viewer.user_id or None, export)
        log.record_export(conn, export)
    return export


def taken(
    viewer: Viewer,
    kind: str,
    parameters: dict[str, Any],
    sha256: str | None,
    records: int,
    now: datetime | None = None,
    export_id: str | None = None,
) -> Export:
    """The record of an export `viewer` takes now (for the caller to write)."""
    return Export(id=export_id or str(uuid.uuid4()), at=now or utcnow(),
                  username=viewer.username, organisation_id=viewer.organisation_id,
                  kind=kind, parameters=parameters, sha256=sha256, records=records)  # fmt: skip


# --- the exports ------------------------------------------------------------------------------

FORMATS = ("acled", "geojson", "hxl")


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise InvalidInput("format", f"one of {', '.join(FORMATS)}")
    return name


def readable_incidents(
    dep: Deployment,
    viewer: Viewer,
    query: IncidentQuery,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Incident]:
    """Every incident the query selects that the viewer may read, newest first, a page at a
    time (through the same authorization as every list)."""
    cursor = None
    done = 0
    while True:
        page = incidents.list_incidents(dep, viewer, replace(query, limit=incidents.MAX_PAGE),
                                        cursor)  # fmt: skip
        yield from page.items
        done += len(page.items)
        if progress:
            progress(done)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def export(
    dep: Deployment,
    viewer: Viewer,
    name: str,
    query: IncidentQuery,
    *,
    coarsen_metres: int = 0,
    layers: bool = False,
    progress: Callable[[int], None] | None = None,
    record: bool = True,
) -> Iterator[str]:
    """The export as text chunks, recorded (who, which, with what filters) before the first
    chunk is made, unless `record` is false (the public's downloads: nobody to name). Each
    reader exports what it may read; the public (`authz.PUBLIC`), what is public."""
    check_format(name)
    if record:
        parameters = {"format": name, **_filters(query), "coarsen_metres": coarsen_metres}
        record_export(dep, viewer, name, parameters)
    found = readable_incidents(dep, viewer, query, progress)
    if name == "acled":
        return _acled(dep, viewer, found)
    if name == "hxl":
        return _hxl(dep, viewer, found)
    return _geojson(dep, viewer, found, coarsen_metres, layers)


def _filters(query: IncidentQuery) -> dict[str, Any]:
    return {
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "categories": list(query.categories),
    }


class _Names:
    """Names and local dates for the exporter's audience, language and time zone."""

    def __init__(self, dep: Deployment, viewer: Viewer) -> None:
        self.dep, self.viewer = dep, viewer
        self.zone = ZoneInfo(dep.scenario.info.time_zone)

    def place(self, incident: Incident) -> str:
        location = incident.draft.location
        place = self.dep.scenario.place(location.place_id or "")
        if place is None:
            return location.description or ""
        return self.dep.scenario.name_of(place.names, self.viewer.audience, self.viewer.language)

    def organisation(self, org_id: str) -> tuple[str, str] | None:
        org = self.dep.scenario.organisation(org_id)
        if org is None:
            return None
        name = self.dep.scenario.name_of(org.names, self.viewer.audience, self.viewer.language)
        return name, org.kind

    def date(self, incident: Incident) -> str:
        return incident.draft.started_at.astimezone(self.zone).date().isoformat()

    def category(self, incident: Incident) -> str:
        category = self.dep.scenario.category(incident.draft.category)
        if category is None:
            return incident.draft.category
        return in_language(category.names, self.viewer.language, category.id)


def _csv_line(values: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def _acled(dep: Deployment, viewer: Viewer, found: Iterator[Incident]) -> Iterator[str]:
    names = _Names(dep, viewer)
    settings = dep.scenario.reports.acled
    yield _csv_line(list(acled.COLUMNS))
    for incident in found:
        if incident.status is Status.retracted:
            continue  # not an event: ACLED's rows are events (GeoJSON and HXL show the status)
        values = acled.row(
            incident,
            dep.scenario.category(incident.draft.category),
            settings,
            local_date=names.date(incident),
            place=names.place(incident),
            organisation=names.organisation,
            sources=not authz.hidden_fields(viewer, incident.access),
            language=viewer.language,
        )
        yield _csv_line([values[column] for column in acled.COLUMNS])


def _hxl(dep: Deployment, viewer: Viewer, found: Iterator[Incident]) -> Iterator[str]:
    names = _Names(dep, viewer)
    settings = dep.scenario.reports
    yield _csv_line(hxl.HEADER)
    yield _csv_line(hxl.TAGS)
    for incident in found:
        standing = incident.standing
        yield _csv_line(
            hxl.row(
                incident,
                dep.scenario.category(incident.draft.category),
                local_date=names.date(incident),
                place=names.place(incident),
                category_name=names.category(incident),
                area=settings.area_of(standing.post_id if standing else None),
            )
        )


def _geojson(
    dep: Deployment, viewer: Viewer, found: Iterator[Incident], metres: int, layers: bool
) -> Iterator[str]:
    names = _Names(dep, viewer)
    features: Iterator[dict[str, Any]] = (
        geojson.point_feature(
            incident.id,
            incident.lat,
            incident.lon,
            {
                "id": incident.id,
                "title": incident.draft.title,
                "category": incident.draft.category,
                "category_name": names.category(incident),
                "status": incident.status.value,
                "date": names.date(incident),
                "started_at": incident.draft.started_at.isoformat(),
                "time_precision": incident.draft.time_precision.value,
                "place": names.place(incident),
                "geo_precision": incident.draft.location.precision.value,
                "coarsened_to_metres": metres or None,
            },
            metres,
        )
        for incident in found
    )
    if layers:
        drawn = [f for f in geography.map_layers(dep, viewer)["features"]
                 if f["properties"].get("layer") != "places"]  # fmt: skip
        features = chain(features, drawn)
    return geojson.stream(features)


def day_query(
    dep: Deployment, since: date | None, until: date | None, categories: tuple[str, ...] = ()
) -> IncidentQuery:
    """Incidents started from the first day to the last, inclusive, in the deployment's zone."""
    zone = ZoneInfo(dep.scenario.info.time_zone)
    known = {c.id for c in dep.scenario.categories}
    for category in categories:
        if category not in known:
            raise InvalidInput("category", f"unknown category {category[:80]!r}")
    for field, day in (("since", since), ("until", until)):
        if day is not None and not 1900 <= day.year <= 9998:
            raise InvalidInput(field, "must be a date from 1900 to 9998")
    if since is not None and until is not None and until < since:
        raise InvalidInput("until", "is before since")
    return IncidentQuery(
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        categories=categories,
    )
