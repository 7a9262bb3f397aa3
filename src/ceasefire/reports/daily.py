"""The daily situation report's figures, from the records one reader may read.

A report's day ends at the deployment's cut-off, in its time zone; it covers the day before
that (`Period`) and compares with the day before it. Incidents count in the period their
start falls in — retracted ones never, and those dated only to the week or month not in a
day's figures (they are counted apart, so nothing vanishes unsaid). Observations are
totalled the monitoring missions' way: explosions by kind, projectiles, flashes, flares,
bursts and shots, by area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ceasefire.domain.cases import FINISHED
from ceasefire.domain.groups import CommitmentStatus
from ceasefire.domain.incidents import Sighting, Status, TimePrecision
from ceasefire.domain.records import Incident
from ceasefire.domain.reports import ELSEWHERE, ReportSettings
from ceasefire.store.cases import Case
from ceasefire.store.groups import Commitment
from ceasefire.store.movements import Movement
from ceasefire.store.notices import Notice

OBSERVED = (
    "explosion_impact",
    "explosion_airburst",
    "explosion_undetermined",
    "projectile_in_flight",
    "muzzle_flash",
    "flare",
    "burst",
    "shot",
)
"""The observation totals, in the order a report lists them."""


@dataclass(frozen=True)
class Period:
    """From one cut-off to the next (`start` included, `end` not), in the deployment's zone."""

    day: date
    start: datetime
    end: datetime

    @classmethod
    def ending(cls, day: date, settings: ReportSettings, zone: ZoneInfo) -> Period:
        """The period whose cut-off falls on `day`."""
        cutoff = settings.daily.cutoff_time
        end = datetime.combine(day, cutoff, tzinfo=zone)
        start = datetime.combine(day - timedelta(days=1), cutoff, tzinfo=zone)
        return cls(day, start, end)

    def before(self, settings: ReportSettings, zone: ZoneInfo) -> Period:
        return Period.ending(self.day - timedelta(days=1), settings, zone)

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass
class DailyFigures:
    period: Period
    previous: Period
    incidents: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(category, area) → incidents in the period"""
    previous_incidents: Counter[tuple[str, str]] = field(default_factory=Counter)
    observed: dict[str, Counter[str]] = field(default_factory=dict)
    """area → OBSERVED key → total"""
    imprecise: int = 0
    """Incidents started in the period but dated only to its week or month (not counted)"""
    counted: list[Incident] = field(default_factory=list)
    notable: list[Incident] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    cases_opened: Counter[str] = field(default_factory=Counter)
    """area → cases filed in the period"""
    cases_closed: Counter[str] = field(default_factory=Counter)
    cases_overdue: Counter[str] = field(default_factory=Counter)
    """area → open cases past a due time at the period's end"""
    commitments_due: list[Commitment] = field(default_factory=list)
    """Open commitments due by the day after the period's end, overdue ones first"""


def incident_area(settings: ReportSettings, incident: Incident) -> str:
    standing = incident.standing
    return settings.area_of(standing.post_id if standing else None)


def is_notable(settings: ReportSettings, incident: Incident) -> bool:
    rule = settings.daily.notable
    draft = incident.draft
    casualties = draft.casualties.model_dump().values()
    return (
        draft.category in rule.categories
        or (rule.casualties and any(n for n in casualties if n))
        or (rule.damage and bool(draft.damage))
    )


def daily_figures(
    settings: ReportSettings,
    period: Period,
    previous: Period,
    incidents: Iterable[Incident],
    notices: Iterable[Notice],
    movements: Iterable[Movement],
    cases: Iterable[Case],
    commitments: Iterable[Commitment],
    zone: ZoneInfo,
) -> DailyFigures:
    """The figures of one period from records already filtered to what the reader may read."""
    figures = DailyFigures(period, previous)
    for incident in incidents:
        if incident.status is Status.retracted:
            continue
        draft = incident.draft
        if period.holds(draft.started_at) and draft.time_precision in (
            TimePrecision.week,
            TimePrecision.month,
        ):
            figures.imprecise += 1
            continue
        area = incident_area(settings, incident)
        if previous.holds(draft.started_at):
            figures.previous_incidents[(draft.category, area)] += 1
        if not period.holds(draft.started_at):
            continue
        figures.counted.append(incident)
        figures.incidents[(draft.category, area)] += 1
        totals = figures.observed.setdefault(area, Counter())
        for seen in draft.observations:
            key = seen.sighting.value
            if seen.sighting is Sighting.explosion and seen.explosion is not None:
                key = f"explosion_{seen.explosion.value}"
            totals[key] += seen.count
        if is_notable(settings, incident):
            figures.notable.append(incident)
    figures.counted.sort(key=lambda i: (i.draft.started_at, i.id))
    figures.notable.sort(key=lambda i: (i.draft.started_at, i.id))
    figures.notices = sorted(
        (n for n in notices if _takes_place(n, period, zone)),
        key=lambda n: (n.draft.starts_at, n.id),
    )
    figures.movements = sorted(
        (m for m in movements if period.holds(m.draft.planned_at)),
        key=lambda m: (m.draft.planned_at, m.id),
    )
    for item in cases:
        area = settings.area_of(item.nearest_post)
        if period.holds(item.created_at):
            figures.cases_opened[area] += 1
        if item.resolved_at is not None and period.holds(item.resolved_at):
            figures.cases_closed[area] += 1
        if _case_overdue(item, period.end):
            figures.cases_overdue[area] += 1
    by = period.day + timedelta(days=1)
    figures.commitments_due = sorted(
        (c for c in commitments if c.status is CommitmentStatus.open and c.due <= by),
        key=lambda c: (c.due, c.id),
    )
    return figures


def _takes_place(notice: Notice, period: Period, zone: ZoneInfo) -> bool:
    return any(
        start < period.end and stop > period.start for start, stop in notice.draft.occurrences(zone)
    )


def _case_overdue(item: Case, at: datetime) -> bool:
    if item.created_at >= at:
        return False
    finished = item.status in FINISHED and (item.resolved_at is None or item.resolved_at <= at)
    if finished:
        return False
    unanswered = item.first_response_at is None or item.first_response_at > at
    return (unanswered and item.first_response_due < at) or item.resolution_due < at


def areas_in_order(settings: ReportSettings) -> list[str]:
    return [a.id for a in settings.areas] + [ELSEWHERE]
