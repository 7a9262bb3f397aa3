"""Weekly and monthly trends: counts by category and by area over a run of periods, the hot
spots (the places whose counts rose most), and what deteriorated, improved or stayed the
same, each with the numbers behind it.

A week or a month is a run of report days (each from the day before's cut-off to its own),
so every incident falls in one day, one week and one month. A week is named by its Monday,
a month by its first day. Incidents dated more coarsely than the period (known only to the
month, in a weekly report) are counted apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ceasefire.domain.incidents import Status, TimePrecision
from ceasefire.domain.records import Incident
from ceasefire.domain.reports import ReportSettings
from ceasefire.reports.daily import Period, incident_area


class Span(StrEnum):
    week = "week"
    month = "month"


SERIES = {Span.week: 8, Span.month: 6}
"""How many periods a trend report's series run over (the report's own included)"""
COARSER = {
    Span.week: (TimePrecision.month,),
    Span.month: (),
}


def first_day(span: Span, day: date) -> date:
    """The first report day of the week (its Monday) or the month that holds `day`."""
    if span is Span.week:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def following(span: Span, first: date) -> date:
    """The first report day of the next week or month."""
    if span is Span.week:
        return first + timedelta(days=7)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def preceding(span: Span, first: date) -> date:
    if span is Span.week:
        return first - timedelta(days=7)
    return (first - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Stretch:
    """A week or a month of report days: from the cut-off the day before its first day to
    the cut-off of its last."""

    span: Span
    first: date
    start: datetime
    end: datetime

    @classmethod
    def of(cls, span: Span, first: date, settings: ReportSettings, zone: ZoneInfo) -> Stretch:
        last = following(span, first) - timedelta(days=1)
        start = Period.ending(first, settings, zone).start
        return cls(span, first, start, Period.ending(last, settings, zone).end)

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def stretches(span: Span, first: date, settings: ReportSettings, zone: ZoneInfo) -> list[Stretch]:
    """The report's stretch and those before it, oldest first."""
    firsts = [first]
    while len(firsts) < SERIES[span]:
        firsts.insert(0, preceding(span, firsts[0]))
    return [Stretch.of(span, day, settings, zone) for day in firsts]


class Change(StrEnum):
    deteriorated = "deteriorated"
    improved = "improved"
    same = "same"


def change_of(now: int, before: int) -> Change:
    """More (or fewer) by at least 2 and by at least a quarter counts as a change."""
    moved = now - before
    if abs(moved) >= 2 and abs(moved) >= 0.25 * max(before, 1):
        return Change.deteriorated if moved > 0 else Change.improved
    return Change.same


@dataclass
class TrendFigures:
    span: Span
    periods: list[Stretch]
    by_category: dict[str, list[int]] = field(default_factory=dict)
    """category → count per period, oldest first"""
    by_area: dict[str, list[int]] = field(default_factory=dict)
    totals: list[int] = field(default_factory=list)
    places_now: Counter[str] = field(default_factory=Counter)
    places_before: Counter[str] = field(default_factory=Counter)
    imprecise: int = 0
    counted: list[str] = field(default_factory=list)
    """ids of the incidents counted in the report's own period"""

    def hot_spots(self, limit: int = 5) -> list[tuple[str, int, int]]:
        """(place, now, before) of the places whose counts rose most, largest rise first."""
        rises = [
            (place, now, self.places_before[place])
            for place, now in self.places_now.items()
            if now > self.places_before[place]
        ]
        rises.sort(key=lambda r: (-(r[1] - r[2]), -r[1], r[0]))
        return rises[:limit]


def trend_figures(
    settings: ReportSettings, span: Span, first: date, incidents: Iterable[Incident], zone: ZoneInfo
) -> TrendFigures:
    """The series of the stretch starting on `first` and those before it, from incidents
    already filtered to what the reader may read."""
    periods = stretches(span, first, settings, zone)
    figures = TrendFigures(span, periods, totals=[0] * len(periods))
    current, previous = periods[-1], periods[-2]
    for incident in incidents:
        draft = incident.draft
        if incident.status is Status.retracted:
            continue
        index = next((i for i, p in enumerate(periods) if p.holds(draft.started_at)), None)
        if index is None:
            continue
        if draft.time_precision in COARSER[span]:
            figures.imprecise += index == len(periods) - 1
            continue
        area = incident_area(settings, incident)
        figures.by_category.setdefault(draft.category, [0] * len(periods))[index] += 1
        figures.by_area.setdefault(area, [0] * len(periods))[index] += 1
        figures.totals[index] += 1
        standing = incident.standing
        place = draft.location.place_id or (standing.settlement_id if standing else None)
        if place and current.holds(draft.started_at):
            figures.places_now[place] += 1
        elif place and previous.holds(draft.started_at):
            figures.places_before[place] += 1
        if current.holds(draft.started_at):
            figures.counted.append(incident.id)
    figures.counted.sort()
    return figures
