"""Assistance programmes as rules: who is eligible (conditions over the registry's fields),
what they receive (an amount of money or a number of items), how often (once, monthly,
weekly), over which months, and within which budget. The pack's `aid.yaml` states them.

A programme's *occurrences* in a month are what it owes an eligible beneficiary that month:
"once" (a one-time benefit, owed at most once ever), the month itself, or each week that
starts in the month (times the number of handouts a week). An entitlement is one occurrence
for one beneficiary, so computing a month again finds nothing new to owe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ceasefire.domain.assistance import ActivityDraft, GrantDraft, Stage
from ceasefire.domain.households import (
    Displacement,
    Home,
    HouseholdDraft,
    Sex,
    Shelter,
    Vulnerability,
    age_on,
)
from ceasefire.domain.incidents import Slug
from ceasefire.domain.naming import Language

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ONCE = "once"


class AidModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def parse_month(text: str) -> date:
    """The first day of a month written YYYY-MM."""
    found = MONTH.match(text)
    if not found:
        raise ValueError(f"{text!r} is not a month written YYYY-MM, e.g. 2021-05")
    return date(int(found.group(1)), int(found.group(2)), 1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


Month = Annotated[str, Field(pattern=MONTH.pattern, description="YYYY-MM")]


# --- conditions ---------------------------------------------------------------------------


class Condition(AidModel):
    """One test over a household's or a person's facts. Exactly one operator is given:
    `in` (the value is one of), `has` (the household has this vulnerability), `at_least` /
    `below` (an age in full years on the first day of the month computed), or `any` (at
    least one of the nested conditions holds)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, populate_by_name=True
    )

    field: (
        Literal[
            "displacement",
            "shelter",
            "home",
            "origin_place",
            "current_place",
            "vulnerability",
            "sex",
            "age",
            "household_size",
        ]
        | None
    ) = None
    in_: list[str] | None = Field(default=None, alias="in")
    has: Vulnerability | None = None
    at_least: int | None = Field(default=None, ge=0, le=150)
    below: int | None = Field(default=None, ge=0, le=150)
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _one(self) -> Condition:
        operators = [
            name
            for name in ("in_", "has", "at_least", "below", "any")
            if getattr(self, name) is not None
        ]
        if len(operators) != 1:
            raise ValueError("give exactly one of in, has, at_least, below, any")
        operator = operators[0]
        if operator == "any":
            if self.field is not None:
                raise ValueError("`any` takes no field: its conditions name theirs")
            return self
        if self.field is None:
            raise ValueError("field: which fact the condition tests")
        if operator == "has" and self.field != "vulnerability":
            raise ValueError("`has` tests the field vulnerability")
        if operator in ("at_least", "below") and self.field not in ("age", "household_size"):
            raise ValueError(f"`{operator}` tests age or household_size")
        if operator == "in_":
            allowed = CHOICES.get(self.field)
            if self.field in ("age", "household_size", "vulnerability"):
                raise ValueError(f"`in` does not test {self.field}")
            wrong = [v for v in self.in_ or [] if allowed is not None and v not in allowed]
            if wrong:
                raise ValueError(f"in: {wrong} not among {sorted(allowed or ())}")
        return self

    @property
    def fields(self) -> frozenset[str]:
        """The facts the condition reads."""
        if self.any is not None:
            return frozenset().union(*(c.fields for c in self.any))
        return frozenset({self.field or ""})

    @property
    def about_person(self) -> bool:
        return bool(self.fields & {"sex", "age"})

    def describe(self) -> str:
        if self.any is not None:
            return "any of (" + "; ".join(c.describe() for c in self.any) + ")"
        if self.in_ is not None:
            return f"{self.field} in {', '.join(self.in_)}"
        if self.has is not None:
            return f"has {self.has.value}"
        if self.at_least is not None:
            return f"{self.field} at least {self.at_least}"
        return f"{self.field} below {self.below}"


