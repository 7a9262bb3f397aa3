"""Activity notices: villagers, repair crews and agencies say in advance what they will do
near the line (farm a field, mend a pipe, visit graves…), where and when, so that the other
side knows and the peacekeepers' nearest post can be there.

A notice is assessed before anyone is told: how far the activity comes to the line and on
whose side, whether it crosses it, which hazard areas it touches or comes near, how many
incidents happened nearby lately, and whether those who go are unarmed. The assessment is
a risk level with the reasons behind it, each a code with its figures, so every reader
gets the reasons in their own language.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

import shapely
from pydantic import AwareDatetime, Field, field_validator, model_validator

from ceasefire.domain.incidents import Slug, Strict, check_era

MAX_VERTICES = 5000
MAX_WINDOW = timedelta(days=7)
MAX_RECURRENCE = timedelta(days=366)


class Activity(StrEnum):
    farming = "farming"
    harvest = "harvest"
    repair = "repair"
    grave_visit = "grave_visit"
    livestock_search = "livestock_search"
    humanitarian_delivery = "humanitarian_delivery"


class Risk(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class NoticeStatus(StrEnum):
    filed = "filed"
    cancelled = "cancelled"


class Recurrence(Strict):
    """The same window on these weekdays (0 Monday … 6 Sunday), up to and including `until`."""

    weekdays: list[int] = Field(min_length=1, max_length=7)
    until: date

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 0 <= day <= 6 for day in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if len(set(value)) != len(value):
            raise ValueError("a weekday is listed twice")
        return sorted(value)


class Area(Strict):
    """Where: a point, a drawn plot (polygon) or a route (line), as GeoJSON (lon, lat)."""

    type: Literal["Point", "Polygon", "LineString"]
    coordinates: list[Any]

    @model_validator(mode="after")
    def _shape(self) -> Area:
        shape(self.model_dump())  # raises ValueError naming what is wrong
        return self


class NoticeDraft(Strict):
    """A notice as its filer states it."""

    activity: Activity
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    people: int = Field(ge=1, le=1000, description="How many go")
    unarmed: bool = Field(description="Everyone who goes is unarmed")
    vehicles: int = Field(default=0, ge=0, le=200)
    area: Area
    place_id: Slug | None = Field(default=None, description="The village it concerns")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    recurrence: Recurrence | None = None

    @model_validator(mode="after")
    def _window(self) -> NoticeDraft:
        for name in ("starts_at", "ends_at"):
            try:
                check_era(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: must be after starts_at")
        if self.ends_at - self.starts_at > MAX_WINDOW:
            raise ValueError("ends_at: a window is at most 7 days; use a recurrence for more")
        if self.recurrence is not None:
            if self.ends_at - self.starts_at > timedelta(days=1):
                raise ValueError("recurrence: a recurring window is at most a day long")
            if self.recurrence.until < self.starts_at.date():
                raise ValueError("recurrence.until: must not be before starts_at")
            if self.recurrence.until - self.starts_at.date() > MAX_RECURRENCE:
                raise ValueError("recurrence.until: at most a year after starts_at")
        return self

    @property
    def last_end(self) -> datetime:
        """When the last occurrence ends."""
        if self.recurrence is None:
            return self.ends_at
        days = (self.recurrence.until - self.starts_at.date()).days
        return self.ends_at + timedelta(days=days)

    def occurrences(self, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
        """Each window the notice covers, in order (local wall-clock times repeat)."""
        if self.recurrence is None:
            yield self.starts_at, self.ends_at
            return
        start = self.starts_at.astimezone(zone)
        length = self.ends_at - self.starts_at
        day = start.date()
        while day <= self.recurrence.until:
            if day.weekday() in self.recurrence.weekdays:
                local = datetime.combine(day, start.timetz().replace(tzinfo=None), zone)
                yield local, local + length
            day += timedelta(days=1)

    def on(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The windows that fall on (start or run through) a local day."""
        begin = datetime.combine(day, datetime.min.time(), zone)
        end = begin + timedelta(days=1)
        found = []
        for start, stop in self.occurrences(zone):
            if start >= end:
                break
            if stop > begin:
                found.append((start, stop))
        return found


