"""How a deployment reports: the daily situation report's cut-off, which incidents it tells
in a paragraph, who receives it, and the areas its figures are counted by.

An area is a set of the mission's posts (a sector); a record counts in the area of its
nearest post, and in "elsewhere" when no post is near it. The pack's `reports.yaml` states
them; without it, everything counts in one area.
"""

from __future__ import annotations

import re
from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.domain.incidents import Slug
from ceasefire.domain.naming import Language

ELSEWHERE = "elsewhere"
"""The area of a record that no area's post is nearest to."""


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Area(ReportModel):
    id: Slug
    names: dict[Language, str]
    posts: list[Slug] = Field(
        min_length=1, description="The posts whose nearest records count here"
    )


class Notable(ReportModel):
    """Which incidents the daily report tells in a short paragraph."""

    categories: list[Slug] = Field(default_factory=list)
    casualties: bool = Field(default=True, description="Every incident with a known casualty")
    damage: bool = Field(default=True, description="Every incident with damage recorded")


class DailySettings(ReportModel):
    cutoff: str = Field(
        default="08:00", description="Local time (the scenario's zone) a report's day ends at"
    )
    notable: Notable = Field(default_factory=Notable)

    @field_validator("cutoff")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be a time of day as HH:MM, e.g. 08:00")
        return value

    @property
    def cutoff_time(self) -> time:
        hours, minutes = self.cutoff.split(":")
        return time(int(hours), int(minutes))


class AcledCountry(ReportModel):
    side: Slug | None = Field(default=None, description="Records on this party's side (None: any)")
    country: str = Field(min_length=1)
    iso: int = Field(ge=0, le=999, description="ISO 3166-1 numeric code")


class AcledSettings(ReportModel):
    """How the ACLED-style export fills the columns the records do not hold. ACLED codes by
    internationally recognised borders: this is its convention, stated in the pack, not the
    product's view of any territory."""

    region: str = ""
    countries: list[AcledCountry] = Field(
        default_factory=list, description="First match by the record's side; the last as default"
    )

    def country_of(self, side: str | None) -> AcledCountry | None:
        for entry in self.countries:
            if entry.side is None or entry.side == side:
                return entry
        return None


class ReportSettings(ReportModel):
    daily: DailySettings = Field(default_factory=DailySettings)
    areas: list[Area] = Field(default_factory=list)
    acled: AcledSettings = Field(default_factory=AcledSettings)
    coarsen_metres: int = Field(
        default=1000,
        ge=0,
        le=100_000,
        description="The open-data GeoJSON rounds every point to a grid this coarse (0: exact)",
    )

    def area_of(self, post_id: str | None) -> str:
        for area in self.areas:
            if post_id in area.posts:
                return area.id
        return ELSEWHERE