CHOICES: dict[str | None, frozenset[str]] = {
    "displacement": frozenset(Displacement),
    "shelter": frozenset(Shelter),
    "home": frozenset(Home),
    "sex": frozenset(Sex),
}


@dataclass(frozen=True)
class Facts:
    """What eligibility is decided on: a household's facts and, for a person, theirs."""

    displacement: str
    shelter: str
    home: str
    origin_place: str | None
    current_place: str
    vulnerabilities: frozenset[str]
    household_size: int
    sex: str | None = None
    born: date | None = None


def holds(condition: Condition, facts: Facts, on: date) -> bool:
    if condition.any is not None:
        return any(holds(c, facts, on) for c in condition.any)
    if condition.has is not None:
        return condition.has.value in facts.vulnerabilities
    value: object
    if condition.field == "age":
        if facts.born is None:
            return False
        value = age_on(facts.born, on)
    else:
        value = getattr(facts, condition.field or "")
    if condition.in_ is not None:
        return value in condition.in_
    if not isinstance(value, int):
        return False
    if condition.at_least is not None:
        return value >= condition.at_least
    return condition.below is not None and value < condition.below


# --- programmes ---------------------------------------------------------------------------


class Frequency(StrEnum):
    once = "once"
    monthly = "monthly"
    weekly = "weekly"


class Per(StrEnum):
    person = "person"
    household = "household"


class Money(AidModel):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")

    @property
    def minor(self) -> int:
        """In hundredths, as amounts are stored."""
        return int(self.amount * 100)


class Items(AidModel):
    item: Slug
    quantity: int = Field(default=1, ge=1, le=1000)
    names: dict[Language, str] = Field(default_factory=dict)


class Programme(AidModel):
    id: Slug
    organisation: Slug = Field(description="Who runs it, and so who sees the households it serves")
    names: dict[Language, str]
    per: Per
    frequency: Frequency
    times: int = Field(default=1, ge=1, le=7, description="Handouts a week (weekly only)")
    money: Money | None = None
    items: Items | None = None
    eligible: list[Condition] = Field(default_factory=list, description="All must hold")
    start: Month
    end: Month | None = Field(default=None, description="The last month it pays (inclusive)")
    budget: Money | None = Field(default=None, description="In the benefit's currency")
    source: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _benefit(self) -> Programme:
        if (self.money is None) == (self.items is None):
            raise ValueError("money or items: a programme gives one of them")
        if self.times > 1 and self.frequency is not Frequency.weekly:
            raise ValueError("times: only a weekly programme hands out several times a week")
        if self.budget is not None and self.money is None:
            raise ValueError("budget: only a cash programme has one")
        if self.budget and self.money and self.budget.currency != self.money.currency:
            raise ValueError("budget: in the currency of the benefit")
        if self.end is not None and parse_month(self.end) < parse_month(self.start):
            raise ValueError("end: after start")
        if self.per is Per.household and any(c.about_person for c in self.eligible):
            raise ValueError("eligible: a household programme cannot test sex or age")
        return self

    def runs_in(self, month: date) -> bool:
        return parse_month(self.start) <= month and (
            self.end is None or month <= parse_month(self.end)
        )

    def occurrences(self, month: date) -> list[str]:
        """What the programme owes an eligible beneficiary in `month` (see the module)."""
        if not self.runs_in(month):
            return []
        match self.frequency:
            case Frequency.once:
                return [ONCE]
            case Frequency.monthly:
                return [month.strftime("%Y-%m")]
            case Frequency.weekly:
                return [
                    f"{day.isoformat()}#{n}"
                    for day in mondays(month)
                    for n in range(1, self.times + 1)
                ]

    def eligible_on(self, facts: Facts, month: date) -> bool:
        return all(holds(c, facts, month) for c in self.eligible)

    def explain(self, facts: Facts, month: date) -> list[tuple[str, bool]]:
        """Each condition and whether it holds: why a beneficiary is (not) entitled."""
        return [(c.describe(), holds(c, facts, month)) for c in self.eligible]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(c.fields for c in self.eligible))

    @property
    def unit_minor(self) -> int:
        return self.money.minor if self.money else 0