def shape(area: dict[str, Any]) -> shapely.Geometry:
    """A notice's area as a Shapely geometry in (lon, lat); ValueError says what is wrong."""
    kind, coordinates = area.get("type"), area.get("coordinates")
    if kind == "Point":
        positions = [coordinates]
    elif kind == "LineString":
        positions = _list(coordinates)
        if len(positions) < 2:
            raise ValueError("a route needs at least two positions")
    else:
        rings = _list(coordinates)
        if len(rings) != 1:
            raise ValueError("a plot is one ring, without holes")
        positions = _list(rings[0])
        if len(positions) < 4 or positions[0] != positions[-1]:
            raise ValueError("a plot's ring needs 4 or more positions, the last the first")
    if len(positions) > MAX_VERTICES:
        raise ValueError(f"at most {MAX_VERTICES} positions")
    points = [_position(p) for p in positions]
    for lon, lat in points:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"position [{lon}, {lat}] is out of range (longitude first)")
    if kind == "Point":
        return shapely.Point(points[0])
    if kind == "LineString":
        return shapely.LineString(points)
    polygon = shapely.Polygon(points)
    if not polygon.is_valid:
        raise ValueError("the plot's outline crosses itself")
    return polygon


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("malformed coordinates: a list was expected")
    return value


def _position(value: Any) -> tuple[float, float]:
    numbers = value[:2] if isinstance(value, list) else []
    if len(numbers) < 2 or not all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
    ):
        raise ValueError("malformed coordinates: a position is [longitude, latitude]")
    return float(numbers[0]), float(numbers[1])


# --- assessment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason for the risk level: a code the interface translates, with its figures."""

    code: str
    risk: Risk
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measures:
    """What geography says of a notice's area (see `Geography.measure`)."""

    line_metres: float | None
    crosses_line: bool
    sides: tuple[str, ...]
    """Parties whose side's area the activity is in"""
    near_sides: tuple[str, ...]
    """Parties whose side's area is within the counterpart distance"""
    hazards_inside: tuple[str, ...]
    hazards_near: tuple[str, ...]
    settlement_id: str | None
    post_id: str | None
    post_metres: float | None


@dataclass(frozen=True)
class Thresholds:
    high_within_metres: float
    medium_within_metres: float
    incidents_for_high: int


@dataclass(frozen=True)
class Assessment:
    risk: Risk
    reasons: tuple[Reason, ...]
    measures: Measures
    incidents_nearby: int
    counterparts: tuple[str, ...]
    """Parties across the line that must be told"""


def assess(
    draft: NoticeDraft,
    measures: Measures,
    incidents_nearby: int,
    incident_days: int,
    thresholds: Thresholds,
    filer_party: str | None,
) -> Assessment:
    """The risk of a planned activity, with every reason that raised it."""
    reasons: list[Reason] = []
    metres = measures.line_metres
    if measures.crosses_line:
        reasons.append(Reason("crosses_line", Risk.high))
    elif metres is not None and metres < thresholds.high_within_metres:
        reasons.append(Reason("close_to_line", Risk.high, {"metres": round(metres)}))
    elif metres is not None and metres < thresholds.medium_within_metres:
        reasons.append(Reason("near_line", Risk.medium, {"metres": round(metres)}))
    for hazard in measures.hazards_inside:
        reasons.append(Reason("in_hazard_area", Risk.high, {"hazard": hazard}))
    for hazard in measures.hazards_near:
        if hazard not in measures.hazards_inside:
            reasons.append(Reason("near_hazard_area", Risk.medium, {"hazard": hazard}))
    if incidents_nearby:
        risk = Risk.high if incidents_nearby >= thresholds.incidents_for_high else Risk.medium
        figures = {"count": incidents_nearby, "days": incident_days}
        reasons.append(Reason("incidents_nearby", risk, figures))
    if not draft.unarmed:
        reasons.append(Reason("armed", Risk.high))
    if not reasons:
        reasons.append(
            Reason("far_from_line", Risk.low, {"metres": None if metres is None else round(metres)})
        )
    order = list(Risk)
    risk = max((r.risk for r in reasons), key=order.index)
    counterparts = tuple(p for p in measures.near_sides if p != filer_party)
    return Assessment(risk, tuple(reasons), measures, incidents_nearby, counterparts)