def mondays(month: date) -> list[date]:
    """The weeks that start (on a Monday) in `month`."""
    day = month + timedelta(days=(7 - month.weekday()) % 7)
    found = []
    while day.month == month.month:
        found.append(day)
        day += timedelta(days=7)
    return found


# --- housing, the registry's settings -------------------------------------------------------


class HousingTarget(AidModel):
    families: int = Field(gt=0, description="Families to house")
    of: int = Field(gt=0, description="Out of how many families in need")
    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> HousingTarget:
        if self.end <= self.start:
            raise ValueError("end: after start")
        if self.families > self.of:
            raise ValueError("families: no more than `of`")
        return self

    def expected_by(self, day: date) -> int:
        """Families housed by `day` if the target is met at an even pace."""
        if day <= self.start:
            return 0
        share = min(1.0, (day - self.start).days / (self.end - self.start).days)
        return round(self.families * share)


class HousingProgramme(AidModel):
    id: Slug
    organisation: Slug
    names: dict[Language, str]
    eligible: list[Condition] = Field(default_factory=list)
    target: HousingTarget
    source: str = Field(default="", max_length=300)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(c.fields for c in self.eligible))

    @field_validator("eligible")
    @classmethod
    def _households(cls, value: list[Condition]) -> list[Condition]:
        if any(c.about_person for c in value):
            raise ValueError("a housing programme's conditions are about the household")
        return value


class Sector(AidModel):
    id: Slug
    names: dict[Language, str]


class Registry(AidModel):
    self_registration: Slug | None = Field(
        default=None,
        description="The organisation whose caseworkers verify self-registered households",
    )
    minimum_cell: int = Field(
        default=5, ge=1, le=100, description="Aggregates show no count below this"
    )


class SampleClaim(AidModel):
    property: str = Field(min_length=1, max_length=2000)
    claimed: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class SampleHousehold(AidModel):
    by: str | None = Field(default=None, description="A caseworker; none: self-registered")
    household: HouseholdDraft
    housing: Stage | None = Field(
        default=None,
        description="Its stage in the first housing "
        "programme, moved there by that programme's caseworkers",
    )
    claim: SampleClaim | None = Field(default=None, description="A claim its caseworker files")


class SampleActivity(AidModel):
    by: str
    activity: ActivityDraft


class SampleGrant(AidModel):
    by: str
    grant: GrantDraft


class SampleHandover(AidModel):
    """Everything a programme owes for a month, handed over (by its caseworker)."""

    by: str
    programme: Slug
    period: Month
    place_id: Slug
    day: date = Field(description="The day it was handed over")


class AidSamples(AidModel):
    """Demo records: households (registered in order), the months whose entitlements are
    computed, activities and grants."""

    households: list[SampleHousehold] = Field(default_factory=list)
    runs: list[Month] = Field(default_factory=list)
    handovers: list[SampleHandover] = Field(default_factory=list)
    activities: list[SampleActivity] = Field(default_factory=list)
    grants: list[SampleGrant] = Field(default_factory=list)


class AidSettings(AidModel):
    organisations: list[Slug] = Field(
        default_factory=list,
        description="Humanitarian organisations: they register households and report 3W",
    )
    registry: Registry = Field(default_factory=Registry)
    programmes: list[Programme] = Field(default_factory=list)
    housing: list[HousingProgramme] = Field(default_factory=list)
    compensation: Slug | None = Field(
        default=None, description="The organisation that assesses and decides claims"
    )
    sectors: list[Sector] = Field(default_factory=list)
    samples: AidSamples = Field(default_factory=AidSamples)

    def programme(self, programme_id: str) -> Programme | None:
        return next((p for p in self.programmes if p.id == programme_id), None)

    def housing_programme(self, programme_id: str) -> HousingProgramme | None:
        return next((p for p in self.housing if p.id == programme_id), None)

    def sector(self, sector_id: str) -> Sector | None:
        return next((s for s in self.sectors if s.id == sector_id), None)
